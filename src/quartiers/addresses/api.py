"""API « adresse » : un point ou une adresse est-il en QPV (un ou un lot), géocodage."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.params.functions import Query

from quartiers.addresses import services
from quartiers.addresses.geocoder import geocoder_description, min_score
from quartiers.core.geo.geocoding import BanFileError, GeocoderUnavailable, GeocodingError
from quartiers.core.geo.zoning import INVALID_COORDINATES, Unavailability, ZoningUnavailable

router = Router(tags=["QPV"])
geocode_router = Router(tags=["Géocodage"])
MAX_POINTS = services.MAX_POINTS
MAX_ADDRESSES = services.MAX_ADDRESSES
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
    """Un lot, sous l'une de deux formes : `points` (une liste d'éléments {lon, lat} ou
    {address}) ou `lon` et `lat` (deux colonnes de nombres, la forme rapide des scripts)."""

    points: list[PointIn] | None = Field(
        None,
        description=f"au plus {MAX_POINTS} éléments, dont au plus {MAX_ADDRESSES} adresses ; "
        "chaque élément est {lon, lat} ou {address}",
        examples=[[{"lon": 2.3881, "lat": 46.6517}, {"address": ADDRESS_EXAMPLE}]],
    )
    lon: list[float] | None = Field(
        None,
        description=f"forme en colonnes : au plus {MAX_POINTS} longitudes WGS84, avec `lat` ; "
        "la réponse vient alors en colonnes (`columns`)",
        examples=[[1.3987, 2.35]],
    )
    lat: list[float] | None = Field(
        None,
        description="forme en colonnes : les latitudes, dans le même ordre",
        examples=[[43.5803, 48.85]],
    )
    date: dt.date | None = Field(None, description="date de la liste (défaut : aujourd'hui)")
    edition: str | None = None


class LocateBatchOut(Schema):
    count: int
    in_qpv: int
    to_check: int = 0
    errors: int = 0
    results: list[LocationOut]


class LocateColumns(Schema):
    """Une colonne par champ, une valeur par point (dans l'ordre des points reçus)."""

    in_qpv: list[bool]
    qpv_code: list[str | None]
    qpv_name: list[str | None]
    edition: list[str | None]
    distance_m: list[float | None] = Field(
        ..., description="0 dedans ; distance au QPV le plus proche"
    )
    nearest_qpv_code: list[str | None]
    status: list[str] = Field(..., description="in_qpv, outside ou error")
    error: list[str | None]


class LocateColumnsOut(Schema):
    count: int
    in_qpv: int
    to_check: int = 0
    errors: int = 0
    columns: LocateColumns


class ErrorOut(Schema):
    detail: str = Field(..., description="l'erreur, en français")


ERRORS_LOCATE = {404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut}
ERRORS_GEOCODE = {422: ErrorOut, 502: ErrorOut, 503: ErrorOut}


def zoning_http_error(exc: ZoningUnavailable) -> HttpError:
    """Édition inconnue → 404 ; aucune liste en vigueur à la date → 409."""
    status = 404 if exc.reason is Unavailability.UNKNOWN_EDITION else 409
    return HttpError(status, str(exc))


def geocoding_http_error(exc: GeocodingError) -> HttpError:
    """Géocodeur injoignable ou mal configuré → 503 ; réponse refusée ou illisible → 502."""
    if isinstance(exc, (GeocoderUnavailable, BanFileError)):
        return HttpError(503, f"service de géocodage indisponible : {exc}")
    return HttpError(502, f"le service de géocodage a échoué : {exc}")


def _answer(
    items: list[services.LocateItem], date: dt.date | None, edition: str | None
) -> services.LocateBatch:
    try:
        return services.locate_items(items, date, edition)
    except services.BatchTooLarge as exc:
        raise HttpError(413, str(exc)) from exc
    except services.AddressError as exc:
        raise HttpError(422, str(exc)) from exc
    except GeocodingError as exc:
        raise geocoding_http_error(exc) from exc
    except ZoningUnavailable as exc:
        raise zoning_http_error(exc) from exc


@router.get(
    "/locate",
    response={200: LocationOut, **ERRORS_LOCATE, **ERRORS_GEOCODE},
    summary="Un point ou une adresse est-il en QPV ?",
)
def locate_one(
    request: HttpRequest,
    lon: float | None = Query(None, ge=-180, le=180, example=1.3987),
    lat: float | None = Query(None, ge=-90, le=90, example=43.5803),
    address: str | None = Query(
        None, description="adresse en texte libre (géocodée)", example=ADDRESS_EXAMPLE
    ),
    date: dt.date | None = None,
    edition: str | None = None,
) -> dict[str, Any]:
    """QPV contenant le point (`lon`, `lat`) ou l'adresse (`address`) à la date donnée, ou
    distance au plus proche. Une adresse mal reconnue revient `status=to_check` avec la raison."""
    item = services.LocateItem(lon, lat, address)
    error = item.error()
    if error is not None:
        raise HttpError(422, error)
    if address is None and not (-180 <= (lon or 0) <= 180 and -90 <= (lat or 0) <= 90):
        raise HttpError(422, INVALID_COORDINATES)
    return _answer([item], date, edition).results[0]


@router.post(
    "/locate",
    response={200: LocateBatchOut | LocateColumnsOut, **ERRORS_LOCATE, **ERRORS_GEOCODE},
    summary="Localiser un lot de points ou d'adresses",
)
def locate_many(request: HttpRequest, payload: LocateBatchIn) -> Any:
    """Jusqu'à 10 000 éléments par appel, chacun {lon, lat} ou {address} (au plus 1 000
    adresses, géocodées en un seul lot) ; un élément invalide reçoit son erreur sans bloquer
    les autres.

    Forme rapide en colonnes : `{"lon": [...], "lat": [...]}` → `{"count", "in_qpv", …,
    "columns": {"in_qpv": [...], "qpv_code": [...], …}}`, calculée d'un bloc (tableaux NumPy,
    JSON écrit directement, sans objet par point)."""
    if payload.lon is not None or payload.lat is not None:
        if payload.points is not None:
            raise HttpError(
                422, "donnez soit `points`, soit les colonnes `lon` et `lat`, pas les deux"
            )
        return _columns_response(
            payload.lon or [], payload.lat or [], payload.date, payload.edition
        )
    if payload.points is None:
        raise HttpError(
            422, "champ points : valeur requise (ou les colonnes `lon` et `lat` du format rapide)"
        )
    items = [services.LocateItem(p.lon, p.lat, p.address) for p in payload.points]
    batch = _answer(items, payload.date, payload.edition)
    return {**batch.summary, "results": batch.results}


def _columns_response(
    lons: list[float], lats: list[float], date: dt.date | None, edition: str | None
) -> HttpResponse:
    try:
        body = services.locate_columns(lons, lats, date, edition)
    except services.BatchTooLarge as exc:
        raise HttpError(413, str(exc)) from exc
    except ZoningUnavailable as exc:
        raise zoning_http_error(exc) from exc
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")),
        content_type="application/json",
    )


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


@geocode_router.get(
    "",
    response={200: GeocodeAnswer, **ERRORS_GEOCODE},
    summary="Géocoder une adresse (protocole BAN)",
)
def geocode(
    request: HttpRequest,
    q: str = Query(..., description="adresse en texte libre", example=ADDRESS_EXAMPLE),
    limit: int = Query(5, ge=1, le=20, description="nombre de propositions, 1 à 20", example=5),
) -> dict[str, Any]:
    """Propositions du géocodeur configuré (autocomplétion), chacune avec son score, son type et
    l'avis de la politique de confiance (`confident`, `reason`)."""
    try:
        found = services.geocode(q, limit)
    except services.AddressError as exc:
        raise HttpError(422, str(exc)) from exc
    except GeocodingError as exc:
        raise geocoding_http_error(exc) from exc
    results = []
    for suggestion in found:
        row = services.result_dict(suggestion.result) or {}
        row.update(confident=suggestion.confidence.confident, reason=suggestion.confidence.reason)
        results.append(row)
    return {
        "query": q,
        "geocoder": geocoder_description(),
        "min_score": min_score(),
        "results": results,
    }
