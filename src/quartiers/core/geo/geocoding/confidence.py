"""Politique de confiance : quand un résultat de géocodage permet-il de conclure ?

Un résultat sous le score minimal (paramètre daté `geocoding_min_score`, 0,6 par défaut,
surchargeable par le réglage `QUARTIERS_GEOCODER_MIN_SCORE`) ou plus grossier qu'une rue
(lieu-dit, commune) n'est jamais classé en QPV ou hors QPV : il revient « à vérifier » avec
sa raison en français, plutôt qu'une réponse sûre d'elle et fausse.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from quartiers.core.fr import number
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


def assess(result: GeocodeResult | None, min_score: float) -> Confidence:
    """Le résultat suffit-il à classer l'adresse ? Sinon, la raison à montrer à l'usager."""
    if result is None:
        return Confidence(False, "adresse introuvable : le géocodeur ne propose aucun résultat")
    if result.result_type not in PRECISE_TYPES:
        kind = TYPE_NAMES.get(result.result_type, str(result.result_type))
        return Confidence(
            False,
            f"résultat trop imprécis ({kind} « {result.label} ») : plus grossier qu'une rue, "
            "il ne permet pas de conclure ; précisez la voie et le numéro",
        )
    if result.score < min_score:
        return Confidence(
            False,
            f"géocodage peu sûr : score {number(result.score, 2)} sous le seuil "
            f"{number(min_score, 2)} (meilleure proposition : « {result.label} »)",
        )
    return Confidence(True)
