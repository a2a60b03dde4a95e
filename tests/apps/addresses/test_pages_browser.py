"""Parcours dans un vrai Chromium : adresse, attestation, fichier de points, atlas, fiche."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from quartiers import demo
from tests.workers import Workers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
    page.wait_for_selector("#address-map[data-ready='1']")
    assert page.locator("#address-map path.leaflet-interactive").count() >= 2  # quartier + point

    # Attestation imprimable.
    page.get_by_role("link", name="Attestation imprimable").click()
    assert "En QPV" in page.get_by_test_id("attestation-result").inner_text()
    assert "01/03/2025" in page.content()

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
