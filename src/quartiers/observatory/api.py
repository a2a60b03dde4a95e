"""API de l'observatoire : le profil chiffré d'un territoire (valeurs, rangs, écarts, sources)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from quartiers.core.indicators.files import Level
from quartiers.observatory import services

router = Router(tags=["Observatoire"])


@router.get("/profiles/{code}", summary="Indicateurs d'un quartier ou d'un territoire")
def profile(request: HttpRequest, code: str, level: str = "qpv") -> dict[str, Any]:
    """Chaque indicateur de chaque millésime importé, avec sa source ; pour un QPV, son rang parmi
    les quartiers du même millésime et ses écarts aux territoires de comparaison. Une valeur
    `null` (`secret: true`) est un secret statistique, jamais zéro."""
    try:
        chosen = Level(level)
    except ValueError:
        known = ", ".join(x.value for x in Level)
        raise HttpError(422, f"niveau « {level} » inconnu : {known} attendu") from None
    try:
        return services.profile(code, chosen).as_dict()
    except services.ObservatoryError as exc:
        raise HttpError(404, str(exc)) from exc
