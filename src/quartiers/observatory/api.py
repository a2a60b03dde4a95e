"""API de l'observatoire : profils, écarts et évolutions d'un quartier, rapports de territoire."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.errors import HttpError

from quartiers.core.indicators.files import Level
from quartiers.observatory import report as reports
from quartiers.observatory import services
from quartiers.observatory.analysis import qpv_trends
from quartiers.zoning.api import ErrorOut

router = Router(tags=["Observatoire"])


@router.get(
    "/profiles/{code}",
    response={200: dict[str, Any], 404: ErrorOut, 422: ErrorOut},
    summary="Indicateurs d'un quartier ou d'un territoire",
)
def profile(request: HttpRequest, code: str, level: str = "qpv") -> dict[str, Any]:
    """Chaque indicateur de chaque millésime importé, avec sa source ; pour un QPV, son rang parmi
    les quartiers du même millésime (en France et dans sa région) et ses écarts aux territoires de
    comparaison. Une valeur `null` (`secret: true`) est un secret statistique, jamais zéro."""
    try:
        chosen = Level(level)
    except ValueError:
        known = ", ".join(x.value for x in Level)
        raise HttpError(422, f"niveau « {level} » inconnu : {known} attendu") from None
    try:
        return services.profile(code, chosen).as_dict()
    except services.ObservatoryError as exc:
        raise HttpError(404, str(exc)) from exc


@router.get(
    "/gaps/{code}",
    response={200: dict[str, Any], 404: ErrorOut},
    summary="Écarts, rangs et évolutions d'un quartier",
)
def gaps(request: HttpRequest, code: str) -> dict[str, Any]:
    """Pour chaque indicateur dont l'écart est suivi : la valeur du quartier, ses rangs (France,
    région), ses écarts à la commune, l'EPCI, l'unité urbaine, le département, la région et la
    France ; puis les évolutions entre deux millésimes (`comparable: false` et `warning` quand
    l'INSEE ne permet pas la comparaison)."""
    try:
        found = services.profile(code)
    except services.ObservatoryError as exc:
        raise HttpError(404, str(exc)) from exc
    places = services.comparison_places(found.code)
    return {
        "code": found.code,
        "name": found.name,
        "region": found.region,
        "gaps": [v.as_dict() for v in found.values if v.comparisons],
        "trends": [t.as_dict() for t in qpv_trends(found.code, places)],
    }


@router.get(
    "/reports",
    response={200: dict[str, Any], 404: ErrorOut, 422: ErrorOut},
    summary="Rapport annuel d'un territoire (tableaux)",
)
def report(request: HttpRequest, territory: str = "fr", year: int | None = None) -> dict[str, Any]:
    """Les tableaux du rapport annuel (`fr`, `reg:76`, `dep:31`, `epci:SIREN`) : par pilier et
    indicateur, chaque QPV avec sa valeur, sa référence, son écart, ses rangs et son évolution ;
    le classement des quartiers. Le PDF se produit en arrière-plan (page `/observatoire/rapport`)."""
    chosen_year = year or dt.date.today().year
    if not 1900 <= chosen_year <= 2100:
        raise HttpError(422, f"année {chosen_year} invalide : entre 1900 et 2100")
    try:
        chosen = reports.parse_territory(territory)
    except services.ObservatoryError as exc:
        raise HttpError(422, str(exc)) from exc
    try:
        return reports.report_dict(reports.build_report(chosen, chosen_year))
    except services.ObservatoryError as exc:
        raise HttpError(404, str(exc)) from exc
