"""Matrice des permissions de gestion : fiche de la structure, contrat de ville, appel à projets,
chaque rôle contre les objets des deux départements, par le service et par la page."""

from __future__ import annotations

import pytest
from django.test import Client

from quartiers.accounts.permissions import can

from .conftest import World

pytestmark = pytest.mark.django_db

BOTH, IN_18, IN_31, NONE = {"18", "31"}, {"18"}, {"31"}, set()

#                       fiche de la structure   contrat   appel
EXPECTED: dict[str, tuple[set[str], set[str], set[str]]] = {
    "platform_admin":     (BOTH,                  BOTH,     BOTH),
    "organisation_admin": (IN_18,                 NONE,     NONE),
    "applicant":          (IN_18,                 NONE,     NONE),
    "state_instructor":   (NONE,                  IN_18,    IN_18),
    "prefect_delegate":   (NONE,                  NONE,     NONE),
    "funder_agent":       (NONE,                  NONE,     NONE),
    "other_funder_agent": (NONE,                  NONE,     NONE),
    "city_contract_lead": (NONE,                  IN_18,    IN_18),
    "outside":            (IN_31,                 NONE,     NONE),
    "outside_instructor": (NONE,                  IN_31,    IN_31),
    "outside_funder":     (NONE,                  NONE,     NONE),
}  # fmt: skip


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_management_matrix(world: World, role: str) -> None:
    user = world.users[role]
    objects = {
        "organisation": {"18": world.orgs["association"], "31": world.orgs["outside_association"]},
        "contract": {"18": world.contract, "31": world.other_call.contract},
        "call": {"18": world.call, "31": world.other_call},
    }
    perms = {
        "organisation": "funding.manage_organisation",
        "contract": "funding.manage_contract",
        "call": "funding.manage_call",
    }
    urls = {
        "organisation": "/financements/structures/{}",
        "contract": "/financements/contrats/{}",
        "call": "/financements/appels/{}",
    }
    client = Client()
    client.force_login(user)
    for index, kind in enumerate(("organisation", "contract", "call")):
        allowed = EXPECTED[role][index]
        for dep, obj in objects[kind].items():
            expected = dep in allowed
            assert can(user, perms[kind], obj) is expected, (role, kind, dep)
            status = client.get(urls[kind].format(obj.pk)).status_code
            assert status == (200 if expected else 403), (role, kind, dep, status)
