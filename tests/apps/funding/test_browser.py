"""Parcours réel dans Chromium : une demande de la saisie à la décision, trois acteurs.

Le porteur saisit et transmet, l'instructrice de l'État instruit et demande des compléments, le
porteur répond, la CAF (cofinanceur) donne son avis et décide, l'État décide : la demande est
« Décidée par les financeurs ». Toute violation de la CSP ou erreur de console fait échouer.
"""

from __future__ import annotations

from typing import Any

import pytest

from quartiers.accounts.models import User

from .conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "mot-de-passe-de-test"


def _login(page: Any, base: str, user: User) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/comptes/connexion/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def _click(page: Any, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).first.click()
    page.wait_for_load_state()


def test_draft_to_decision_with_three_actors(page: Any, live_server: Any, world: World) -> None:
    base = live_server.url
    for user in world.users.values():
        user.set_password(PASSWORD)
        user.save()
    porteur, inst, caf = (
        world.users["applicant"],
        world.users["state_instructor"],
        world.users["funder_agent"],
    )
    year = world.call.year

    _login(page, base, porteur)
    page.goto(f"{base}/financements/mes-demandes")
    page.fill("#title", "Ateliers du mercredi")
    _click(page, "Créer la demande")
    assert "Préambule" in page.content()
    for _ in range(3):  # préambule, critères, structure
        _click(page, "Suivant")
    page.fill("#a1-title", "Lecture")
    page.fill("#a1-objectives", "Donner le goût de lire")
    page.fill("#a1-public", "Enfants")
    page.fill("#a1-qpv_codes", "QN01801M")
    page.fill("#a1-beneficiaries", "25")
    page.fill("#a1-qpv_share", "90")
    page.fill("#a1-starts_on", f"{year}-03-01")
    page.fill("#a1-ends_on", f"{year}-06-30")
    page.fill("#a1-b_60", "1000")
    page.fill("#a1-b_74", "1000")
    page.fill(f"#a1-f_{world.orgs['ddets'].pk}_{year}", "600")
    page.fill(f"#a1-f_{world.orgs['caf'].pk}_{year}", "400")
    _click(page, "Suivant")
    assert "La demande est complète" in page.content(), page.inner_text("main")
    _click(page, "Suivant")
    page.locator("label[for=attest]").click()
    _click(page, "Suivant")
    _click(page, "Transmettre la demande")
    assert page.text_content("#statut") == "Transmise"
    detail_url = page.url

    _login(page, base, inst)
    page.goto(detail_url)
    for label in (
        "Prendre en charge",
        "Déclarer recevable",
        "Mettre en attente d'instruction",
        "Commencer l'instruction",
    ):
        _click(page, label)
    assert page.text_content("#statut") == "En cours d'instruction"
    page.fill("#message", "Merci de joindre le planning.")
    page.fill("#missing_items", "planning")
    _click(page, "Demander des compléments")
    assert page.text_content("#statut") == "Demande de compléments"

    _login(page, base, porteur)
    page.goto(detail_url)
    page.fill("#answer", "Planning : mercredis de 14 h à 16 h.")
    _click(page, "Répondre et renvoyer la demande")
    assert page.text_content("#statut") == "Complétée"

    _login(page, base, caf)
    page.goto(detail_url)
    caf_pk = world.orgs["caf"].pk
    page.fill(f"#score-{caf_pk}-capacite", "4")
    page.fill(f"#score-{caf_pk}-qpv", "5")
    page.fill(f"#comment-{caf_pk}", "Projet solide")
    _click(page, "Donner l'avis")
    assert "CAF 18 : favorable (9 points)" in page.content()
    page.locator("input[name=granted]").first.fill("400")
    _click(page, "Enregistrer la décision")
    assert "Décision de CAF 18 enregistrée" in page.content()

    _login(page, base, inst)
    page.goto(detail_url)
    page.locator("input[name=granted]").first.fill("550")
    _click(page, "Enregistrer la décision")
    assert page.text_content("#statut") == "Décidée par les financeurs"
    history = page.inner_text("#historique")
    assert "a demandé des compléments" in history
    assert "a répondu à la demande de compléments" in history
    assert "a enregistré la décision d'un financeur" in history
