"""Matrice des permissions : chaque rôle contre les objets de chaque autre rôle, sur les trois portes.

Une seule table d'attendus (écrite à la main, pas déduite des règles) vaut pour le web, l'API et
la ligne de commande : une porte qui laisserait passer ce que les autres refusent échoue ici.
« Permis » veut dire « pas refusé pour raison de droits » (403 / code 3) ; une règle métier
(retirer le dernier responsable) peut encore répondre 422, ce n'est pas l'objet de la matrice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from quartiers import cli
from quartiers.accounts import services
from quartiers.accounts.models import ApiToken, Membership, Organisation, User
from quartiers.demo.accounts import DEMO_ACCOUNTS

pytestmark = pytest.mark.django_db

# Propriétaire → clé de son organisation (« outside » : une association d'un autre département).
ORG_OF = {a.role: a.organisation for a in DEMO_ACCOUNTS} | {"outside": "outside"}
ACTORS = list(ORG_OF)
ALL_ORGS = {"platform", "association", "ddets", "prefecture", "caf", "epci", "council", "outside"}
CHER = {"association", "ddets", "prefecture", "caf", "epci", "council"}  # département 18
AGGLO = {"association", "epci", "council"}  # portent le SIREN de l'EPCI de Bellerive

# Les organisations sur lesquelles chaque acteur a la permission.
VIEW_ORGANISATION = {
    "platform_admin": ALL_ORGS,
    "organisation_admin": {"association"},
    "applicant": {"association"},
    "state_instructor": CHER,
    "prefect_delegate": CHER,
    "funder_agent": CHER,
    "city_contract_lead": AGGLO,
    "council_member": {"council"},
    "council_facilitator": {"council"},
    "outside": {"outside"},
}
VIEW_MEMBERS = {actor: {ORG_OF[actor]} for actor in ACTORS} | {"platform_admin": ALL_ORGS}
MANAGE_MEMBERS = {actor: set() for actor in ACTORS} | {
    "platform_admin": ALL_ORGS,
    "organisation_admin": {"association"},
    "outside": {"outside"},
}


def expected(action: str, actor: str, owner: str) -> bool:
    org = ORG_OF[owner]
    if action == "view_organisation":
        return org in VIEW_ORGANISATION[actor]
    if action == "view_members":
        return org in VIEW_MEMBERS[actor]
    if action in ("add_member", "remove_membership", "view_history"):
        return org in MANAGE_MEMBERS[actor]
    if action == "revoke_token":
        return actor == "platform_admin" or actor == owner
    raise AssertionError(action)


ACTIONS = [
    "view_organisation",
    "view_members",
    "add_member",
    "remove_membership",
    "revoke_token",
    "view_history",
]


@dataclass
class World:
    users: dict[str, User]
    organisations: dict[str, Organisation]
    memberships: dict[str, Membership]
    target_tokens: dict[str, ApiToken]
    auth_secrets: dict[str, str]


@pytest.fixture
def world(demo_world: dict[str, User]) -> World:
    outside_org = services.create_organisation(
        "test", name="Association hors territoire", kind="association", department_code="36"
    )
    services.add_member("test", outside_org, "responsable@ailleurs.invalid", "organisation_admin")
    users = demo_world | {"outside": User.objects.get(email="responsable@ailleurs.invalid")}
    organisations: dict[str, Organisation] = {}
    memberships: dict[str, Membership] = {}
    for owner, user in users.items():
        role = "organisation_admin" if owner == "outside" else owner
        membership = Membership.objects.select_related("organisation").get(user=user, role=role)
        memberships[owner] = membership
        organisations[ORG_OF[owner]] = membership.organisation
    return World(
        users=users,
        organisations=organisations,
        memberships=memberships,
        target_tokens={o: services.create_token(u, "cible").token for o, u in users.items()},
        auth_secrets={o: services.create_token(u, "porte API").secret for o, u in users.items()},
    )


def via_web(world: World, action: str, actor: str, owner: str) -> bool:
    client = Client()
    client.force_login(world.users[actor])
    org = world.organisations[ORG_OF[owner]]
    if action == "view_organisation":
        response = client.get(f"/comptes/organisations/{org.pk}/")
    elif action == "view_members":
        response = client.get(f"/comptes/organisations/{org.pk}/")
        if response.status_code == 200:
            return f"Membres de {org.name}" in response.content.decode()
    elif action == "add_member":
        response = client.post(
            f"/comptes/organisations/{org.pk}/membres/",
            {"email": f"nouveau.{actor}@example.org", "role": "organisation_admin"},
        )
    elif action == "remove_membership":
        response = client.post(f"/comptes/membres/{world.memberships[owner].pk}/retirer/")
    elif action == "revoke_token":
        response = client.post(f"/comptes/jetons/{world.target_tokens[owner].pk}/revoquer/")
    else:
        response = client.get(
            "/comptes/journal/", {"target_type": "accounts.organisation", "target_id": org.pk}
        )
    assert response.status_code in (200, 302, 403, 422), response.status_code
    if response.status_code == 403:
        assert "Action non autorisée" in response.content.decode()
    return response.status_code != 403


def via_api(world: World, action: str, actor: str, owner: str) -> bool:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.auth_secrets[actor]}")
    org = world.organisations[ORG_OF[owner]]
    base = "/api/v1/accounts"
    if action == "view_organisation":
        response = client.get(f"{base}/organisations/{org.pk}")
    elif action == "view_members":
        response = client.get(f"{base}/organisations/{org.pk}/members")
    elif action == "add_member":
        response = client.post(
            f"{base}/organisations/{org.pk}/members",
            {"email": f"nouveau.{actor}@example.org", "role": "organisation_admin"},
            content_type="application/json",
        )
    elif action == "remove_membership":
        response = client.delete(f"{base}/members/{world.memberships[owner].pk}")
    elif action == "revoke_token":
        response = client.delete(f"{base}/tokens/{world.target_tokens[owner].pk}")
    else:
        response = client.get(
            f"{base}/audit", {"target_type": "accounts.organisation", "target_id": org.pk}
        )
    assert response.status_code in (200, 201, 204, 403, 422), response.content
    if response.status_code == 403:
        assert response.json()["detail"].startswith("Action non autorisée")
    return response.status_code != 403


def via_cli(world: World, action: str, actor: str, owner: str, capsys: Any) -> bool:
    org = world.organisations[ORG_OF[owner]]
    acting = ["--as", world.users[actor].email]
    args = {
        "view_organisation": ["show", str(org.pk)],
        "view_members": ["members", str(org.pk)],
        "add_member": [
            "add-member",
            str(org.pk),
            f"nouveau.{actor}@example.org",
            "--role",
            "organisation_admin",
        ],
        "remove_membership": ["remove-member", str(world.memberships[owner].pk)],
        "revoke_token": ["token", "revoke", str(world.target_tokens[owner].pk)],
        "view_history": ["audit", "accounts.organisation", str(org.pk)],
    }[action]
    code = cli.main(["accounts", *args, *acting])
    err = capsys.readouterr().err
    assert code in (0, 1, 3), err
    if code == 3:
        assert err.startswith("Refusé : Action non autorisée")
    return code != 3


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("door", ["web", "api", "cli"])
def test_permission_matrix(world: World, door: str, action: str, actor: str, capsys: Any) -> None:
    mismatches = []
    # Les objets de l'acteur en dernier : s'il retire sa propre adhésion, les autres cas n'en pâtissent pas.
    for owner in [o for o in ACTORS if o != actor] + [actor]:
        if door == "web":
            allowed = via_web(world, action, actor, owner)
        elif door == "api":
            allowed = via_api(world, action, actor, owner)
        else:
            allowed = via_cli(world, action, actor, owner, capsys)
        if allowed != expected(action, actor, owner):
            mismatches.append(f"{owner}: {'permis' if allowed else 'refusé'}")
    assert not mismatches, f"{door} / {action} / {actor} : {mismatches}"
