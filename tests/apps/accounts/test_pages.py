"""Pages des comptes : connexion par courriel, mot de passe oublié par un vrai serveur SMTP,
« Mon compte » (jetons), démonstration, en-tête, gabarits sans script ni style en ligne."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from quartiers.accounts import services
from quartiers.accounts.models import ApiToken, User

pytestmark = pytest.mark.django_db
LOGIN = "/comptes/connexion/"
TEMPLATES = Path(__file__).resolve().parents[3] / "src" / "quartiers" / "accounts" / "templates"


@pytest.fixture
def user() -> User:
    return User.objects.create_user(
        "Nadia.Benali@example.org", "mot-de-passe-initial", "Nadia Benali"
    )


def test_login_by_email_any_case_rotates_the_session(user: User) -> None:
    client = Client()
    page = client.get(LOGIN).content.decode()
    assert "Adresse électronique" in page and "Se connecter" in page
    client.get("/")
    before = client.cookies.get("sessionid")
    response = client.post(
        LOGIN, {"username": "NADIA.benali@EXAMPLE.org", "password": "mot-de-passe-initial"}
    )
    assert response.status_code == 302 and response["Location"] == "/comptes/"
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] and (before is None or before.value != cookie.value)
    account = client.get("/comptes/").content.decode()
    assert "Mon compte" in account and "nadia.benali@example.org" in account
    # L'en-tête propose « Mon compte » et une déconnexion par POST.
    assert 'action="/comptes/deconnexion/"' in account
    assert client.get("/comptes/deconnexion/").status_code == 405
    assert client.post("/comptes/deconnexion/")["Location"] == "/"
    assert client.get("/comptes/").status_code == 302


def test_wrong_password_then_throttling(user: User, settings: Any) -> None:
    settings.QUARTIERS_LOGIN_MAX_FAILURES = 3
    client = Client()
    for _ in range(3):
        page = client.post(LOGIN, {"username": user.email, "password": "faux"}).content.decode()
        assert "Adresse électronique ou mot de passe incorrect." in page
    page = client.post(LOGIN, {"username": user.email, "password": "mot-de-passe-initial"})
    assert page.status_code == 200
    assert (
        "Trop de tentatives de connexion pour ce compte : réessayez dans 15 minutes."
        in page.content.decode()
    )


def test_password_reset_through_a_real_smtp_server(user: User, smtp_server: Any) -> None:
    client = Client()
    response = client.post("/comptes/mot-de-passe/oublie/", {"email": "nadia.benali@example.org"})
    assert response.status_code == 302
    assert smtp_server.received.wait(10), "aucun courriel reçu par le serveur SMTP"
    message = smtp_server.messages[0]
    assert message["To"] == "nadia.benali@example.org"
    assert message["Subject"] == "Quartiers : choisir un nouveau mot de passe"
    assert "ne-pas-repondre@quartiers.invalid" in message["From"]
    body = message.get_payload(decode=True).decode("utf-8")
    assert "Bonjour Nadia Benali" in body
    link = re.search(r"https?://testserver(/comptes/mot-de-passe/nouveau/\S+/)", body)
    assert link, body
    form_page = client.get(link.group(1), follow=True)
    assert "Nouveau mot de passe" in form_page.content.decode()
    new_password = "un-nouveau-mot-de-passe-solide"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302 and done["Location"] == "/comptes/mot-de-passe/nouveau/fait/"
    fresh = Client()
    assert (
        fresh.post(LOGIN, {"username": user.email, "password": "mot-de-passe-initial"}).status_code
        == 200
    )
    assert fresh.post(LOGIN, {"username": user.email, "password": new_password}).status_code == 302
    # Le lien ne sert qu'une fois.
    again = client.get(link.group(1), follow=True).content.decode()
    assert "Ce lien n'est plus valable" in again


def test_unknown_email_gets_the_same_answer_and_no_mail(db: Any, smtp_server: Any) -> None:
    response = Client().post("/comptes/mot-de-passe/oublie/", {"email": "personne@example.org"})
    assert response.status_code == 302
    assert not smtp_server.received.wait(0.5)


def test_password_change(user: User) -> None:
    client = Client()
    client.force_login(user)
    response = client.post(
        "/comptes/mot-de-passe/",
        {
            "old_password": "mot-de-passe-initial",
            "new_password1": "encore-un-autre-secret",
            "new_password2": "encore-un-autre-secret",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("encore-un-autre-secret")


def test_token_secret_is_shown_once_then_revoked(user: User) -> None:
    client = Client()
    client.force_login(user)
    page = client.post("/comptes/jetons/", {"name": "script d'import", "days": 30}).content.decode()
    secret = re.search(r'id="new-token-secret">(qrt_[^<]+)<', page)
    assert secret
    token = ApiToken.objects.get(user=user)
    assert token.token_hash == services.hash_token(secret.group(1))
    later = client.get("/comptes/").content.decode()
    assert secret.group(1) not in later and token.prefix in later
    assert client.post(f"/comptes/jetons/{token.pk}/revoquer/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "révoqué" in client.get("/comptes/").content.decode()
    invalid = client.post("/comptes/jetons/", {"name": "", "days": 30})
    assert invalid.status_code == 422


def test_organisation_page_member_management(demo_world: dict[str, User]) -> None:
    client = Client()
    admin = demo_world["organisation_admin"]
    client.force_login(admin)
    association = admin.memberships.get().organisation
    page = client.get(f"/comptes/organisations/{association.pk}/").content.decode()
    assert "Ajouter un membre" in page and "porteur@demo.quartiers.invalid" in page
    # Seuls les rôles possibles dans une association sont proposés.
    assert "Délégué du préfet" not in page
    response = client.post(
        f"/comptes/organisations/{association.pk}/membres/",
        {"email": "benevole@example.org", "role": "applicant", "full_name": "Léa Bénévole"},
        follow=True,
    )
    assert (
        "Léa Bénévole (benevole@example.org) ajouté comme « Porteur de projet »."
        in html.unescape(response.content.decode())
    )
    journal = client.get(
        "/comptes/journal/", {"target_type": "accounts.organisation", "target_id": association.pk}
    ).content.decode()
    assert "membership.added" in journal and "benevole@example.org" in journal
    porteur = Client()
    porteur.force_login(demo_world["applicant"])
    page = porteur.get(f"/comptes/organisations/{association.pk}/").content.decode()
    assert "Ajouter un membre" not in page and "Retirer" not in page
    refused = porteur.get(
        "/comptes/journal/", {"target_type": "accounts.organisation", "target_id": association.pk}
    )
    assert refused.status_code == 403
    assert "ne peut pas voir l'historique de cet objet" in html.unescape(refused.content.decode())


def test_demo_accounts_listed_only_when_demo_is_on(db: Any, settings: Any) -> None:
    from quartiers.demo.accounts import DEMO_ACCOUNTS, build_demo_accounts

    build_demo_accounts()
    data = json.loads(settings.QUARTIERS_DEMO_ACCOUNTS_FILE.read_text(encoding="utf-8"))
    assert len(data["accounts"]) == len(DEMO_ACCOUNTS) == 9
    settings.QUARTIERS_DEMO = False
    page = Client().get(LOGIN).content.decode()
    assert "Comptes de démonstration" not in page and "bellerive-admin" not in page
    settings.QUARTIERS_DEMO = True
    page = Client().get(LOGIN).content.decode()
    assert "Comptes de démonstration" in page
    for account in DEMO_ACCOUNTS:
        assert account.email in page and account.password in page
    # Chaque compte de démonstration se connecte avec le mot de passe affiché.
    for account in DEMO_ACCOUNTS:
        assert (
            Client()
            .post(LOGIN, {"username": account.email, "password": account.password})
            .status_code
            == 302
        )
    # Relancer la démonstration ne duplique rien.
    build_demo_accounts()
    assert User.objects.filter(email__endswith="@demo.quartiers.invalid").count() == 9


def test_templates_have_no_inline_script_or_style() -> None:
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "<script" not in text, path
        assert "style=" not in text and "<style" not in text, path
