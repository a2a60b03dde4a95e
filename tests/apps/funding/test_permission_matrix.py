"""Matrice des permissions des financements : chaque rôle contre les demandes de chaque porteur.

Une table d'attendus écrite à la main (pas déduite des règles) vaut pour les pages, l'API et la
ligne de commande là où la porte existe. « Permis » : pas refusé pour raison de droits (403 ou
code 3) ; une règle métier peut encore répondre 422, ce n'est pas l'objet de la matrice.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from quartiers import cli
from quartiers.accounts.models import User
from quartiers.funding.models import FundingLine, GrantApplication

from .conftest import World

pytestmark = pytest.mark.django_db

OWNERS = ("applicant", "outside")  # demandes du département 18 et du département 31
BOTH = {"applicant", "outside"}
IN_18, IN_31, NONE = {"applicant"}, {"outside"}, set()

#                       voir      modifier   instruire  décider (CAF)  décider (État)
EXPECTED: dict[str, tuple[set[str], set[str], set[str], set[str], set[str]]] = {
    "platform_admin":     (BOTH,    NONE,      BOTH,      BOTH,          BOTH),
    "organisation_admin": (IN_18,   IN_18,     NONE,      NONE,          NONE),
    "applicant":          (IN_18,   IN_18,     NONE,      NONE,          NONE),
    "state_instructor":   (IN_18,   NONE,      IN_18,     NONE,          IN_18),
    "prefect_delegate":   (IN_18,   NONE,      NONE,      NONE,          NONE),
    "funder_agent":       (IN_18,   NONE,      NONE,      IN_18,         NONE),
    "other_funder_agent": (NONE,    NONE,      NONE,      NONE,          NONE),
    "city_contract_lead": (IN_18,   NONE,      NONE,      NONE,          NONE),
    "outside":            (IN_31,   IN_31,     NONE,      NONE,          NONE),
    "outside_instructor": (IN_31,   NONE,      IN_31,     NONE,          IN_31),
    "outside_funder":     (IN_31,   NONE,      NONE,      IN_31,         NONE),
}  # fmt: skip
ACTIONS = ("view", "change", "instruct", "decide_cofunder", "decide_state")
DOORS = {
    "view": ("web", "api", "cli"),
    "change": ("web", "api"),
    "instruct": ("web", "api"),
    "decide_cofunder": ("web", "api"),
    "decide_state": ("web", "api"),
}


class _Rollback(Exception):
    pass


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _targets(world: World) -> dict[str, dict[str, Any]]:
    targets = {}
    for owner in OWNERS:
        draft = world.complete_draft(owner)
        live = world.advance(world.complete_draft(owner), "under_instruction")
        co = world.orgs["caf" if owner == "applicant" else "outside_caf"]
        state = world.orgs["ddets" if owner == "applicant" else "outside_ddets"]
        targets[owner] = {
            "draft": draft,
            "live": live,
            "co_line": FundingLine.objects.get(action__application=live, funder=co),
            "state_line": FundingLine.objects.get(action__application=live, funder=state),
        }
    return targets


def _attempt(door: str, action: str, user: User, t: dict[str, Any]) -> bool:
    """Vrai si la porte n'a pas refusé pour raison de droits."""
    draft: GrantApplication = GrantApplication.objects.get(pk=t["draft"].pk)
    live: GrantApplication = GrantApplication.objects.get(pk=t["live"].pk)
    if door == "cli":
        code = cli.main(["funding", "show", live.reference, "--as", user.email])
        return code != 3
    client = _client(user)
    if action == "view":
        if door == "web":
            response = client.get(f"/financements/demandes/{live.pk}")
        else:
            response = client.get(f"/api/v1/funding/applications/{live.pk}")
    elif action == "change":
        if door == "web":
            response = client.post(
                f"/financements/demandes/{draft.pk}/etape/request",
                {"version": draft.version, "title": "Nouveau titre"},
            )
        else:
            response = client.put(
                f"/api/v1/funding/applications/{draft.pk}/draft",
                json.dumps({"version": draft.version, "fields": {"title": "Nouveau titre"}}),
                content_type="application/json",
            )
    elif action == "instruct":
        if door == "web":
            response = client.post(
                f"/financements/demandes/{live.pk}/agir",
                {"event": "reject", "reason": "hors priorités", "version": live.version},
            )
        else:
            response = client.post(
                f"/api/v1/funding/applications/{live.pk}/transitions",
                json.dumps({"event": "reject", "reason": "hors priorités"}),
                content_type="application/json",
            )
    else:
        line = t["co_line" if action == "decide_cofunder" else "state_line"]
        if door == "web":
            response = client.post(
                f"/financements/lignes/{line.pk}/decision",
                {"decision": "granted", "granted": "100"},
            )
        else:
            response = client.post(
                f"/api/v1/funding/funding-lines/{line.pk}/decision",
                json.dumps({"decision": "granted", "granted": "100"}),
                content_type="application/json",
            )
    assert response.status_code in (200, 302, 403, 422), (response.status_code, response.content)
    if response.status_code == 403:
        assert "ne peut pas" in response.content.decode()  # refus expliqué en français
    return bool(response.status_code != 403)


@pytest.mark.parametrize(
    ("action", "door"), [(a, d) for a in ACTIONS for d in DOORS[a]], ids=lambda v: str(v)
)
def test_matrix(world: World, action: str, door: str, capsys: pytest.CaptureFixture[str]) -> None:
    targets = _targets(world)
    column = ACTIONS.index(action)
    mismatches = []
    for actor, expectations in EXPECTED.items():
        user = world.users[actor]
        for owner in OWNERS:
            try:
                with transaction.atomic():
                    allowed = _attempt(door, action, user, targets[owner])
                    raise _Rollback
            except _Rollback:
                pass
            wanted = owner in expectations[column]
            if allowed != wanted:
                mismatches.append(f"{actor} → demande de {owner} : {allowed=} attendu {wanted}")
    capsys.readouterr()
    assert not mismatches, "\n".join(mismatches)


def test_queue_shows_only_what_each_role_may_see(world: World) -> None:
    targets = _targets(world)
    for actor, expectations in EXPECTED.items():
        response = _client(world.users[actor]).get("/api/v1/funding/applications?per_page=100")
        assert response.status_code == 200
        seen = {r["reference"] for r in response.json()["results"]}
        wanted = {targets[o][k].reference for o in expectations[0] for k in ("draft", "live")}
        assert seen == wanted, actor
