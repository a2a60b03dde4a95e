"""Labels, programmes et subventions qui ne sont pas des droits individuels (quartiers d'été,
campus connectés, cités de l'emploi…) : un simulateur ne peut pas les calculer, la page
`/dispositifs/` les présente avec ce qu'ils sont et où en savoir plus.

Les données sont dans `labels.yaml`, à côté : une entrée par dispositif, datée et sourcée. Seuls
des liens officiels sont admis (`sources.is_official`, comme pour les démarches) : le fichier qui
en cite un autre est refusé ; les sources de recherche restent dans « note ».
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from quartiers.core.params import TO_CHECK, ParameterError
from quartiers.core.rules.next_steps import Link, parse_links

LABELS_PATH = Path(__file__).resolve().parent / "labels.yaml"
KINDS = {
    "label": "Label d'un territoire",
    "subvention": "Subvention à des projets",
    "programme": "Programme national",
    "engagement": "Engagement volontaire",
}
REQUIRED = ("slug", "title", "kind", "since", "what", "who", "reference", "checked")


@dataclass(frozen=True)
class NonIndividual:
    """Un dispositif qui n'est pas un droit individuel : ce qu'il est, pour qui, où s'informer."""

    slug: str
    title: str
    kind: str
    since: dt.date
    what: str
    who: str
    where: str
    links: tuple[Link, ...]
    reference: str
    checked: dt.date
    note: str = ""

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def to_check(self) -> bool:
        return TO_CHECK in self.note.lower()


def _date(where: str, value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ParameterError(f"{where} : date « {value} » invalide, AAAA-MM-JJ attendu") from None


def _entry(where: str, raw: Any) -> NonIndividual:
    if not isinstance(raw, Mapping):
        raise ParameterError(f"{where} : dispositif attendu ({', '.join(REQUIRED)})")
    for key in REQUIRED:
        if not raw.get(key):
            raise ParameterError(f"{where} : champ « {key} » attendu")
    kind = str(raw["kind"])
    if kind not in KINDS:
        raise ParameterError(f"{where} : type « {kind} » inconnu ; attendus : {', '.join(KINDS)}")
    return NonIndividual(
        slug=str(raw["slug"]),
        title=str(raw["title"]).strip(),
        kind=kind,
        since=_date(f"{where}, since", raw["since"]),
        what=" ".join(str(raw["what"]).split()),
        who=" ".join(str(raw["who"]).split()),
        where=str(raw.get("where") or "").strip(),
        links=parse_links(where, raw.get("links")),
        reference=str(raw["reference"]).strip(),
        checked=_date(f"{where}, checked", raw["checked"]),
        note=str(raw.get("note") or "").strip(),
    )


def load(path: Path = LABELS_PATH) -> tuple[NonIndividual, ...]:
    """Les dispositifs non individuels d'un fichier, dans son ordre (erreur en français sinon)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    section = raw.get("labels") if isinstance(raw, Mapping) else None
    if not isinstance(section, list):
        raise ParameterError(f"{path} : liste « labels » attendue")
    entries = tuple(_entry(f"{path}, n° {k}", item) for k, item in enumerate(section, 1))
    seen: set[str] = set()
    for entry in entries:
        if entry.slug in seen:
            raise ParameterError(f"{path} : « {entry.slug} » en double")
        seen.add(entry.slug)
    return entries


@cache
def all_labels() -> tuple[NonIndividual, ...]:
    return load()
