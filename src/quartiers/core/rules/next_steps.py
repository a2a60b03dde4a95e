"""Ce qu'il faut faire ensuite, par dispositif : où et comment demander, la page officielle, le
formulaire. Des données datées et sourcées, dans la section `next_steps` du fichier de paramètres
du dispositif :

    next_steps:
      2022-03-01:
        how: Prendre rendez-vous avec la mission locale ou France Travail…
        where: Mission locale ou agence France Travail
        links:
          - {title: "Contrat d'engagement jeune (service-public.fr)", url: "https://…", kind: page}
          - {title: "Formulaire…", url: "https://…", kind: form}
        reference: Décret n° 2022-199 ; service-public.fr F32700
        checked: 2026-12-01
        note: ""

La démarche en vigueur à une date est la dernière commencée à cette date. Seuls des liens
officiels sont admis (`sources.is_official`) : le fichier qui en cite un autre est refusé.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from quartiers.core.params import TO_CHECK, ParameterError
from quartiers.core.rules.sources import is_official

KINDS = {"page": "Page officielle", "form": "Formulaire", "text": "Texte applicable", "place": "Où"}


@dataclass(frozen=True)
class Link:
    title: str
    url: str
    kind: str = "page"

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""


@dataclass(frozen=True)
class NextSteps:
    valid_from: dt.date
    how: str
    where: str
    links: tuple[Link, ...]
    reference: str
    checked: dt.date
    note: str = ""

    @property
    def to_check(self) -> bool:
        return TO_CHECK in self.note.lower()

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid_from": self.valid_from.isoformat(),
            "how": self.how,
            "where": self.where,
            "links": [{"title": k.title, "url": k.url, "kind": k.kind} for k in self.links],
            "reference": self.reference,
            "checked": self.checked.isoformat(),
            "note": self.note,
            "to_check": self.to_check,
        }


def _date(where: str, value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ParameterError(f"{where} : date « {value} » invalide, AAAA-MM-JJ attendu") from None


def parse_links(where: str, raw_links: Any) -> tuple[Link, ...]:
    """Des liens `{title, url, kind}`, tous officiels (sinon erreur en français)."""
    links = []
    for k, raw in enumerate(raw_links or (), 1):
        if not isinstance(raw, Mapping) or not raw.get("url") or not raw.get("title"):
            raise ParameterError(f"{where}, lien n° {k} : « title » et « url » attendus")
        link = Link(str(raw["title"]), str(raw["url"]), str(raw.get("kind") or "page"))
        if link.kind not in KINDS:
            raise ParameterError(f"{where}, lien n° {k} : type « {link.kind} » inconnu")
        if not link.url.startswith("https://") or not is_official(link.host):
            raise ParameterError(
                f"{where}, lien n° {k} : « {link.url} » n'est pas une source officielle "
                "(les notes de recherche restent dans « note »)"
            )
        links.append(link)
    return tuple(links)


def _entry(where: str, day: dt.date, body: Any) -> NextSteps:
    if not isinstance(body, Mapping):
        raise ParameterError(f"{where} : démarche attendue (how, where, links, reference)")
    for key in ("how", "reference", "checked"):
        if not body.get(key):
            raise ParameterError(f"{where} : champ « {key} » attendu")
    links = parse_links(where, body.get("links"))
    return NextSteps(
        valid_from=day,
        how=str(body["how"]).strip(),
        where=str(body.get("where") or "").strip(),
        links=links,
        reference=str(body["reference"]).strip(),
        checked=_date(f"{where}, checked", body["checked"]),
        note=str(body.get("note") or "").strip(),
    )


def load(path: Path) -> tuple[NextSteps, ...]:
    """Les démarches datées d'un fichier de paramètres (aucune : tuple vide)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    section = raw.get("next_steps") if isinstance(raw, Mapping) else None
    if section is None:
        return ()
    where = f"{path} : next_steps"
    if not isinstance(section, Mapping):
        raise ParameterError(f"{where} : dates → démarches attendues")
    entries = [_entry(f"{where}, {day}", _date(where, day), body) for day, body in section.items()]
    return tuple(sorted(entries, key=lambda e: e.valid_from))


@cache
def for_programme(slug: str) -> tuple[NextSteps, ...]:
    from quartiers.core.rules.registry import parameter_path

    return load(parameter_path(slug))


def at(slug: str, on: dt.date) -> NextSteps | None:
    """La démarche en vigueur à une date, ou None (aucune connue, ou pas encore ouverte)."""
    current = None
    for entry in for_programme(slug):
        if entry.valid_from <= on:
            current = entry
    return current
