"""Le schéma OpenAPI dit ce que l'API refuse (bornes des paramètres), et le refus reste en
français ; le serveur waitress borne la taille d'un corps de requête (issue 9, §5)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, override_settings

from quartiers.cli.server import SERVER_BODY_MARGIN_BYTES, max_request_body_size

pytestmark = pytest.mark.django_db


def _parameter(spec: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    for parameter in spec["paths"][path]["get"]["parameters"]:
        if parameter["name"] == name:
            return dict(parameter["schema"])
    raise AssertionError(f"{path} : paramètre {name} absent")


def test_the_schema_declares_the_bounds() -> None:
    spec = json.loads(Client().get("/api/v1/openapi.json").content)
    page = _parameter(spec, "/api/v1/qpv", "page")
    assert page["minimum"] == 1 and page["maximum"] == 1_000_000
    limit = _parameter(spec, "/api/v1/geocode", "limit")
    assert (limit["minimum"], limit["maximum"]) == (1, 20)
    lon = _parameter(spec, "/api/v1/zonings/locate", "lon")
    assert (lon["minimum"], lon["maximum"]) == (-180, 180)
    lat = _parameter(spec, "/api/v1/zonings/locate", "lat")
    assert (lat["minimum"], lat["maximum"]) == (-90, 90)
    assert '"maxLength": 5' in json.dumps(_parameter(spec, "/api/v1/zonings/locate", "insee_code"))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/api/v1/qpv?page=-624266", "supérieure ou égale à 1"),
        ("/api/v1/geocode?q=rue&limit=100", "inférieure ou égale à 20"),
        (
            "/api/v1/zonings/locate?lon=300&lat=45",
            "paramètre lon (longitude) : valeur inférieure ou égale à 180 attendue",
        ),
        (
            "/api/v1/qpv/locate?lon=1.4&lat=-95",
            "paramètre lat (latitude) : valeur supérieure ou égale à -90 attendue",
        ),
    ],
)
def test_out_of_bounds_is_refused_in_french(url: str, expected: str) -> None:
    response = Client().get(url)
    assert response.status_code == 422, response.content
    assert expected in response.content.decode()


def test_waitress_body_limit_follows_the_batch_limit() -> None:
    with override_settings(QUARTIERS_BATCH_MAX_BYTES=10_000_000):
        assert max_request_body_size() == 10_000_000 + SERVER_BODY_MARGIN_BYTES
