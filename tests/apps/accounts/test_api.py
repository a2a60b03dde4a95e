"""API des comptes : jeton personnel (Bearer) ou session avec CSRF, erreurs en français."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from quartiers.accounts import audit, services
from quartiers.accounts.models import ApiToken, User

pytestmark = pytest.mark.django_db
ME = "/api/v1/accounts/me"


@pytest.fixture
def porteur(demo_world: dict[str, User]) -> User:
    return demo_world["applicant"]


def bearer(secret: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_token_authenticates_and_only_its_hash_is_stored(porteur: User) -> None:
    new = services.create_token(porteur, "script")
    token = ApiToken.objects.get(pk=new.token.pk)
    assert new.secret.startswith("qrt_") and new.secret.startswith(token.prefix)
    assert new.secret not in {token.token_hash, token.prefix, token.name}
    assert token.token_hash == services.hash_token(new.secret)
    response = bearer(new.secret).get(ME)
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "porteur@demo.quartiers.invalid"
    assert [m["role_label"] for m in body["memberships"]] == ["Porteur de projet"]
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        (None, "Authentification requise"),
        ("Bearer qrt_inconnu", "Jeton d'API inconnu, révoqué ou expiré."),
        ("Basic abc", "En-tête « Authorization » mal formé"),
    ],
)
def test_refusals_are_401_in_french(header: str | None, detail: str) -> None:
    client = Client(HTTP_AUTHORIZATION=header) if header else Client()
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["detail"].startswith(detail)


def test_revoked_and_expired_tokens_are_refused(porteur: User) -> None:
    revoked = services.create_token(porteur, "révoqué")
    services.revoke_token(porteur, revoked.token)
    expired = services.create_token(porteur, "expiré", days=1)
    ApiToken.objects.filter(pk=expired.token.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    for secret in (revoked.secret, expired.secret):
        assert bearer(secret).get(ME).status_code == 401
    inactive = services.create_token(porteur, "inactif").secret
    porteur.is_active = False
    porteur.save()
    assert bearer(inactive).get(ME).status_code == 401


def test_session_auth_checks_csrf_on_unsafe_methods(porteur: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(porteur)
    assert client.get(ME).status_code == 200
    response = client.post(
        "/api/v1/accounts/tokens", {"name": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "Vérification CSRF échouée" in response.json()["detail"]
    client.get("/comptes/")  # la page « Mon compte » pose le cookie CSRF
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        "/api/v1/accounts/tokens",
        {"name": "depuis la page"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert response.status_code == 201
    assert response.json()["secret"].startswith("qrt_")


def test_token_lifecycle_and_journal_through_the_api(porteur: User) -> None:
    client = bearer(services.create_token(porteur, "admin").secret)
    created = client.post(
        "/api/v1/accounts/tokens", {"name": "import", "days": 30}, content_type="application/json"
    ).json()
    assert created["status"] == "actif" and created["secret"].startswith(created["prefix"])
    listed = client.get("/api/v1/accounts/tokens").json()
    assert {t["name"] for t in listed} == {"admin", "import"}
    assert all("secret" not in t for t in listed)
    revoked = client.delete(f"/api/v1/accounts/tokens/{created['id']}", {"reason": "fuite"})
    assert revoked.json()["status"] == "révoqué"
    events = client.get(
        "/api/v1/accounts/audit", {"target_type": "accounts.apitoken", "target_id": created["id"]}
    ).json()
    assert [e["action"] for e in events] == ["token.created", "token.revoked"]
    assert events[0]["actor"] == porteur.label


def test_member_management_errors_in_french(demo_world: dict[str, User]) -> None:
    admin = demo_world["organisation_admin"]
    association = admin.memberships.get().organisation
    client = bearer(services.create_token(admin, "t").secret)
    url = f"/api/v1/accounts/organisations/{association.pk}/members"
    response = client.post(
        url,
        {"email": "nouvelle@example.org", "role": "prefect_delegate"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "« Délégué du préfet » n'a pas de sens" in response.json()["detail"]
    response = client.post(
        url,
        {"email": "Nouvelle@Example.org", "role": "applicant", "reason": "recrutement"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["email"] == "nouvelle@example.org"
    last = audit.events_for("accounts.organisation", association.pk).last()
    assert last is not None and last.reason == "recrutement" and last.actor == admin
    assert client.get("/api/v1/accounts/organisations/999999").status_code == 404
    assert (
        client.get("/api/v1/accounts/audit", {"target_type": "nimporte.quoi", "target_id": 1})
        .json()["detail"]
        .startswith("type d'objet « nimporte.quoi » inconnu")
    )


def test_visible_organisations_follow_the_territory(demo_world: dict[str, Any]) -> None:
    client = bearer(services.create_token(demo_world["city_contract_lead"], "t").secret)
    names = {o["name"] for o in client.get("/api/v1/accounts/organisations").json()}
    assert names == {
        "Agglomération de Bellerive (territoire fictif)",
        "Association Les Tilleuls solidaires (fictive)",
        "Conseil citoyen des Tilleuls (fictif)",
    }
    roles = client.get("/api/v1/accounts/roles").json()
    assert {r["role"] for r in roles} >= {"applicant", "prefect_delegate", "council_member"}
