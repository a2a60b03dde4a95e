"""La vérification d'une adresse telle que la page et l'attestation la montrent.

Le géocodage, la politique « à vérifier » et la localisation sont ceux de
`territories.addresses.locate_address` (les mêmes que l'API et la ligne de commande) ; on y
ajoute la date de référence, les listes en vigueur ce jour-là et les refus expliqués.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from quartiers.core.geo.batch import STATUS_ERROR, STATUS_IN, STATUS_OUT, STATUS_TO_CHECK
from quartiers.core.geo.geocoding import GeocodeResult, GeocodingError
from quartiers.territories.addresses import AddressError, locate_address
from quartiers.territories.models import ZoningLayer
from quartiers.territories.services import Location, ZoningError, layers_in_force

MAX_QUERY_LENGTH = 200


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
        checked = locate_address(text, on=day)
    except (GeocodingError, ZoningError, AddressError) as exc:
        check.reason = f"vérification impossible : {exc}"
        return check
    check.status, check.result, check.location = checked.status, checked.geocode, checked.location
    check.geocoder, check.min_score = checked.geocoder, checked.min_score
    if check.status == STATUS_TO_CHECK:
        check.reason = checked.status_detail
    return check
