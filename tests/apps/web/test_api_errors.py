"""Erreurs de l'API : toujours du JSON, toujours en français, avec le chemin du champ fautif."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from quartiers.web.api_errors import field_path, translate_error

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.apps.web.urls_failing")]

ENGLISH = (
    "field required",
    "input should",
    "value is not",
    "cannot parse",
    "not found",
    "method not allowed",
    "unauthorized",
    "forbidden",
    "internal server error",
    "traceback",
    "expecting value",
    "invalid json",
)


def french_json(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    text = json.dumps(body, ensure_ascii=False).lower()
    for phrase in ENGLISH:
        assert phrase not in text, phrase
    return body


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


def test_unknown_api_route_is_french_json(client: Client) -> None:
    for url in ("/api/v1/inconnue", "/api/v2/qpv", "/api/"):
        assert "inconnue" in french_json(client.get(url), 404)["detail"]


def test_wrong_method(client: Client) -> None:
    response = client.delete("/api/v1/qpv/locate")
    body = french_json(response, 405)
    assert "méthode" in body["detail"] and "POST" in body["detail"]
    assert "GET" in response["Allow"]


def test_body_that_is_not_json(client: Client) -> None:
    response = client.post("/api/v1/qpv/locate", "{pas du json", content_type="application/json")
    assert "corps de la requête illisible" in french_json(response, 400)["detail"]


def test_validation_errors_name_the_field_path(client: Client) -> None:
    points = [{"lon": 1, "lat": 2}] * 3 + [{"lon": "est", "lat": 2}]
    response = client.post(
        "/api/v1/qpv/locate", {"points": points, "date": "hier"}, content_type="application/json"
    )
    body = french_json(response, 422)
    assert "champ points[3].lon : nombre attendu" in body["detail"]
    assert "champ date : date attendue au format AAAA-MM-JJ" in body["detail"]
    fields = {e["field"]: e for e in body["errors"]}
    assert fields["points[3].lon"]["location"] == "body"
    assert fields["points[3].lon"]["type"] == "float_parsing"
    missing = french_json(client.post("/api/v1/qpv/locate", {}, "application/json"), 422)
    assert "champ points : valeur requise" in missing["detail"]
    query = french_json(client.get("/api/v1/qpv", {"page": "deux"}), 422)
    assert query["errors"][0]["message"] == "paramètre page : nombre entier attendu"


def test_authentication_errors(client: Client) -> None:
    assert (
        "authentification requise" in french_json(client.get("/api/test/protected"), 401)["detail"]
    )
    ok = client.get("/api/test/protected", headers={"Authorization": "Bearer bon-jeton"})
    assert ok.status_code == 200


def test_unexpected_exception_is_french_500_with_traceback_in_logs(client: Client, caplog) -> None:
    body = french_json(client.get("/api/test/boom"), 500)
    assert "erreur interne" in body["detail"]
    assert "secret-interne" not in json.dumps(body)
    assert "secret-interne-456" in caplog.text and "Traceback" in caplog.text


def test_translation_of_pydantic_errors() -> None:
    assert field_path(["points", 3, "lon"]) == "points[3].lon"
    error = {"loc": ("body", "payload", "facts", "x"), "type": "greater_than", "ctx": {"gt": 0}}
    assert translate_error(error)["message"] == (
        "champ facts.x : valeur strictement supérieure à 0 attendue"
    )
    literal = {
        "loc": ("query", "audience"),
        "type": "literal_error",
        "ctx": {"expected": "'a' or 'b'"},
    }
    assert (
        translate_error(literal)["message"]
        == "paramètre audience : une valeur parmi 'a' ou 'b' attendue"
    )
    unknown = {"loc": ("body", "payload", "x"), "type": "type_encore_inconnu"}
    assert translate_error(unknown)["message"] == "champ x : valeur refusée"


def test_api_docs_reference_no_external_host(client: Client) -> None:
    import re

    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r"""(?:src|href)=["']([^"']+)""", html)
    assert any("swagger-ui-bundle.js" in u for u in urls)
    assert all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    assert "cdn" not in html.lower()
    for url in urls:  # et chacun de ces fichiers est bien servi localement
        assert client.get(url).status_code == 200, url
    settings_json = re.search(r'id="swagger-settings">(.*?)</script>', html, re.S)
    assert settings_json and json.loads(settings_json.group(1))["url"] == "/api/v1/openapi.json"


def test_nul_characters_are_refused_in_french_on_every_database(client: Client) -> None:
    """PostgreSQL refuse U+0000 dans un texte (500) : on le refuse avant, en 400, partout."""
    for response in (
        client.get("/api/v1/qpv", {"q": "a\x00b"}),
        client.get("/api/v1/qpv/QN%00"),
        client.post(
            "/api/v1/qpv/locate",
            '{"points": [{"address": "1 rue\\u0000"}]}',
            content_type="application/json",
        ),
    ):
        assert "caractère nul" in french_json(response, 400)["detail"]
    page = client.get("/atlas", {"q": "\x00"})
    assert page.status_code == 400 and "Requête invalide" in page.content.decode()


def test_openapi_schema_has_no_duplicate_status_codes(client) -> None:
    """Un code déclaré par la route (entier) et ajouté par les erreurs communes (texte) donnait
    deux clés « 422 » : Swagger UI refusait alors tout le schéma (YAMLException)."""
    import json

    duplicates: list[str] = []

    def no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
        keys = [k for k, _ in pairs]
        duplicates.extend(k for k in set(keys) if keys.count(k) > 1)
        return dict(pairs)

    json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=no_duplicates)
    assert duplicates == []
