"""Actions groupées de la file d'instruction : chaque demande vérifiée une à une (permission,
rôle, statut), un refus n'arrête pas les autres, une demande invisible reste « introuvable »."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from quartiers.funding import services
from quartiers.funding.models import ComplementRequest, GrantApplication

from .conftest import World


def _submitted(world: World, owner: str = "applicant") -> GrantApplication:
    app = world.complete_draft(owner)
    services.transition(world.users[owner], app, "submit")
    return app


def test_take_charge_of_several_each_checked(world: World) -> None:
    first, second = _submitted(world), _submitted(world)
    draft = world.complete_draft()
    elsewhere = _submitted(world, "outside")
    outcomes = services.bulk_transition(
        world.users["state_instructor"],
        [first.pk, second.pk, draft.pk, elsewhere.pk, 999999],
        "take_charge",
    )
    by_id = {o.application_id: o for o in outcomes}
    assert by_id[first.pk].done and by_id[second.pk].done
    assert by_id[first.pk].message == "« Prise en charge »"
    assert not by_id[draft.pk].done and "en cours de saisie" in by_id[draft.pk].message.lower()
    # Hors de son département : « introuvable », sans la référence.
    assert by_id[elsewhere.pk] == services.BulkOutcome(
        elsewhere.pk, f"n° {elsewhere.pk}", False, "demande introuvable"
    )
    assert by_id[999999].message == "demande introuvable"
    statuses = dict(GrantApplication.objects.values_list("pk", "status"))
    assert statuses[first.pk] == statuses[second.pk] == "taken_charge"
    assert statuses[elsewhere.pk] == "submitted"


def test_a_funder_agent_cannot_take_charge_in_bulk(world: World) -> None:
    app = _submitted(world)
    outcomes = services.bulk_transition(world.users["funder_agent"], [app.pk], "take_charge")
    assert not outcomes[0].done and "ne peut pas instruire" in outcomes[0].message
    app.refresh_from_db()
    assert app.status == "submitted"


def test_request_complements_in_bulk(world: World) -> None:
    inst = world.users["state_instructor"]
    apps = [world.advance(world.complete_draft(), "under_instruction") for _ in range(2)]
    with pytest.raises(services.ServiceError, match="obligatoires"):
        services.bulk_transition(inst, [a.pk for a in apps], "request_complements")
    due = services.today() + dt.timedelta(days=10)
    outcomes = services.bulk_transition(
        inst, [a.pk for a in apps], "request_complements", "Budget à préciser", ["budget"], due
    )
    assert all(o.done for o in outcomes)
    assert ComplementRequest.objects.filter(due_on=due, missing_items=["budget"]).count() == 2
    with pytest.raises(services.ServiceError, match="inconnue"):
        services.bulk_transition(inst, [apps[0].pk], "close")


def test_the_queue_page_bulk_form(world: World, client: Any) -> None:
    first, second = _submitted(world), _submitted(world)
    client.force_login(world.users["state_instructor"])
    page = client.get("/financements/instruction?status=submitted").content.decode()
    assert f'id="sel-{first.pk}"' in page and "Appliquer aux demandes cochées" in page
    response = client.post(
        "/financements/instruction/groupe",
        {"selected": [first.pk, second.pk], "event": "take_charge", "back": "status=submitted"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/financements/instruction?status=submitted"
    assert "2 demandes traitées" in response.content.decode()
    response = client.post(
        "/financements/instruction/groupe",
        {"selected": [first.pk], "event": "take_charge"},
        follow=True,
    )
    assert f"{first.reference} : " in response.content.decode()


def test_the_api_bulk_door_applies_the_same_rules(world: World, client: Any) -> None:
    mine, elsewhere = _submitted(world), _submitted(world, "outside")
    client.force_login(world.users["state_instructor"])
    response = client.post(
        "/api/v1/funding/applications/bulk",
        {"application_ids": [mine.pk, elsewhere.pk], "event": "take_charge"},
        content_type="application/json",
        headers={"X-CSRFToken": "x"},
    )
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [(r["done"], r["message"]) for r in results] == [
        (True, "« Prise en charge »"),
        (False, "demande introuvable"),
    ]
