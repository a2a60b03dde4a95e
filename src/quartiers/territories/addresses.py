"""Cas d'usage « adresse » : géocoder, vérifier une adresse, un lot, un fichier CSV.

Les pages web, l'API et la ligne de commande passent toutes par ici :

- `geocode(q, limit)` : propositions du géocodeur (autocomplétion, API `/geocode`) ;
- `locate_address(address, on=…, edition=…)` → `AddressCheck` (statut `in_qpv`, `outside`
  ou `to_check` avec sa raison, résultat du géocodage, QPV ou distance au plus proche) ;
- `locate_addresses([...])` : la même chose pour un lot (un seul appel au géocodeur) ;
- `check_addresses(fichier, sortie, …)` : fichier CSV d'adresses géocodé puis localisé.

Erreurs : `AddressError` (demande invalide, message français), `GeocodingError` /
`GeocoderUnavailable` (géocodeur en échec / injoignable), `ZoningError` (pas de liste en vigueur).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quartiers.core.geo.address_batch import check_addresses_file
from quartiers.core.geo.batch import (
    STATUS_IN,
    STATUS_OUT,
    STATUS_TO_CHECK,
    BatchSummary,
    ProgressFn,
)
from quartiers.core.geo.geocoding import GeocodeResult, Verdict, classify
from quartiers.territories.geocoder import geocoder_description, get_geocoder, min_score
from quartiers.territories.services import Location, locate_points, point_locator

MAX_QUERY_LENGTH = 200


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


def geocode(q: str, limit: int = 5) -> list[GeocodeResult]:
    """Propositions du géocodeur configuré pour un texte libre (autocomplétion)."""
    text = clean_address(q)
    if not 1 <= limit <= 20:
        raise AddressError("limit doit être compris entre 1 et 20")
    return get_geocoder().search(text, limit=limit)


@dataclass(frozen=True)
class AddressCheck:
    """Vérification d'une adresse : le statut, sa raison, le géocodage et la localisation."""

    address: str
    status: str  # in_qpv, outside, to_check
    status_detail: str
    geocode: GeocodeResult | None
    location: Location | None
    checked_at: dt.datetime
    geocoder: str
    min_score: float

    @property
    def in_qpv(self) -> bool:
        return self.status == STATUS_IN

    def as_dict(self) -> dict[str, Any]:
        loc = self.location.as_dict() if self.location is not None else {}
        return {
            "address": self.address,
            "status": self.status,
            "status_detail": self.status_detail,
            "geocode": result_dict(self.geocode),
            "lon": loc.get("lon", self.geocode.lon if self.geocode else None),
            "lat": loc.get("lat", self.geocode.lat if self.geocode else None),
            "in_qpv": self.in_qpv,
            "qpv_code": loc.get("qpv_code"),
            "qpv_name": loc.get("qpv_name"),
            "edition": loc.get("edition"),
            "insee_codes": loc.get("insee_codes", []),
            "commune_names": loc.get("commune_names", []),
            "distance_m": loc.get("distance_m"),
            "nearest_qpv_code": loc.get("nearest_qpv_code"),
            "nearest_qpv_name": loc.get("nearest_qpv_name"),
            "error": loc.get("error"),
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
    threshold = min_score()
    verdicts: list[Verdict] = [classify(r, threshold) for r in results]
    confident = [i for i, v in enumerate(verdicts) if v.confident]
    points = [r for i in confident if (r := results[i]) is not None]
    located = (
        locate_points([p.lon for p in points], [p.lat for p in points], on=on, edition=edition)
        if points
        else []
    )
    by_index = dict(zip(confident, located, strict=True))
    now = dt.datetime.now(dt.UTC)
    engine = geocoder_description()
    out = []
    for i, address in enumerate(addresses):
        location = by_index.get(i)
        if location is None:
            status, detail = STATUS_TO_CHECK, verdicts[i].reason
        elif location.in_zoning:
            status, detail = STATUS_IN, ""
        else:
            status = STATUS_OUT
            detail = (
                f"hors QPV, le plus proche à {location.distance_m:.0f} m"
                if location.distance_m is not None
                else "hors QPV"
            )
        out.append(
            AddressCheck(address, status, detail, results[i], location, now, engine, threshold)
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
    """Un lot d'adresses (déjà nettoyées par `clean_address`), un seul appel au géocodeur."""
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
        point_locator(on, edition),
        min_score(),
        address_columns=address_columns,
        chunk_size=size,
        workers=concurrency,
        progress=progress,
    )


__all__ = [
    "STATUS_IN",
    "STATUS_OUT",
    "STATUS_TO_CHECK",
    "AddressCheck",
    "AddressError",
    "check_addresses",
    "clean_address",
    "geocode",
    "locate_address",
    "locate_addresses",
    "result_dict",
]
