"""Le questionnaire « personne » dans un vrai navigateur, sur le territoire de démonstration."""

from __future__ import annotations

from typing import Any

import pytest

from quartiers import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_person_questionnaire_shows_verdicts(page: Any, live_server: Any) -> None:
    demo.build()  # géographie et adresses fictives du géocodeur embarqué
    page.goto(live_server.url + "/dispositifs/")
    page.click("#questionnaire-personne")
    page.fill("#f-date", "2025-06-01")
    page.fill("#f-birth_date", "2004-03-01")
    # Le domicile par son adresse (avec propositions) : Les Tilleuls (démo), QPV de la liste 2024.
    assert page.locator("#f-lon").count() == 0  # plus de coordonnées à saisir
    page.fill("#f-adresse", "20 avenue des Tilleuls Bellerive")
    page.select_option("#f-employment_status", "jobseeker")
    page.click("#continuer")
    # Deuxième étape : seules les questions encore utiles.
    assert page.locator("#q-birth_date").count() == 0
    page.select_option("#f-household_tax_situation", "not_taxed")
    page.click("label[for=f-receives_incompatible_benefit-non]")
    page.click("#voir-resultats")
    cej = page.locator("#resultat-contrat_engagement_jeune")
    assert "Éligible" in cej.text_content()
    assert "561,68" in cej.text_content()
    cites = page.locator("#resultat-cites_educatives").text_content()
    assert "QN01801M" in cites and "Réponses manquantes" in cites
    pass_colo = page.locator("#resultat-pass_colo").text_content()
    assert "Non éligible" in pass_colo
    assert page.locator(".fr-badge--warning", has_text="à vérifier").count() > 0
