"""Le questionnaire « personne » dans un vrai navigateur, sur le territoire de démonstration :
une étape par thème, le domicile par son adresse seulement, le résumé d'abord."""

from __future__ import annotations

from typing import Any

import pytest

from quartiers import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_person_questionnaire_by_address_only(page: Any, live_server: Any) -> None:
    demo.build()  # géographie et adresses fictives du géocodeur embarqué
    page.goto(live_server.url + "/dispositifs/")
    page.click("#questionnaire-personne")
    assert "Étape 1 sur" in page.locator(".fr-stepper").text_content()
    page.fill("#f-date", "2025-06-01")
    page.fill("#f-birth_date", "2004-03-01")
    assert page.locator("#f-adresse").count() == 0  # un thème par écran
    page.click("#continuer")
    themes = []
    for _ in range(10):
        if page.locator("#continuer").count() == 0:
            break
        themes.append(page.locator(".fr-stepper__title").text_content())
        assert page.locator("#f-lon").count() == 0  # jamais de coordonnées à saisir
        if page.locator("#f-adresse").count():
            # Le domicile par son adresse (avec propositions) : Les Tilleuls, QPV de la liste 2024.
            page.fill("#f-adresse", "20 avenue des Tilleuls Bellerive")
        if page.locator("#f-employment_status").count():
            page.select_option("#f-employment_status", "jobseeker")
        if page.locator("#f-household_tax_situation").count():
            page.select_option("#f-household_tax_situation", "not_taxed")
        if page.locator("label[for=f-receives_incompatible_benefit-non]").count():
            page.click("label[for=f-receives_incompatible_benefit-non]")
        page.click("#continuer")  # le reste : « je ne sais pas »
    assert any("Votre logement" in t for t in themes) and len(themes) >= 3
    assert page.locator("#q-birth_date").count() == 0
    summary = page.locator("#resume").text_content()
    assert "aide" in summary and "Contrat d'engagement jeune" in summary and "€/mois" in summary
    cej = page.locator("#resultat-contrat_engagement_jeune")
    assert "Éligible" in cej.text_content() and "561,68" in cej.text_content()
    assert cej.locator("text=Que faire ?").is_visible()
    assert not cej.locator("table").is_visible()  # le détail reste replié
    cej.locator("summary").click()
    assert cej.locator("table").is_visible()
    cites = page.locator("#resultat-cites_educatives").text_content()
    assert "QN01801M" in cites
    assert page.locator(".fr-badge--warning", has_text="à vérifier").count() > 0
