"""Pages d'erreur françaises au DSFR (DEBUG éteint, comme en production), sans texte de débogage."""

from __future__ import annotations

import pytest
from django.template import loader
from django.test import Client, override_settings

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.apps.web.urls_failing")]

DEBUG_TEXT = ("Traceback", "DEBUG = True", "Using the URLconf", "Page not found", "secret-interne")


@pytest.fixture
def quiet_client() -> Client:
    client = Client(raise_request_exception=False)
    return client


def assert_french_page(body: str, title: str) -> None:
    assert title in body
    assert "fr-header" in body and "fr-footer" in body  # gabarit DSFR commun (web/base.html)
    assert 'lang="fr"' in body
    for text in DEBUG_TEXT:
        assert text not in body, text


def test_404_is_french(quiet_client: Client) -> None:
    response = quiet_client.get("/page-absente")
    assert response.status_code == 404
    assert_french_page(response.content.decode(), "Page non trouvée")
    assert "Content-Security-Policy" in response


def test_500_is_french_and_hides_the_error(quiet_client: Client, caplog) -> None:
    response = quiet_client.get("/boom")
    assert response.status_code == 500
    assert_french_page(response.content.decode(), "Erreur inattendue")
    assert "secret-interne-123" in caplog.text  # le détail va au journal, pas à la page


def test_500_template_renders_without_any_request_context() -> None:
    body = loader.get_template("500.html").render()
    assert_french_page(body, "Erreur inattendue")


def test_400_and_403_are_french(quiet_client: Client) -> None:
    response = quiet_client.get("/suspect")
    assert response.status_code == 400
    assert_french_page(response.content.decode(), "Requête invalide")
    response = quiet_client.get("/interdit")
    assert response.status_code == 403
    assert_french_page(response.content.decode(), "Accès refusé")


def test_csrf_failure_is_french() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/identification/1/edition/", {"edition": "X"})
    assert response.status_code == 403
    assert_french_page(response.content.decode(), "Formulaire expiré")


@override_settings(DEBUG=False)
def test_security_headers_on_pages(quiet_client: Client) -> None:
    response = quiet_client.get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    policy = response["Content-Security-Policy"]
    for directive in ("default-src 'self'", "style-src 'self'", "object-src 'none'"):
        assert directive in policy
    assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
