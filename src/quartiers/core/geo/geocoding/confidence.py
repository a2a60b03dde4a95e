"""Politique de confiance : quand un résultat de géocodage permet-il de conclure ?

Un résultat sous le score minimal (paramètre daté `geocoding_min_score`, 0,6 par défaut,
surchargeable par le réglage `QUARTIERS_GEOCODER_MIN_SCORE`) ou moins précis qu'une voie
(lieu-dit, commune) n'est jamais classé en QPV ou hors QPV : il revient « à vérifier » avec
sa raison en français courant (ce qu'elle veut dire, quoi faire), plutôt qu'une réponse sûre
d'elle et fausse.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from quartiers.core.geo.geocoding.base import GeocodeResult, ResultType
from quartiers.core.params import ParameterSet, load_parameters

PARAMETERS_FILE = Path(__file__).with_name("parameters.yaml")
PRECISE_TYPES = frozenset({ResultType.HOUSENUMBER, ResultType.STREET})
TYPE_NAMES = {
    ResultType.HOUSENUMBER: "numéro",
    ResultType.STREET: "voie",
    ResultType.LOCALITY: "lieu-dit",
    ResultType.MUNICIPALITY: "commune",
}


@cache
def parameters() -> ParameterSet:
    return load_parameters(PARAMETERS_FILE)


def default_min_score(on: dt.date | None = None) -> float:
    """Score minimal en vigueur (paramètre daté `geocoding_min_score`)."""
    return float(parameters()["geocoding_min_score"].at(on or dt.date.today()))


@dataclass(frozen=True)
class Confidence:
    """`confident` : on peut localiser le point ; sinon `reason` dit pourquoi vérifier."""

    confident: bool
    reason: str = ""


COARSE_WHAT = {
    ResultType.LOCALITY: "seul le lieu-dit",
    ResultType.MUNICIPALITY: "seule la commune",
}


def assess(result: GeocodeResult | None, min_score: float) -> Confidence:
    """Le résultat suffit-il à classer l'adresse ? Sinon, la raison à montrer à l'usager : ce
    qu'elle veut dire et quoi faire, en français courant (ni score ni type technique)."""
    if result is None:
        return Confidence(
            False,
            "adresse introuvable : aucune adresse connue ne correspond ; vérifiez l'orthographe "
            "de la voie et de la commune",
        )
    if result.result_type not in PRECISE_TYPES:
        what = COARSE_WHAT.get(result.result_type, "seul un lieu approximatif")
        noun = "reconnue" if what.startswith("seule ") else "reconnu"
        return Confidence(
            False,
            f"adresse trop imprécise : {what} « {result.label} » est {noun}, pas la rue ; "
            "précisez le numéro et la voie",
        )
    if result.score < min_score:
        return Confidence(
            False,
            f"adresse reconnue avec un doute : la plus proche, « {result.label} », ne "
            "correspond peut-être pas à votre saisie ; vérifiez l'orthographe ou choisissez "
            "une des propositions",
        )
    return Confidence(True)
