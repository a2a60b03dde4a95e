"""Le menu mobile du DSFR dans un vrai Chromium : bouton « Menu », fenêtre, liens recopiés."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_mobile_burger_menu(page: Any, live_server: Any) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server.url + "/")
    nav_link = page.locator("#menu-principal").get_by_role("link", name="Atlas")
    assert not nav_link.is_visible()  # sur mobile, le menu est replié
    page.get_by_role("button", name="Menu").click()
    page.wait_for_selector("#modal-menu.fr-modal--opened")
    assert nav_link.is_visible()
    # Le DSFR a recopié les liens d'outils de l'en-tête dans le menu.
    assert page.locator(".fr-header__menu-links").get_by_text("Se connecter").is_visible()
    page.locator("#modal-menu").get_by_role("button", name="Fermer").click()
    page.wait_for_selector("#modal-menu.fr-modal--opened", state="detached")
    nav_link.wait_for(state="hidden")
    # Tuile de l'accueil : toute la tuile est cliquable et mène à la vérification d'adresse.
    page.get_by_role("link", name="Mon adresse est-elle en QPV ?").last.click()
    assert page.url.endswith("/adresse")
