"""Les paramètres d'une identification : valeurs datées du YAML, surchargeables pour simuler.

Chaque valeur vient de `parameters.yaml` (décret n° 2014-767, décret n° 2014-1575, choix de
méthode signalés comme tels) ; une simulation « et si » remplace une valeur par son nom
(`with_overrides({"median_share": "0.65"})`) et la surcharge est gardée pour l'explication.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from quartiers.core.params import ParameterError, ParameterSet, load_parameters

PARAMETERS_FILE = Path(__file__).with_name("parameters.yaml")

DECIMAL_FIELDS = (
    "median_share",
    "national_weight",
    "urban_unit_weight",
    "large_urban_unit_national_weight",
    "large_urban_unit_weight",
    "candidate_margin",
    "poor_share_min",
    "persons_per_household",
    "overseas_metro_weight",
    "overseas_department_weight",
    "mayotte_cutoff",
)
INT_FIELDS = (
    "large_urban_unit_population",
    "threshold_rounding",
    "urban_unit_min_population",
    "urban_unit_population_rounding",
    "quartier_min_population",
    "contiguity",
    "bridge_cells",
    "trim_max_passes",
    "overseas_commune_min_population",
    "overseas_min_density",
    "guyane_cutoff",
    "polynesie_cutoff",
    "guadeloupe_cutoff",
    "saint_martin_cutoff",
    "overseas_census_commune_min_population",
    "overseas_census_urban_area_min_population",
    "guadeloupe_min_density",
    "polynesie_min_density",
    "polynesie_urban_pole_min_jobs",
)
BOOL_FIELDS = ("absorb_enclaves",)


@lru_cache(maxsize=1)
def parameter_set() -> ParameterSet:
    """Le fichier de paramètres livré avec le paquet."""
    return load_parameters(PARAMETERS_FILE)


@dataclass(frozen=True)
class IdentificationParameters:
    """Valeurs en vigueur à une date, avec leurs références et les surcharges éventuelles."""

    on: dt.date
    median_share: Decimal
    national_weight: Decimal
    urban_unit_weight: Decimal
    large_urban_unit_national_weight: Decimal
    large_urban_unit_weight: Decimal
    large_urban_unit_population: int
    threshold_rounding: int
    urban_unit_min_population: int
    urban_unit_population_rounding: int
    quartier_min_population: int
    contiguity: int
    bridge_cells: int
    absorb_enclaves: bool
    candidate_margin: Decimal
    trim_max_passes: int
    poor_share_min: Decimal
    persons_per_household: Decimal
    overseas_metro_weight: Decimal
    overseas_department_weight: Decimal
    overseas_commune_min_population: int
    overseas_min_density: int
    guyane_cutoff: int
    polynesie_cutoff: int
    guadeloupe_cutoff: int
    saint_martin_cutoff: int
    mayotte_cutoff: Decimal
    overseas_census_commune_min_population: int
    overseas_census_urban_area_min_population: int
    guadeloupe_min_density: int
    polynesie_min_density: int
    polynesie_urban_pole_min_jobs: int
    references: Mapping[str, str] = field(default_factory=dict)
    to_check: tuple[str, ...] = ()
    overrides: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def at(
        cls, on: dt.date | None = None, overrides: Mapping[str, object] | None = None
    ) -> IdentificationParameters:
        """Les paramètres en vigueur le jour `on` (aujourd'hui par défaut), puis les surcharges."""
        day = on or dt.date.today()
        params = parameter_set()
        values: dict[str, object] = {}
        references: dict[str, str] = {}
        to_check: list[str] = []
        for name in DECIMAL_FIELDS + INT_FIELDS + BOOL_FIELDS:
            entry = params[name].entry_at(day)
            values[name] = _convert(name, entry.value)
            references[name] = entry.reference
            if entry.to_check:
                to_check.append(name)
        base = cls(on=day, references=references, to_check=tuple(to_check), **values)  # type: ignore[arg-type]
        return base.with_overrides(overrides or {})

    def with_overrides(self, overrides: Mapping[str, object]) -> IdentificationParameters:
        """Copie avec des valeurs remplacées (simulation) ; nom inconnu ou valeur invalide refusés."""
        if not overrides:
            return self
        known = set(DECIMAL_FIELDS + INT_FIELDS + BOOL_FIELDS)
        changes: dict[str, object] = {}
        for name, raw in overrides.items():
            if name not in known:
                raise ParameterError(
                    f"paramètre « {name} » inconnu ; connus : {', '.join(sorted(known))}"
                )
            changes[name] = _convert(name, raw)
        if "contiguity" in changes and changes["contiguity"] not in (4, 8):
            raise ParameterError("paramètre « contiguity » : 4 ou 8 attendu")
        merged = dict(self.overrides)
        merged.update({k: str(v) for k, v in overrides.items()})
        return dataclasses.replace(self, overrides=merged, **changes)  # type: ignore[arg-type]

    def describe(self) -> list[tuple[str, str, str, bool]]:
        """(nom, valeur, référence, surchargé) pour les rapports."""
        rows = []
        for name in DECIMAL_FIELDS + INT_FIELDS + BOOL_FIELDS:
            overridden = name in self.overrides
            ref = "valeur modifiée pour la simulation" if overridden else self.references[name]
            if name in self.to_check and not overridden:
                ref += " (à vérifier)"
            rows.append((name, str(getattr(self, name)), ref, overridden))
        return rows


def _convert(name: str, raw: object) -> object:
    text = str(raw).strip()
    try:
        if name in BOOL_FIELDS:
            lowered = text.lower()
            if lowered in ("true", "1", "oui", "vrai", "yes"):
                return True
            if lowered in ("false", "0", "non", "faux", "no"):
                return False
            raise ValueError(text)
        if name in INT_FIELDS:
            return int(Decimal(text.replace(",", ".")))
        return Decimal(text.replace(",", "."))
    except (ValueError, InvalidOperation):
        kind = (
            "booléen (true/false)"
            if name in BOOL_FIELDS
            else "entier"
            if name in INT_FIELDS
            else "nombre"
        )
        raise ParameterError(f"paramètre « {name} » : {kind} attendu, lu « {text} »") from None


def parse_overrides(items: list[str] | None) -> dict[str, str]:
    """`["median_share=0.65", "contiguity=8"]` → dictionnaire ; erreur française sinon."""
    result: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ParameterError(f"« {item} » : forme nom=valeur attendue (ex. median_share=0.65)")
        result[name.strip()] = value.strip()
    return result
