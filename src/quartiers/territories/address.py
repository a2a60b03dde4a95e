"""Vérification d'une adresse : géocodage, politique « à vérifier », localisation à une date.

La page « Mon adresse est-elle en QPV ? », son attestation et l'API passent par `check_address`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from quartiers.core.geo.batch import STATUS_ERROR, STATUS_IN, STATUS_OUT, STATUS_TO_CHECK
from quartiers.core.geo.geocoding import GeocodeResult, GeocodingError, classify
from quartiers.territories.geocoder import geocoder_description, get_geocoder, min_score
from quartiers.territories.models import ZoningLayer
from quartiers.territories.services import Location, ZoningError, layers_in_force, locate_points

MAX_QUERY_LENGTH = 250


@dataclass
class AddressCheck:
    """Le résultat d'une vérification, avec tout ce qu'une attestation doit citer."""

    query: str
    on: dt.date
    checked_at: dt.datetime
    status: str
    reason: str = ""
    result: GeocodeResult | None = None
    location: Location | None = None
    layers: list[ZoningLayer] = field(default_factory=list)
    geocoder: str = ""
    min_score: float = 0.0

    @property
    def is_conclusive(self) -> bool:
        return self.status in (STATUS_IN, STATUS_OUT)

    @property
    def editions(self) -> str:
        return ", ".join(layer.edition for layer in self.layers)


def check_address(query: str, on: dt.date | None = None) -> AddressCheck:
    """Géocode l'adresse, refuse de conclure sur un résultat peu sûr, sinon localise à la date."""
    day = on or timezone.localdate()
    text = " ".join(query.split())[:MAX_QUERY_LENGTH]
    check = AddressCheck(query=text, on=day, checked_at=timezone.now(), status=STATUS_ERROR)
    if len(text) < 3:
        check.reason = "adresse trop courte : saisissez au moins le nom de la voie et la commune"
        return check
    check.layers = layers_in_force(on=day)
    if not check.layers:
        check.reason = (
            f"aucune liste de quartiers prioritaires n'est en vigueur le {day:%d/%m/%Y} "
            "dans cette base"
        )
        return check
    try:
        check.geocoder = geocoder_description()
        check.min_score = min_score()
        found = get_geocoder().search(text, limit=1)
    except GeocodingError as exc:
        check.reason = f"géocodeur indisponible : {exc}"
        return check
    check.result = found[0] if found else None
    verdict = classify(check.result, check.min_score)
    if not verdict.confident:
        check.status, check.reason = STATUS_TO_CHECK, verdict.reason
        if check.result is not None:
            check.location = _locate(check.result, day)
        return check
    assert check.result is not None
    try:
        check.location = _locate(check.result, day)
    except ZoningError as exc:
        check.reason = str(exc)
        return check
    check.status = STATUS_IN if check.location.in_zoning else STATUS_OUT
    return check


def _locate(result: GeocodeResult, day: dt.date) -> Location:
    return locate_points([result.lon], [result.lat], on=day)[0]


def suggest(query: str, limit: int = 6) -> list[GeocodeResult]:
    """Propositions pour l'autocomplétion (vides si le géocodeur ne répond pas)."""
    text = " ".join(query.split())[:MAX_QUERY_LENGTH]
    if len(text) < 3:
        return []
    try:
        return get_geocoder().search(text, limit=limit)
    except GeocodingError:
        return []
