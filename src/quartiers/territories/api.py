"""API des zonages QPV : localisation (un point ou un lot), liste, fiche GeoJSON."""

from __future__ import annotations

import datetime as dt
from typing import Any

import shapely
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from quartiers.territories import services

router = Router(tags=["QPV"])
MAX_POINTS = 10_000


class LocationOut(Schema):
    lon: float
    lat: float
    in_qpv: bool
    qpv_code: str | None = None
    qpv_name: str | None = None
    edition: str | None = None
    insee_codes: list[str] = []
    commune_names: list[str] = []
    distance_m: float | None = Field(None, description="0 dedans ; distance au QPV le plus proche")
    nearest_qpv_code: str | None = None
    nearest_qpv_name: str | None = None
    error: str | None = None


class PointIn(Schema):
    lon: float = Field(..., examples=[1.3987])
    lat: float = Field(..., examples=[43.5803])


class LocateBatchIn(Schema):
    points: list[PointIn] = Field(..., description=f"au plus {MAX_POINTS} points")
    date: dt.date | None = Field(None, description="date de la liste (défaut : aujourd'hui)")
    edition: str | None = None


class LocateBatchOut(Schema):
    count: int
    in_qpv: int
    results: list[LocationOut]


class PerimeterOut(Schema):
    code: str
    name: str
    edition: str
    department_code: str
    insee_codes: list[str]
    commune_names: list[str]
    population: int | None
    area_ha: float


class PerimeterPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[PerimeterOut]


def _locate(
    lons: list[float], lats: list[float], date: dt.date | None, edition: str | None
) -> list[dict[str, Any]]:
    try:
        return [
            loc.as_dict() for loc in services.locate_points(lons, lats, on=date, edition=edition)
        ]
    except services.ZoningError as exc:
        raise HttpError(404 if edition else 409, str(exc)) from exc


@router.get("/locate", response=LocationOut, summary="Un point est-il en QPV ?")
def locate_one(
    request: HttpRequest,
    lon: float = Query(..., examples=[1.3987]),
    lat: float = Query(..., examples=[43.5803]),
    date: dt.date | None = None,
    edition: str | None = None,
) -> dict[str, Any]:
    """QPV contenant le point à la date donnée, ou distance au plus proche."""
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise HttpError(
            422,
            "coordonnées invalides : longitude entre -180 et 180, "
            "latitude entre -90 et 90 attendues",
        )
    return _locate([lon], [lat], date, edition)[0]


@router.post("/locate", response=LocateBatchOut, summary="Localiser un lot de points")
def locate_many(request: HttpRequest, payload: LocateBatchIn) -> dict[str, Any]:
    """Jusqu'à 10 000 points par appel ; un point invalide reçoit son erreur sans bloquer les autres."""
    if len(payload.points) > MAX_POINTS:
        raise HttpError(
            413, f"{len(payload.points)} points envoyés : au plus {MAX_POINTS} par appel"
        )
    results = _locate(
        [p.lon for p in payload.points],
        [p.lat for p in payload.points],
        payload.date,
        payload.edition,
    )
    return {"count": len(results), "in_qpv": sum(r["in_qpv"] for r in results), "results": results}


@router.get("", response=PerimeterPage, summary="Lister les QPV")
def list_qpv(
    request: HttpRequest,
    department: str | None = None,
    insee_code: str | None = None,
    edition: str | None = None,
    date: dt.date | None = None,
    q: str | None = None,
    page: int = 1,
    page_size: int = 100,
) -> dict[str, Any]:
    """Filtres : département, commune, édition ou date, recherche par nom ou code."""
    if page < 1 or not 1 <= page_size <= 1000:
        raise HttpError(422, "page ≥ 1 et page_size entre 1 et 1000 attendus")
    try:
        qs = services.perimeters(
            edition=edition, on=date, department=department, insee_code=insee_code, search=q
        )
    except services.ZoningError as exc:
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
        "edition": p.layer.edition,
        "department_code": p.department_code,
        "insee_codes": p.insee_codes,
        "commune_names": p.commune_names,
        "population": p.population,
        "area_ha": round(p.area_m2 / 10_000, 2),
    }


@router.get("/{code}", summary="Fiche d'un QPV (Feature GeoJSON)")
def qpv_feature(request: HttpRequest, code: str, edition: str | None = None) -> dict[str, Any]:
    """Le périmètre en GeoJSON (WGS84) avec ses attributs."""
    try:
        p = services.perimeter_by_code(code, edition)
    except services.ZoningError as exc:
        raise HttpError(404, str(exc)) from exc
    geom = shapely.from_wkb(bytes(p.geometry_wkb))
    return {
        "type": "Feature",
        "id": p.code,
        "properties": _perimeter_out(p),
        "geometry": shapely.geometry.mapping(geom),
    }
