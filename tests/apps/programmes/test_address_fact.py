"""Le simulateur accepte une adresse : géocodée (moteur embarqué de la démo), jamais devinée."""

from __future__ import annotations

import datetime as dt

import pytest

from quartiers import demo
from quartiers.programmes import services

pytestmark = pytest.mark.django_db


def test_address_in_and_out_of_qpv_and_vague_address() -> None:
    demo.build()
    inside = services.with_geocoded_address({"address": "12 Rue Saint-Éloi 18999 Bellerive"})
    outside = services.with_geocoded_address({"address": "4 Place de la Mairie 18999 Bellerive"})
    from quartiers.zoning.services import locate_points

    assert locate_points([inside["lon"]], [inside["lat"]], on=dt.date(2025, 3, 1))[0].in_zoning
    assert not locate_points([outside["lon"]], [outside["lat"]], on=dt.date(2025, 3, 1))[
        0
    ].in_zoning
    with pytest.raises(services.EligibilityError, match="à vérifier"):
        services.with_geocoded_address({"address": "Bellerive"})
