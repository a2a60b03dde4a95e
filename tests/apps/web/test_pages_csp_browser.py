"""Chaque page publique, dans un vrai Chromium, sous la CSP : aucune violation, aucune erreur.

La surveillance (CSP, console, scripts, hôtes extérieurs) est celle de la fixture `page`
(tests/browser.py) ; ici on parcourt toutes les pages et on vérifie qu'elles ont bien vécu
(cartes dessinées, Swagger UI affiché) sous une CSP stricte.
"""

from __future__ import annotations

from typing import Any

import pytest

from quartiers import demo
from tests.browser import page_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    ("/", "Quartiers"),
    ("/adresse", "Mon adresse est-elle en QPV ?"),
    ("/adresse?q=20+avenue+des+Tilleuls+Bellerive&date=2025-03-01", "Résultat"),
    ("/adresse/attestation?q=20+avenue+des+Tilleuls+Bellerive&date=2025-03-01", "QR code"),
    ("/adresse/lot", "Fichier"),
    ("/atlas", "Atlas"),
    ("/qpv/QN01801M", "QN01801M"),
    ("/identification/", "Identification"),
    ("/dispositifs/", "Dispositifs"),
    ("/dispositifs/personne/", "Simulateur"),
    (
        "/dispositifs/personne/?resultats=1&date=2025-06-01&lon=2.388&lat=46.654",
        "Conditions",
    ),
    ("/accessibilite", "non conforme"),
    ("/mentions-legales", "Mentions légales"),
    ("/donnees-personnelles", "Données personnelles"),
    ("/page-qui-n-existe-pas", "Page non trouvée"),
]
# Chromium signale en console toute réponse 404, même voulue : seule excuse admise, sur cette page.
EXPECTED_404 = "the server responded with a status of 404"


def test_every_public_page_passes_the_csp(page: Any, live_server: Any) -> None:
    demo.build()
    base = live_server.url
    for path, expected in PAGES:
        response = page.goto(base + path)
        assert response is not None
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self' 'nonce-" in policy, (path, policy)
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
        page.wait_for_load_state("networkidle")
        assert expected in page.content(), path
        problems = page_problems(page)
        if path == "/page-qui-n-existe-pas":
            problems = [p for p in problems if EXPECTED_404 not in p]
            page.quartiers_problems.clear()
        assert not problems, (path, problems)
    # Les cartes Leaflet ont été dessinées malgré l'interdiction des styles en ligne.
    page.goto(base + "/atlas")
    page.wait_for_selector("#atlas-map[data-ready='1']")
    assert page.locator("#atlas-map path.leaflet-interactive").count() >= 1


def test_api_docs_work_offline_under_the_csp(page: Any, live_server: Any) -> None:
    response = page.goto(live_server.url + "/api/docs")
    assert response is not None and response.ok
    assert "content-security-policy" in response.headers
    # Swagger UI, servi localement, a lu le schéma et affiché les opérations.
    page.wait_for_selector(".opblock", timeout=20_000)
    assert page.locator(".opblock").count() >= 5
    assert "API Quartiers" in page.content()
    assert not page_problems(page), page_problems(page)
