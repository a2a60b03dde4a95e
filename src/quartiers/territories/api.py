"""API des zonages QPV : localisation (un point ou un lot), liste, fiche GeoJSON."""

from __future__ import annotations

import datetime as dt
from typing import Any

import shapely
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from quartiers.core.geo.geocoding import BanFileError, GeocoderUnavailable, GeocodingError
from quartiers.territories import addresses, services

router = Router(tags=["QPV"])
geocode_router = Router(tags=["Géocodage"])
MAX_POINTS = 10_000
MAX_ADDRESSES = 1_000
MAX_PAGE = 1_000_000  # au-delà, le décalage SQL dépasserait les entiers de la base
ADDRESS_EXAMPLE = "12 rue Saint-Éloi 18999 Bellerive"


class GeocodeOut(Schema):
    label: str = Field(..., examples=["12 Rue Saint-Éloi 18999 Bellerive (fictive)"])
    score: float = Field(..., description="confiance du géocodeur, de 0 à 1", examples=[0.93])
    type: str = Field(
        ..., description="housenumber, street, locality ou municipality", examples=["housenumber"]
    )
    lon: float
    lat: float
    insee_code: str = ""
    postcode: str = ""
    city: str = ""


class LocationOut(Schema):
    lon: float | None
    lat: float | None
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
    address: str | None = Field(None, description="adresse demandée (recherche par adresse)")
    status: str = Field(
        "outside",
        description="in_qpv, outside, to_check (géocodage trop peu sûr : voir status_detail) "
        "ou error",
    )
    status_detail: str = ""
    geocode: GeocodeOut | None = Field(None, description="meilleur résultat du géocodeur")


class PointIn(Schema):
    """Un élément : des coordonnées {lon, lat} OU une adresse {address}."""

    lon: float | None = Field(None, examples=[1.3987])
    lat: float | None = Field(None, examples=[43.5803])
    address: str | None = Field(None, examples=[ADDRESS_EXAMPLE])


class LocateBatchIn(Schema):
    points: list[PointIn] = Field(
        ...,
        description=f"au plus {MAX_POINTS} éléments, dont au plus {MAX_ADDRESSES} adresses ; "
        "chaque élément est {lon, lat} ou {address}",
        examples=[[{"lon": 2.3881, "lat": 46.6517}, {"address": ADDRESS_EXAMPLE}]],
    )
    date: dt.date | None = Field(None, description="date de la liste (défaut : aujourd'hui)")
    edition: str | None = None


class LocateBatchOut(Schema):
    count: int
    in_qpv: int
    to_check: int = 0
    errors: int = 0
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


def _point_dict(loc: services.Location) -> dict[str, Any]:
    out = loc.as_dict()
    out["status"] = "error" if loc.error else ("in_qpv" if loc.in_zoning else "outside")
    out["status_detail"] = loc.error or ""
    return out


def _locate(
    lons: list[float], lats: list[float], date: dt.date | None, edition: str | None
) -> list[dict[str, Any]]:
    try:
        return [
            _point_dict(loc) for loc in services.locate_points(lons, lats, on=date, edition=edition)
        ]
    except services.ZoningError as exc:
        raise HttpError(404 if edition else 409, str(exc)) from exc


def geocoding_http_error(exc: GeocodingError) -> HttpError:
    """Géocodeur injoignable ou mal configuré → 503 ; réponse refusée ou illisible → 502."""
    if isinstance(exc, (GeocoderUnavailable, BanFileError)):
        return HttpError(503, f"service de géocodage indisponible : {exc}")
    return HttpError(502, f"le service de géocodage a échoué : {exc}")


def _locate_addresses(
    texts: list[str], date: dt.date | None, edition: str | None
) -> list[dict[str, Any]]:
    try:
        return [c.as_dict() for c in addresses.locate_addresses(texts, on=date, edition=edition)]
    except addresses.AddressError as exc:
        raise HttpError(422, str(exc)) from exc
    except GeocodingError as exc:
        raise geocoding_http_error(exc) from exc
    except services.ZoningError as exc:
        raise HttpError(404 if edition else 409, str(exc)) from exc


COORDINATES_ERROR = (
    "coordonnées invalides : longitude entre -180 et 180, latitude entre -90 et 90 attendues"
)


@router.get("/locate", response=LocationOut, summary="Un point ou une adresse est-il en QPV ?")
def locate_one(
    request: HttpRequest,
    lon: float | None = Query(None, examples=[1.3987]),
    lat: float | None = Query(None, examples=[43.5803]),
    address: str | None = Query(
        None, description="adresse en texte libre (géocodée)", examples=[ADDRESS_EXAMPLE]
    ),
    date: dt.date | None = None,
    edition: str | None = None,
) -> dict[str, Any]:
    """QPV contenant le point (`lon`, `lat`) ou l'adresse (`address`) à la date donnée, ou
    distance au plus proche. Une adresse mal reconnue revient `status=to_check` avec la raison."""
    has_point = lon is not None or lat is not None
    if address is not None and has_point:
        raise HttpError(422, "donnez soit une adresse (address), soit des coordonnées (lon, lat)")
    if address is not None:
        return _locate_addresses([address], date, edition)[0]
    if lon is None or lat is None:
        raise HttpError(422, "paramètres attendus : address, ou bien lon et lat")
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise HttpError(422, COORDINATES_ERROR)
    return _locate([lon], [lat], date, edition)[0]


def _item_error(item: PointIn) -> str | None:
    has_point = item.lon is not None or item.lat is not None
    if item.address is not None and has_point:
        return "élément invalide : soit address, soit lon et lat, pas les deux"
    if item.address is not None:
        try:
            addresses.clean_address(item.address)
        except addresses.AddressError as exc:
            return str(exc)
        return None
    if item.lon is None or item.lat is None:
        return "élément invalide : address, ou bien lon et lat, attendus"
    return None


@router.post("/locate", response=LocateBatchOut, summary="Localiser un lot de points ou d'adresses")
def locate_many(request: HttpRequest, payload: LocateBatchIn) -> dict[str, Any]:
    """Jusqu'à 10 000 éléments par appel, chacun {lon, lat} ou {address} (au plus 1 000
    adresses, géocodées en un seul lot) ; un élément invalide reçoit son erreur sans bloquer
    les autres."""
    items = payload.points
    if len(items) > MAX_POINTS:
        raise HttpError(413, f"{len(items)} éléments envoyés : au plus {MAX_POINTS} par appel")
    n_addresses = sum(1 for p in items if p.address is not None)
    if n_addresses > MAX_ADDRESSES:
        raise HttpError(413, f"{n_addresses} adresses envoyées : au plus {MAX_ADDRESSES} par appel")
    results: list[dict[str, Any] | None] = [None] * len(items)
    point_rows: list[int] = []
    address_rows: list[int] = []
    for i, item in enumerate(items):
        error = _item_error(item)
        if error is not None:
            results[i] = {
                "lon": item.lon if item.lon is not None else float("nan"),
                "lat": item.lat if item.lat is not None else float("nan"),
                "in_qpv": False,
                "address": item.address,
                "status": "error",
                "status_detail": error,
                "error": error,
            }
        elif item.address is not None:
            address_rows.append(i)
        else:
            point_rows.append(i)
    if point_rows:
        located = _locate(
            [float(items[i].lon or 0.0) for i in point_rows],
            [float(items[i].lat or 0.0) for i in point_rows],
            payload.date,
            payload.edition,
        )
        for i, row in zip(point_rows, located, strict=True):
            results[i] = row
    if address_rows:
        checked = _locate_addresses(
            [str(items[i].address) for i in address_rows], payload.date, payload.edition
        )
        for i, row in zip(address_rows, checked, strict=True):
            results[i] = row
    rows = [r for r in results if r is not None]
    for row in rows:  # NaN n'est pas du JSON : coordonnées absentes → null
        for k in ("lon", "lat"):
            if isinstance(row.get(k), float) and row[k] != row[k]:
                row[k] = None
    return {
        "count": len(rows),
        "in_qpv": sum(1 for r in rows if r["in_qpv"]),
        "to_check": sum(1 for r in rows if r.get("status") == "to_check"),
        "errors": sum(1 for r in rows if r.get("status") == "error"),
        "results": rows,
    }


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
    if not 1 <= page <= MAX_PAGE or not 1 <= page_size <= 1000:
        raise HttpError(422, f"page entre 1 et {MAX_PAGE} et page_size entre 1 et 1000 attendus")
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


class GeocodeResultOut(GeocodeOut):
    confident: bool = Field(
        ..., description="assez sûr pour classer l'adresse (score et précision suffisants)"
    )
    reason: str = Field("", description="pourquoi l'adresse serait « à vérifier »")


class GeocodeAnswer(Schema):
    query: str
    geocoder: str = Field(..., description="moteur utilisé (serveur addok/BAN ou fichier BAN)")
    min_score: float = Field(..., description="score minimal pour classer une adresse")
    results: list[GeocodeResultOut]


@geocode_router.get("", response=GeocodeAnswer, summary="Géocoder une adresse (protocole BAN)")
def geocode(
    request: HttpRequest,
    q: str = Query(..., description="adresse en texte libre", examples=[ADDRESS_EXAMPLE]),
    limit: int = Query(5, description="nombre de propositions, 1 à 20", examples=[5]),
) -> dict[str, Any]:
    """Propositions du géocodeur configuré (autocomplétion), chacune avec son score, son type et
    l'avis de la politique de confiance (`confident`, `reason`)."""
    from quartiers.core.geo.geocoding import classify
    from quartiers.territories.geocoder import geocoder_description, min_score

    try:
        found = addresses.geocode(q, limit)
    except addresses.AddressError as exc:
        raise HttpError(422, str(exc)) from exc
    except GeocodingError as exc:
        raise geocoding_http_error(exc) from exc
    threshold = min_score()
    results = []
    for result in found:
        verdict = classify(result, threshold)
        row = addresses.result_dict(result) or {}
        row.update(confident=verdict.confident, reason=verdict.reason)
        results.append(row)
    return {
        "query": q,
        "geocoder": geocoder_description(),
        "min_score": threshold,
        "results": results,
    }
