"""Cas d'usage « adresse » : géocoder, vérifier une adresse ou un lot, un fichier CSV.

Les pages (adresse, attestation, lots), l'API, la ligne de commande et le simulateur de
dispositifs passent tous par ici :

- `geocode(q, limit)` : propositions du géocodeur, chacune avec l'avis de la politique de
  confiance (autocomplétion, API `/geocode`) ;
- `confident_position(address)` : le meilleur résultat s'il est assez sûr pour classer ;
- `locate_address(address, on=…, edition=…)` → `AddressCheck` (statut `in_qpv`, `outside` ou
  `to_check` avec sa raison, géocodage, localisation, listes consultées) ;
- `locate_addresses([...])` : la même chose pour un lot (un seul appel au géocodeur) ;
- `check_addresses(fichier, sortie, …)` : fichier CSV d'adresses géocodé puis localisé.

Erreurs (chaque porte les formule) : `AddressError` (demande invalide), `GeocodingError` /
`GeocoderUnavailable` (géocodeur en échec / injoignable), `ZoningUnavailable` (aucune liste).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone

from quartiers.addresses.geocoder import geocoder_description, get_geocoder, min_score
from quartiers.core.geo.address_batch import check_addresses_file
from quartiers.core.geo.batch import (
    STATUS_ERROR,
    STATUS_IN,
    STATUS_OUT,
    STATUS_TO_CHECK,
    BatchSummary,
    ProgressFn,
)
from quartiers.core.geo.geocoding import Confidence, GeocodeResult, assess
from quartiers.core.geo.zoning import INVALID_COORDINATES, EditionLike, Location
from quartiers.zoning.services import locator

MAX_QUERY_LENGTH = 200
MAX_SUGGESTIONS = 20


class AddressError(ValueError):
    """Demande d'adresse invalide (vide, trop longue) ; message en français."""


def clean_address(address: str | None) -> str:
    """L'adresse sans espaces superflus ; `AddressError` si vide ou trop longue."""
    text = " ".join((address or "").split())
    if len(text) < 3:
        raise AddressError("adresse vide ou trop courte : indiquez au moins la voie et la commune")
    if len(text) > MAX_QUERY_LENGTH:
        raise AddressError(
            f"adresse trop longue ({len(text)} caractères) : au plus {MAX_QUERY_LENGTH}"
        )
    return text


def result_dict(result: GeocodeResult | None) -> dict[str, Any] | None:
    """Un résultat de géocodage en dictionnaire (API, pages)."""
    if result is None:
        return None
    return {
        "label": result.label,
        "score": round(result.score, 4),
        "type": str(result.result_type),
        "lon": result.lon,
        "lat": result.lat,
        "insee_code": result.insee_code,
        "postcode": result.postcode,
        "city": result.city,
    }


@dataclass(frozen=True)
class Suggestion:
    """Une proposition du géocodeur et l'avis de la politique de confiance."""

    result: GeocodeResult
    confidence: Confidence


def geocode(q: str, limit: int = 5) -> list[Suggestion]:
    """Propositions du géocodeur configuré pour un texte libre (autocomplétion)."""
    text = clean_address(q)
    if not 1 <= limit <= MAX_SUGGESTIONS:
        raise AddressError(f"limit doit être compris entre 1 et {MAX_SUGGESTIONS}")
    threshold = min_score()
    return [Suggestion(r, assess(r, threshold)) for r in get_geocoder().search(text, limit=limit)]


def confident_position(address: str) -> tuple[GeocodeResult | None, Confidence]:
    """Le meilleur résultat du géocodeur et l'avis de confiance : un seul endroit décide."""
    found = get_geocoder().search(clean_address(address), limit=1)
    best = found[0] if found else None
    return best, assess(best, min_score())


@dataclass(frozen=True)
class AddressCheck:
    """Vérification d'une adresse : statut, raison, géocodage, localisation, listes consultées —
    tout ce qu'une attestation doit citer."""

    query: str
    on: dt.date
    status: str  # in_qpv, outside, to_check
    status_detail: str
    geocode: GeocodeResult | None
    location: Location | None
    checked_at: dt.datetime
    geocoder: str
    min_score: float
    editions: tuple[EditionLike, ...] = field(default=())

    @property
    def in_qpv(self) -> bool:
        return self.status == STATUS_IN

    @property
    def is_conclusive(self) -> bool:
        return self.status in (STATUS_IN, STATUS_OUT)

    def as_dict(self) -> dict[str, Any]:
        loc = self.location.as_dict() if self.location is not None else {}
        return {
            **{k: v for k, v in loc.items() if k not in ("status", "status_detail")},
            "address": self.query,
            "status": self.status,
            "status_detail": self.status_detail,
            "geocode": result_dict(self.geocode),
            "lon": loc.get("lon", self.geocode.lon if self.geocode else None),
            "lat": loc.get("lat", self.geocode.lat if self.geocode else None),
            "in_qpv": self.in_qpv,
            "insee_codes": loc.get("insee_codes", []),
            "commune_names": loc.get("commune_names", []),
            "checked_at": self.checked_at.isoformat(timespec="seconds"),
            "geocoder": self.geocoder,
            "min_score": self.min_score,
        }


def _checks(
    addresses: Sequence[str],
    results: Sequence[GeocodeResult | None],
    on: dt.date | None,
    edition: str | None,
) -> list[AddressCheck]:
    day = on or timezone.localdate()
    threshold = min_score()
    where = locator()
    chosen = tuple(where.select(day, edition))
    confidences = [assess(r, threshold) for r in results]
    confident = [i for i, c in enumerate(confidences) if c.confident]
    points = [r for i in confident if (r := results[i]) is not None]
    located = (
        where.locate([p.lon for p in points], [p.lat for p in points], day, edition)
        if points
        else []
    )
    by_index = dict(zip(confident, located, strict=True))
    now = timezone.now()
    engine = geocoder_description()
    out = []
    for i, address in enumerate(addresses):
        location = by_index.get(i)
        if location is None:
            status, detail = STATUS_TO_CHECK, confidences[i].reason
        else:
            status, detail = location.status.value, location.detail
        out.append(
            AddressCheck(
                address, day, status, detail, results[i], location, now, engine, threshold, chosen
            )
        )
    return out


def locate_address(
    address: str, on: dt.date | None = None, edition: str | None = None
) -> AddressCheck:
    """Une adresse est-elle en QPV à une date ? Géocodage, politique de confiance, localisation."""
    text = clean_address(address)
    found = get_geocoder().search(text, limit=1)
    return _checks([text], [found[0] if found else None], on, edition)[0]


def locate_addresses(
    addresses: Sequence[str], on: dt.date | None = None, edition: str | None = None
) -> list[AddressCheck]:
    """Un lot d'adresses, un seul appel au géocodeur."""
    texts = [clean_address(a) for a in addresses]
    results = get_geocoder().search_many(texts) if texts else []
    return _checks(texts, results, on, edition)


def check_addresses(
    in_path: str | Path,
    out_path: str | Path,
    address_columns: Sequence[str] | None = None,
    on: dt.date | None = None,
    edition: str | None = None,
    progress: ProgressFn | None = None,
    chunk_size: int | None = None,
    workers: int | None = None,
) -> BatchSummary:
    """Fichier CSV d'adresses → même fichier avec géocodage, QPV et statut de chaque ligne.

    Avec un serveur HTTP, les lots partent en parallèle vers `/search/csv/`.
    """
    geocoder = get_geocoder()
    concurrency = workers or int(getattr(geocoder, "max_concurrency", 1))
    size = chunk_size or (500 if getattr(geocoder, "supports_csv", False) else 2000)
    return check_addresses_file(
        in_path,
        out_path,
        geocoder.search_many,
        locator().snapshot(on, edition).locate,
        min_score(),
        address_columns=address_columns,
        chunk_size=size,
        workers=concurrency,
        progress=progress,
    )


__all__ = [
    "STATUS_ERROR",
    "STATUS_IN",
    "STATUS_OUT",
    "STATUS_TO_CHECK",
    "AddressCheck",
    "AddressError",
    "Suggestion",
    "check_addresses",
    "clean_address",
    "confident_position",
    "geocode",
    "locate_address",
    "locate_addresses",
    "result_dict",
]


# --------------------------------------------------------------------------- lots mixtes
MAX_POINTS = 10_000
MAX_ADDRESSES = 1_000


@dataclass(frozen=True)
class LocateItem:
    """Un élément d'un lot : des coordonnées, ou une adresse (jamais les deux)."""

    lon: float | None = None
    lat: float | None = None
    address: str | None = None

    def error(self) -> str | None:
        has_point = self.lon is not None or self.lat is not None
        if self.address is not None and has_point:
            return (
                "donnez soit une adresse (address), soit des coordonnées (lon, lat), pas les deux"
            )
        if self.address is not None:
            try:
                clean_address(self.address)
            except AddressError as exc:
                return str(exc)
            return None
        if self.lon is None or self.lat is None:
            return "attendus : une adresse (address), ou bien des coordonnées (lon et lat)"
        return None


class BatchTooLarge(ValueError):
    """Lot refusé d'un bloc : trop d'éléments ou trop d'adresses (données : compte et limite)."""

    def __init__(self, count: int, limit: int, what: str) -> None:
        self.count, self.limit, self.what = count, limit, what
        super().__init__(f"{count} {what} envoyé(e)s : au plus {limit} par appel")


@dataclass
class LocateBatch:
    results: list[dict[str, Any]]

    @property
    def summary(self) -> dict[str, int]:
        rows = self.results
        return {
            "count": len(rows),
            "in_qpv": sum(1 for r in rows if r["in_qpv"]),
            "to_check": sum(1 for r in rows if r.get("status") == STATUS_TO_CHECK),
            "errors": sum(1 for r in rows if r.get("status") == STATUS_ERROR),
        }


def locate_items(
    items: Sequence[LocateItem], on: dt.date | None = None, edition: str | None = None
) -> LocateBatch:
    """Un lot de points et d'adresses : les adresses géocodées en un seul appel, les points en un
    passage d'index ; un élément invalide reçoit son erreur sans bloquer les autres."""
    if len(items) > MAX_POINTS:
        raise BatchTooLarge(len(items), MAX_POINTS, "éléments")
    n_addresses = sum(1 for item in items if item.address is not None)
    if n_addresses > MAX_ADDRESSES:
        raise BatchTooLarge(n_addresses, MAX_ADDRESSES, "adresses")
    results: list[dict[str, Any] | None] = [None] * len(items)
    point_rows: list[int] = []
    address_rows: list[int] = []
    for i, item in enumerate(items):
        error = item.error()
        if error is not None:
            results[i] = {
                "lon": item.lon,
                "lat": item.lat,
                "in_qpv": False,
                "address": item.address,
                "status": STATUS_ERROR,
                "status_detail": error,
                "error": error,
            }
        elif item.address is not None:
            address_rows.append(i)
        else:
            point_rows.append(i)
    if point_rows:
        located = locator().locate(
            [float(items[i].lon or 0.0) for i in point_rows],
            [float(items[i].lat or 0.0) for i in point_rows],
            on,
            edition,
        )
        for i, location in zip(point_rows, located, strict=True):
            results[i] = location.as_dict()
    if address_rows:
        checked = locate_addresses([str(items[i].address) for i in address_rows], on, edition)
        for i, check in zip(address_rows, checked, strict=True):
            results[i] = check.as_dict()
    return LocateBatch([r for r in results if r is not None])


def locate_columns(
    lons: Sequence[float],
    lats: Sequence[float],
    on: dt.date | None = None,
    edition: str | None = None,
) -> dict[str, Any]:
    """Lot en colonnes (API rapide) : tableaux NumPy, un passage d'index, une colonne par champ.

    Colonnes de longueurs différentes : les points sans leur paire reçoivent leur erreur ;
    coordonnées hors bornes ou non finies : leur erreur, sans bloquer les autres."""
    import numpy as np

    count = max(len(lons), len(lats))
    if count > MAX_POINTS:
        raise BatchTooLarge(count, MAX_POINTS, "points")
    x = np.full(count, np.nan)
    y = np.full(count, np.nan)
    x[: len(lons)] = np.asarray(lons, dtype=np.float64)
    y[: len(lats)] = np.asarray(lats, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        good = np.isfinite(x) & np.isfinite(y) & (np.abs(x) <= 180) & (np.abs(y) <= 90)
    rows = np.flatnonzero(good)
    located = locator().locate(x[rows], y[rows], on, edition) if len(rows) else []
    in_qpv = [False] * count
    code: list[str | None] = [None] * count
    name: list[str | None] = [None] * count
    edition_col: list[str | None] = [None] * count
    distance: list[float | None] = [None] * count
    nearest: list[str | None] = [None] * count
    status = [STATUS_ERROR] * count
    error: list[str | None] = [None] * count
    for i, loc in zip(rows.tolist(), located, strict=True):
        inside = loc.in_zoning
        in_qpv[i] = inside
        code[i] = loc.code
        name[i] = loc.name
        edition_col[i] = loc.edition
        distance[i] = loc.distance_m
        nearest[i] = loc.nearest_code
        status[i] = loc.status.value
        error[i] = loc.error
    for i in np.flatnonzero(~good).tolist():
        if i >= len(lons) or i >= len(lats):
            error[i] = "longitude ou latitude absente : `lon` et `lat` de même longueur attendues"
        else:
            error[i] = INVALID_COORDINATES
    n_in = sum(in_qpv)
    n_errors = status.count(STATUS_ERROR)
    return {
        "count": count,
        "in_qpv": n_in,
        "to_check": 0,
        "errors": n_errors,
        "columns": {
            "in_qpv": in_qpv,
            "qpv_code": code,
            "qpv_name": name,
            "edition": edition_col,
            "distance_m": distance,
            "nearest_qpv_code": nearest,
            "status": status,
            "error": error,
        },
    }
