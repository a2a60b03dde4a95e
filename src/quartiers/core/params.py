"""Paramètres datés : la loi comme donnée.

Chaque seuil, montant ou date vient d'un paramètre dont chaque valeur porte sa date d'effet
(`valid_from`), sa référence juridique ou officielle et une note (dont la mention « à vérifier »
quand la source l'exige). Format YAML inspiré des paramètres d'OpenFisca :

    seuil_part_mediane:
      description: Part de la médiane pondérée retenue pour le seuil de bas revenus
      unit: ratio
      values:
        2014-07-03:
          value: 0.6
          reference: Décret n° 2014-767 du 3 juillet 2014, art. 4
          note: ""

Une valeur `null` à une date ferme le paramètre (le dispositif a pris fin).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

TO_CHECK = "à vérifier"
# Sections d'un fichier de paramètres qui ne sont pas des paramètres.
NOT_PARAMETERS = frozenset({"next_steps"})


class ParameterError(ValueError):
    """Fichier de paramètres invalide ou valeur demandée hors période."""


@dataclass(frozen=True)
class DatedValue:
    valid_from: dt.date
    value: Any
    reference: str
    note: str = ""

    @property
    def to_check(self) -> bool:
        """Vrai si la source marque cette valeur « à vérifier »."""
        return TO_CHECK in self.note.lower() or TO_CHECK in self.reference.lower()


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    unit: str
    values: tuple[DatedValue, ...]

    def entry_at(self, on: dt.date) -> DatedValue:
        """La valeur en vigueur à une date (la dernière dont la date d'effet est ≤ `on`)."""
        current: DatedValue | None = None
        for entry in self.values:
            if entry.valid_from <= on:
                current = entry
        if current is None:
            first = self.values[0].valid_from if self.values else None
            raise ParameterError(
                f"paramètre « {self.name} » : aucune valeur au {on:%d/%m/%Y}"
                + (f" (première valeur au {first:%d/%m/%Y})" if first else "")
            )
        return current

    def at(self, on: dt.date) -> Any:
        return self.entry_at(on).value

    def decimal_at(self, on: dt.date) -> Decimal:
        """La valeur comme `Decimal` (montants, taux) : jamais de `float` pour l'argent."""
        value = self.at(on)
        if value is None:
            raise ParameterError(f"paramètre « {self.name} » : fermé au {on:%d/%m/%Y}")
        return Decimal(str(value))


@dataclass
class ParameterSet:
    """Un ensemble de paramètres (un fichier YAML), consultable par nom."""

    source: str
    parameters: dict[str, Parameter] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Parameter:
        try:
            return self.parameters[name]
        except KeyError:
            raise ParameterError(f"paramètre « {name} » inconnu dans {self.source}") from None

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self.parameters.values())

    def __len__(self) -> int:
        return len(self.parameters)


def load_parameters(path: str | Path) -> ParameterSet:
    """Lit un fichier YAML de paramètres ; erreur française précise (paramètre, date, champ)."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ParameterError(f"{path} : lecture impossible ({exc})") from exc
    if not isinstance(raw, Mapping):
        raise ParameterError(f"{path} : un dictionnaire de paramètres est attendu")
    result = ParameterSet(str(path))
    for name, body in raw.items():
        if str(name) in NOT_PARAMETERS:
            continue  # données lues par ailleurs (démarches : quartiers.core.rules.next_steps)
        result.parameters[str(name)] = _parse_parameter(path, str(name), body)
    return result


def _parse_parameter(path: Path, name: str, body: Any) -> Parameter:
    where = f"{path} : paramètre « {name} »"
    if not isinstance(body, Mapping) or not isinstance(body.get("values"), Mapping):
        raise ParameterError(f"{where} : champ « values » (dates → valeurs) attendu")
    values = []
    for when, entry in body["values"].items():
        day = _date(where, when)
        if not isinstance(entry, Mapping) or "value" not in entry:
            raise ParameterError(f"{where}, date {day} : champ « value » attendu")
        reference = str(entry.get("reference") or "").strip()
        if not reference:
            raise ParameterError(f"{where}, date {day} : champ « reference » (texte légal) attendu")
        values.append(DatedValue(day, entry["value"], reference, str(entry.get("note") or "")))
    values.sort(key=lambda v: v.valid_from)
    return Parameter(
        name=name,
        description=str(body.get("description") or ""),
        unit=str(body.get("unit") or ""),
        values=tuple(values),
    )


def _date(where: str, value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ParameterError(f"{where} : date « {value} » invalide, AAAA-MM-JJ attendu") from None
