"""Le gabarit DSFR : en-tête avec menu mobile, pied de page obligatoire, accueil, pages légales."""

from __future__ import annotations

import html as html_lib

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return html_lib.unescape(response.content.decode())


def test_header_has_the_dsfr_mobile_menu(client: Client) -> None:
    html = text(client, "/")
    assert 'class="fr-header__navbar"' in html
    assert 'aria-controls="modal-menu"' in html and 'id="button-menu"' in html
    assert 'class="fr-header__menu fr-modal" id="modal-menu"' in html
    # Le JavaScript du DSFR y recopie les liens d'outils (comptes) sur mobile.
    assert '<div class="fr-header__menu-links"></div>' in html
    assert 'class="fr-btn--close fr-btn"' in html


def test_footer_links_and_their_pages(client: Client) -> None:
    html = text(client, "/adresse")
    for link in (
        '<a class="fr-footer__bottom-link" href="/accessibilite">Accessibilité : non conforme</a>',
        '<a class="fr-footer__bottom-link" href="/mentions-legales">Mentions légales</a>',
        '<a class="fr-footer__bottom-link" href="/donnees-personnelles">Données personnelles</a>',
    ):
        assert link in html
    assert "Quartiers est non conforme" in text(client, "/accessibilite")
    assert "Défenseur des droits" in text(client, "/accessibilite")
    assert "Éditeur" in text(client, "/mentions-legales")
    personal = text(client, "/donnees-personnelles")
    assert "Cookies" in personal and "7 jours" in personal


def test_home_has_tiles_for_the_main_tasks(client: Client) -> None:
    html = text(client, "/")
    for href in ("/adresse", "/dispositifs/personne/", "/adresse/lot", "/atlas"):
        assert f'<h3 class="fr-tile__title"><a href="{href}">' in html, href
    # Chaque tuile mène à une page qui répond.
    for href in ("/dispositifs/personne/", "/dispositifs/employeur/", "/dispositifs/structure/"):
        assert client.get(href).status_code == 200
