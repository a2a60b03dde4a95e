"""Le catalogue des dispositifs et leurs paramètres (un fichier YAML par dispositif)."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from quartiers.core.params import ParameterSet, load_parameters
from quartiers.core.rules.evaluation import Programme, evaluate_programme
from quartiers.core.rules.qpv import QpvResolver
from quartiers.core.rules.results import ProgrammeResult

PARAMETERS_DIR = Path(__file__).resolve().parent / "parameters"

SLUGS = (
    "emplois_francs",
    "adultes_relais",
    "aide_apprentissage",
    "epide",
    "e2c",
    "contrat_engagement_jeune",
    "pacea",
    "prepa_apprentissage",
    "parrainage",
    "colos_apprenantes",
    "pass_colo",
    "cordees_reussite",
    "prepas_talents",
    "cites_educatives",
    "reussite_educative",
    "fonjep",
    "tfpb_abattement",
    "exoneration_commerces_qpv",
    "zfu_te",
)
AUDIENCES = {
    "person": "Une personne",
    "employer": "Un employeur qui embauche",
    "structure": "Une structure (association, bailleur, commerce)",
}


class UnknownProgramme(KeyError):
    def __str__(self) -> str:
        return f"dispositif inconnu « {self.args[0]} » ; connus : {', '.join(SLUGS)}"


@cache
def programmes() -> tuple[Programme, ...]:
    found = []
    for slug in SLUGS:
        module = importlib.import_module(f"quartiers.core.rules.programmes.{slug}")
        programme = module.PROGRAMME
        assert isinstance(programme, Programme)
        found.append(programme)
    return tuple(found)


def programme(slug: str) -> Programme:
    for p in programmes():
        if p.slug == slug:
            return p
    raise UnknownProgramme(slug)


def parameter_path(slug: str) -> Path:
    return PARAMETERS_DIR / f"{slug}.yaml"


@cache
def parameters_for(slug: str) -> ParameterSet:
    """Paramètres d'un dispositif, lus une fois (le fichier YAML fait foi)."""
    return load_parameters(parameter_path(slug))


def select(slugs: Iterable[str] | None = None, audience: str | None = None) -> list[Programme]:
    if audience is not None and audience not in AUDIENCES:
        raise ValueError(f"public « {audience} » inconnu ; attendus : {', '.join(AUDIENCES)}")
    chosen = [programme(s) for s in slugs] if slugs else list(programmes())
    if audience:
        chosen = [p for p in chosen if audience in p.audiences]
    return chosen


def evaluate(
    facts: Mapping[str, Any],
    on: dt.date,
    resolver: QpvResolver | None = None,
    slugs: Iterable[str] | None = None,
    audience: str | None = None,
    stop_on_failure: bool = False,
) -> list[ProgrammeResult]:
    """Tous les dispositifs demandés (par défaut : tous), pour des faits typés, à une date."""
    return [
        evaluate_programme(p, facts, on, parameters_for(p.slug), resolver, stop_on_failure)
        for p in select(slugs, audience)
    ]
