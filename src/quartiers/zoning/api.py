"""API des zonages : liste paginée des QPV, fiche d'un périmètre en GeoJSON."""

from __future__ import annotations

import datetime as dt
from typing import Any

import shapely
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.params.functions import Query

from quartiers.core.geo.zoning import ZoningUnavailable
from quartiers.zoning import services

router = Router(tags=["QPV"])
zonings_router = Router(tags=["Zonages"])
MAX_PAGE = 1_000_000  # au-delà, le décalage SQL dépasserait les entiers de la base


class PerimeterOut(Schema):
    code: str
    name: str
    edition: str
    department_code: str
    insee_codes: list[str]
    commune_names: list[str]
    population: int | None
    area_ha: float


class ErrorOut(Schema):
    detail: str = Field(..., description="l'erreur, en français")


class PerimeterPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[PerimeterOut]


@router.get(
    "",
    response={200: PerimeterPage, 404: ErrorOut, 422: ErrorOut},
    summary="Lister les QPV",
)
def list_qpv(
    request: HttpRequest,
    department: str | None = None,
    insee_code: str | None = None,
    edition: str | None = None,
    date: dt.date | None = None,
    q: str | None = None,
    page: int = Query(1, ge=1, le=MAX_PAGE),
    page_size: int = Query(100, ge=1, le=1000),
) -> dict[str, Any]:
    """Filtres : département, commune, édition ou date, recherche par nom ou code."""
    if not 1 <= page <= MAX_PAGE or not 1 <= page_size <= 1000:
        raise HttpError(422, f"page entre 1 et {MAX_PAGE} et page_size entre 1 et 1000 attendus")
    try:
        qs = services.perimeters(
            edition=edition, on=date, department=department, insee_code=insee_code, search=q
        )
    except (services.ZoningError, ZoningUnavailable) as exc:
        raise HttpError(404, str(exc)) from exc
    total = qs.count()
    rows = qs[(page - 1) * page_size : page * page_size]
    return {
        "count": total,
        "page": page,
        "page_size": page_size,
        "results": [_perimeter_out(p) for p in rows],
    }


def _perimeter_out(p: Any) -> dict[str, Any]:
    return {
        "code": p.code,
        "name": p.name,
        "edition": p.zoning_edition.edition,
        "department_code": p.department_code,
        "insee_codes": p.insee_codes,
        "commune_names": p.commune_names,
        "population": p.population,
        "area_ha": round(p.area_m2 / 10_000, 2),
    }


@router.get(
    "/{code}",
    response={200: dict[str, Any], 404: ErrorOut},
    summary="Fiche d'un QPV (Feature GeoJSON)",
)
def qpv_feature(request: HttpRequest, code: str, edition: str | None = None) -> dict[str, Any]:
    """Le périmètre en GeoJSON (WGS84) avec ses attributs."""
    try:
        p = services.perimeter_by_code(code, edition)
    except (services.ZoningError, ZoningUnavailable) as exc:
        raise HttpError(404, str(exc)) from exc
    geom = shapely.from_wkb(bytes(p.geometry_wkb))
    return {
        "type": "Feature",
        "id": p.code,
        "properties": _perimeter_out(p),
        "geometry": shapely.geometry.mapping(geom),
    }


class ZoningHitOut(Schema):
    zoning_kind: str = Field(..., description="qpv, zfu_te, qrr ou zrr")
    edition: str
    code: str = Field(..., description="code du périmètre, ou code INSEE de la commune (ZRR)")
    name: str
    status: str = Field("", description="ZRR : C (classée) ou PC (partiellement classée)")
    detail: str = ""


class SchoolOut(Schema):
    uai: str
    name: str
    network: str = Field(..., description="REP ou REP+")
    edition: str
    lon: float
    lat: float
    distance_m: float


class ZoningsOut(Schema):
    lon: float
    lat: float
    date: dt.date
    zonings: list[ZoningHitOut]
    nearest_rep_school: SchoolOut | None
    consulted: dict[str, str] = Field(..., description="zonage → listes consultées et réponse")
    unavailable: dict[str, str] = Field(
        ..., description="zonage → pourquoi il ne peut pas répondre (aucune liste, à vérifier)"
    )
    insee_codes: list[str]


@zonings_router.get(
    "/locate",
    response={200: ZoningsOut, 422: ErrorOut},
    summary="Tous les zonages d'un point à une date",
)
def locate_zonings(
    request: HttpRequest,
    lon: float = Query(..., ge=-180, le=180, example=1.3987),
    lat: float = Query(..., ge=-90, le=90, example=43.5803),
    date: dt.date | None = None,
    insee_code: str | None = Query(None, max_length=5),
) -> dict[str, Any]:
    """QPV, ZFU-TE, quartiers de reconquête républicaine (périmètres), ZRR (par la commune :
    contours chargés, ou `insee_code`) en vigueur à la date (défaut : ce jour), et l'école
    REP / REP+ la plus proche avec sa distance."""
    from quartiers.core.geo.zoning import INVALID_COORDINATES, valid_coordinates
    from quartiers.zoning.catalogue import locate_all

    if not valid_coordinates(lon, lat):
        raise HttpError(422, INVALID_COORDINATES)
    if insee_code is not None and len(insee_code) > 5:
        raise HttpError(422, "insee_code : code INSEE de 5 caractères attendu")
    return locate_all(lon, lat, date, insee_code).as_dict()
