"""Parcours dans un vrai Chromium : adresse, attestation, fichier de points, atlas, fiche."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from quartiers import demo
from tests.workers import Workers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_marker_inside_perimeter(page: Any, map_selector: str) -> None:
    """Le centre du point, à l'écran, tombe dans le polygone dessiné (test de la géométrie SVG
    par le navigateur, pas d'une boîte englobante)."""
    page.locator(map_selector).scroll_into_view_if_needed()
    marker = page.locator(f"{map_selector} path.q-marker").bounding_box()
    assert marker is not None and marker["width"] > 0
    x = marker["x"] + marker["width"] / 2
    y = marker["y"] + marker["height"] / 2
    classes = page.evaluate(
        "([x, y]) => document.elementsFromPoint(x, y).map(e => e.getAttribute('class') || '')",
        [x, y],
    )
    assert any("q-perimeter" in c for c in classes), classes
    box = page.locator(f"{map_selector}").bounding_box()
    assert box["x"] < x < box["x"] + box["width"] and box["y"] < y < box["y"] + box["height"]


def test_address_batch_atlas_and_fiche(
    page: Any, live_server: Any, tmp_path: Path, workers: Workers
) -> None:
    demo.build()
    workers.start("navigateur")
    base = live_server.url

    # Adresse : saisie avec autocomplétion, résultat, carte.
    page.goto(base + "/adresse")
    page.keyboard.press("Tab")  # au clavier : d'abord le lien d'évitement
    assert page.evaluate("document.activeElement.textContent") == "Contenu"
    field = page.get_by_role("combobox", name="Adresse")
    field.click()
    page.keyboard.type("20 avenue des til", delay=20)
    # (pas de wait_for_function : son prédicat passe par eval, que la CSP de la page interdit)
    page.locator("#q-suggestions option").first.wait_for(state="attached", timeout=10_000)
    assert "20 Avenue des Tilleuls" in page.locator("#q-suggestions option").first.get_attribute(
        "value"
    )
    field.fill("20 avenue des Tilleuls Bellerive")
    page.get_by_label("Date de la liste").fill("2025-03-01")
    page.keyboard.press("Enter")
    verdict = page.get_by_test_id("verdict")
    assert "En QPV : QN01801M" in verdict.inner_text()
    # Après l'envoi, le focus est sur le résultat (lecteur d'écran, clavier).
    assert page.evaluate("document.activeElement.id") == "resultat"
    page.wait_for_selector("#address-map[data-ready='1']")
    assert page.locator("#address-map path.leaflet-interactive").count() >= 2  # quartier + point
    assert_marker_inside_perimeter(page, "#address-map")
    # Commandes en français, fond neutre (aucun fond de carte extérieur en test).
    assert page.locator("#address-map .leaflet-control-zoom-in").get_attribute("title") == (
        "Zoom avant"
    )
    assert "q-map--neutral" in (page.locator("#address-map").get_attribute("class") or "")

    # Attestation imprimable et vérifiable : carte, QR code, lien de vérification.
    page.get_by_role("link", name="Attestation imprimable").click()
    assert "En QPV" in page.get_by_test_id("attestation-result").inner_text()
    assert "01/03/2025" in page.content()
    page.wait_for_selector("#attestation-map[data-ready='1']")
    assert_marker_inside_perimeter(page, "#attestation-map")
    qr = page.get_by_test_id("qr-code")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    verify_url = page.get_by_test_id("verify-link").get_attribute("href") or ""
    assert "/attestation/verifier/" in verify_url
    page.get_by_test_id("verify-link").click()
    assert "Attestation valide" in page.get_by_test_id("verification").inner_text()
    token = verify_url.rsplit("/", 1)[1]
    forged = token[:-3] + ("xyz" if not token.endswith("xyz") else "abc")
    response = page.goto(base + "/attestation/verifier/" + forged)
    assert response is not None and response.status == 400
    assert "Attestation altérée" in page.get_by_test_id("verification").inner_text()
    page.quartiers_problems[:] = [  # la page 400 elle-même est voulue
        p for p in page.quartiers_problems if "status of 400" not in p
    ]

    # Fichier d'adresses : envoi, traitement par un vrai travailleur, progression, téléchargement.
    addresses = tmp_path / "beneficiaires.csv"
    addresses.write_text(
        "id;numero;voie;code_postal;commune\n"
        "1;20;avenue des Tilleuls;18999;Bellerive\n"
        "2;10;bd de la Lune;18999;Bellerive\n"
        "3;;;;Bellerive\n",
        "utf-8",
    )
    page.goto(base + "/adresse/lot")
    page.get_by_label("Fichier CSV").set_input_files(str(addresses))
    page.get_by_role("button", name="Envoyer et lancer le traitement").click()
    page.wait_for_selector("#job-result", timeout=60_000)
    assert "1 en QPV, 1 hors QPV, 1 à vérifier, 0 en erreur" in page.content()
    assert (
        "trop imprécis"
        in page.get_by_role("table", name="Lignes en erreur ou à vérifier").inner_text()
    )
    with page.expect_download() as info:
        page.locator("#job-result").click()
    saved = tmp_path / "resultat.csv"
    info.value.save_as(saved)
    rows = [line.split(";") for line in saved.read_text("utf-8").splitlines()]
    header = rows[0]
    assert "geocode_score" in header and header[-2:] == ["status", "status_detail"]
    assert rows[1][header.index("qpv_code")] == "QN01801M"
    assert [r[header.index("status")] for r in rows[1:]] == ["in_qpv", "outside", "to_check"]

    # Atlas : carte de tous les périmètres, filtre, fiche.
    page.goto(base + "/atlas")
    page.wait_for_selector("#atlas-map[data-ready='1']")
    assert page.locator("#atlas-map").get_attribute("data-features") == "4"
    page.get_by_label("Nom ou code du quartier").fill("Aubépines")
    page.get_by_role("button", name="Filtrer").click()
    assert "1 quartier(s)" in page.locator("#atlas-count").inner_text()
    page.get_by_role("link", name="QN01804M").click()
    assert page.locator("h1").inner_text() == "Les Aubépines (territoire fictif)"
    page.wait_for_selector("#qpv-map[data-ready='1']")
    assert "Saint-Aubin-sur-Lune (fictive)" in page.content()


def test_base_map_served_locally_then_offline(page: Any, live_server: Any, settings: Any) -> None:
    """Un fond de carte qui répond s'affiche ; hors ligne (tuiles injoignables), la carte garde
    les périmètres sur fond neutre, sans erreur de script ni message d'erreur sur la page."""
    demo.build()
    base = live_server.url
    url = base + "/adresse?q=20+avenue+des+Tilleuls+Bellerive&date=2025-03-01"
    # Tuiles servies par le serveur local (une image de Leaflet suffit).
    settings.QUARTIERS_MAP_TILES_URL = base + "/static/leaflet/images/layers.png?z={z}&x={x}&y={y}"
    settings.QUARTIERS_MAP_ATTRIBUTION = "Fond de test"
    page.goto(url)
    page.wait_for_selector("#address-map[data-ready='1']")
    page.locator("#address-map img.leaflet-tile-loaded").first.wait_for(state="attached")
    assert "Fond de test" in page.locator("#address-map .leaflet-control-attribution").inner_text()
    assert "q-map--neutral" not in (page.locator("#address-map").get_attribute("class") or "")

    # Hors ligne : le serveur de tuiles ne répond plus (ici, aucune tuile à cette adresse ; la
    # politique de sécurité du contenu n'admet que l'hôte de tuiles déclaré au démarrage).
    settings.QUARTIERS_MAP_TILES_URL = base + "/tuiles-absentes/{z}/{x}/{y}.png"
    page.goto(url)
    page.wait_for_selector("#address-map[data-tiles-failed='1']")
    page.wait_for_selector("#address-map[data-ready='1']")
    assert "q-map--neutral" in (page.locator("#address-map").get_attribute("class") or "")
    assert_marker_inside_perimeter(page, "#address-map")
    assert page.locator(".fr-alert--error").count() == 0
    # Seules les tuiles refusées par le réseau sont dans la console, rien d'autre.
    refused = [p for p in page.quartiers_problems if "status of 404" in p]
    assert refused
    page.quartiers_problems[:] = [p for p in page.quartiers_problems if p not in refused]
