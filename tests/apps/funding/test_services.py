"""Services des financements : parcours complet, journal d'audit inévitable, verrou optimiste."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from quartiers.accounts.models import AuditEvent
from quartiers.core.accounts import NotAllowed
from quartiers.funding import services
from quartiers.funding.models import FundingLine, GrantApplication, UnauditedChange

from .conftest import World

pytestmark = pytest.mark.django_db


def _events(app: GrantApplication) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_type="funding.grantapplication", target_id=str(app.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_reference_is_unique_and_actions_numbered(world: World) -> None:
    app = world.complete_draft()
    assert app.reference == f"{world.call.year}-18-{app.pk:06d}"
    assert [a.code for a in app.actions.all()] == [f"{app.reference}-01"]
    assert app.requested_total == Decimal("4500.00")
    assert services.check_completeness(app) == []


def test_full_path_with_complements_and_two_funders(world: World) -> None:
    app = world.advance(world.complete_draft(), "under_instruction")
    caf_agent, inst, owner = (
        world.users["funder_agent"],
        world.users["state_instructor"],
        world.users["applicant"],
    )
    due = timezone.localdate() + dt.timedelta(days=15)
    services.request_complements(caf_agent, app, "Budget détaillé ?", ["devis"], due)
    assert app.status == "complements_requested"
    services.answer_complements(owner, app, "Devis joint")
    assert app.status == "complemented"
    assert app.complement_requests.get().answer == "Devis joint"
    services.give_opinion(caf_agent, app, world.orgs["caf"], True, {"capacite": 4, "qpv": 5})
    caf_line = FundingLine.objects.get(action__application=app, funder=world.orgs["caf"])
    state_line = FundingLine.objects.get(action__application=app, funder=world.orgs["ddets"])
    services.record_decision(caf_agent, caf_line, "granted", "1200", "Comité du 3 mars")
    app.refresh_from_db()
    assert app.status == "complemented"  # l'État n'a pas encore décidé
    services.record_decision(inst, state_line, "granted", "3000")
    app = GrantApplication.objects.get(pk=app.pk)
    assert app.status == "decided"
    assert services.granted_total(app) == Decimal("4200.00")
    services.transition(inst, app, "close")
    assert app.status == "closed"
    events = _events(app)
    assert events[:2] == ["application.created", "application.draft_saved"]
    for expected in (
        "application.submit",
        "application.request_complements",
        "application.answer_complements",
        "application.opinion_given",
        "application.funding_decided",
        "application.decide",
        "application.close",
    ):
        assert expected in events
    history = services.history(owner, app)
    assert any("a demandé des compléments" in h.sentence for h in history)
    assert any(h.sentence.endswith("(statut : « Clôturée »)") for h in history)


def test_funder_cannot_decide_for_another_funder(world: World) -> None:
    app = world.advance(world.complete_draft(), "under_instruction")
    state_line = FundingLine.objects.get(action__application=app, funder=world.orgs["ddets"])
    with pytest.raises(NotAllowed, match="décider pour ce financeur"):
        services.record_decision(world.users["funder_agent"], state_line, "granted", "10")


def test_decision_over_requested_is_refused(world: World) -> None:
    app = world.advance(world.complete_draft(), "under_instruction")
    line = FundingLine.objects.get(action__application=app, funder=world.orgs["caf"])
    with pytest.raises(services.ServiceError, match="dépasse le montant demandé"):
        services.record_decision(world.users["funder_agent"], line, "granted", "99999")


def test_opinion_follows_the_grid(world: World) -> None:
    app = world.advance(world.complete_draft(), "under_instruction")
    with pytest.raises(services.ServiceError) as caught:
        services.give_opinion(
            world.users["funder_agent"], app, world.orgs["caf"], True, {"capacite": 9}
        )
    fields = {p.field: p.message for p in caught.value.problems}
    assert fields["scores.capacite"] == "note entre 0 et 5 attendue (9)"
    assert fields["scores.qpv"] == "note manquante : Présence dans le quartier"


def test_submit_incomplete_lists_problems_per_field(world: World) -> None:
    owner = world.users["applicant"]
    app = services.create_application(owner, world.call, world.orgs["association"], "")
    with pytest.raises(services.ServiceError, match="n'est pas complète") as caught:
        services.transition(owner, app, "submit")
    fields = {p.field for p in caught.value.problems}
    assert {"title", "actions", "attestation"} <= fields
    assert GrantApplication.objects.get(pk=app.pk).status == "draft"


@pytest.mark.parametrize(
    ("status", "event", "actor", "message"),
    [
        ("draft", "take_charge", "state_instructor", "impossible : la demande est « En cours de saisie »"),
        ("submitted", "declare_admissible", "state_instructor", "impossible : la demande est « Transmise »"),
        ("under_instruction", "reject", "state_instructor", "un motif est obligatoire"),
        ("under_instruction", "answer_complements", "applicant", "modifier cette demande"),
        ("submitted", "take_charge", "funder_agent", "instruire cette demande"),
    ],
)  # fmt: skip
def test_forbidden_transitions_are_refused_in_french(
    world: World, status: str, event: str, actor: str, message: str
) -> None:
    app = world.complete_draft()
    if status != "draft":
        world.advance(app, status)
    before = _events(app)
    with pytest.raises((services.ServiceError, NotAllowed), match=message):
        services.transition(world.users[actor], app, event)
    assert GrantApplication.objects.get(pk=app.pk).status == status
    assert _events(app) == before


def test_status_cannot_change_without_its_audit_event(world: World) -> None:
    app = world.complete_draft()
    app.status = "decided"
    with pytest.raises(UnauditedChange, match="hors du journal d'audit"):
        app.save()
    with pytest.raises(UnauditedChange, match="modification en masse refusée pour status"):
        GrantApplication.objects.filter(pk=app.pk).update(status="decided")
    line = FundingLine.objects.filter(action__application=app).first()
    assert line is not None
    line.granted = Decimal("1")
    with pytest.raises(UnauditedChange):
        line.save()
    with pytest.raises(UnauditedChange):
        FundingLine.objects.filter(pk=line.pk).update(granted=Decimal("5"))
    assert GrantApplication.objects.get(pk=app.pk).status == "draft"


def test_status_rolls_back_when_the_audit_write_fails(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = world.complete_draft()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("journal indisponible")

    monkeypatch.setattr("quartiers.accounts.audit.record", broken)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.transition(world.users["applicant"], app, "submit")
    assert GrantApplication.objects.get(pk=app.pk).status == "draft"


def test_optimistic_locking(world: World) -> None:
    app = world.complete_draft()
    mine = GrantApplication.objects.get(pk=app.pk)
    theirs = GrantApplication.objects.get(pk=app.pk)
    services.save_draft(
        world.users["organisation_admin"],
        theirs,
        theirs.version,
        "request",
        {"title": "Leur titre"},
    )
    with pytest.raises(services.StaleApplication) as caught:
        services.save_draft(
            world.users["applicant"], mine, mine.version, "request", {"title": "Mon titre"}
        )
    assert "a été modifiée par Resp (resp@t.invalid)" in caught.value.message
    assert "rien n'a été enregistré" in caught.value.message
    assert GrantApplication.objects.get(pk=app.pk).title == "Leur titre"


def test_draft_refuses_bad_amount_and_foreign_funder(world: World) -> None:
    owner = world.users["applicant"]
    app = services.create_application(owner, world.call, world.orgs["association"], "x")
    with pytest.raises(services.ServiceError) as caught:
        services.save_draft(
            owner,
            app,
            app.version,
            "request",
            actions=[
                services.ActionInput(
                    title="a",
                    budget=[services.BudgetInput("60", "12,345")],
                    funding=[services.FundingInput(world.orgs["departement"].pk, "10")],
                )
            ],
        )
    fields = {p.field: p.message for p in caught.value.problems}
    assert "deux décimales" in fields["actions.1.budget.1"]
    assert fields["actions.1.funding.1"] == "ce financeur ne participe pas à l'appel à projets"
    assert not app.actions.exists()


def test_call_closed_refuses_new_application(world: World) -> None:
    with pytest.raises(services.ServiceError, match="aucune demande ne peut être créée"):
        services.create_application(
            world.users["applicant"],
            world.call,
            world.orgs["association"],
            on=world.call.closes_on + dt.timedelta(days=1),
        )


def test_multi_year_cpo_funding_lines(world: World) -> None:
    owner = world.users["applicant"]
    app = services.create_application(owner, world.call, world.orgs["association"], "CPO", years=3)
    services.save_draft(
        owner,
        app,
        app.version,
        "request",
        actions=[
            services.ActionInput(
                title="a",
                funding=[
                    services.FundingInput(world.orgs["ddets"].pk, "1000", world.call.year),
                    services.FundingInput(world.orgs["ddets"].pk, "1000", world.call.year + 2),
                ],
            )
        ],
    )
    assert app.requested_total == Decimal("1000.00")  # le premier exercice seul est ferme
    with pytest.raises(services.ServiceError, match="au plus 4 exercices"):
        services.save_draft(owner, app, app.version, "request", {"years": 5})


def test_the_action_place_is_located_in_its_qpv_at_its_date(world: Any) -> None:
    """Le lieu d'une action passe par la même vérification que « Mon adresse est-elle en QPV ? »."""
    from quartiers import demo
    from quartiers.funding.models import Action
    from quartiers.funding.services import ActionInput, BudgetInput, FundingInput

    demo.build()  # périmètres et adresses fictives du géocodeur embarqué
    user = world.users["applicant"]
    call = world.call
    app = services.create_application(
        user, call, world.orgs["association"], "Lieu", on=call.opens_on
    )
    lines = [BudgetInput("64", "100", "animation"), BudgetInput("74", "100", "subvention")]
    for address, expected in (
        ("20 avenue des Tilleuls Bellerive", "QN01801M"),
        ("10 boulevard de la Lune Bellerive", ""),
        ("Bellerive", ""),  # trop imprécise : jamais devinée
    ):
        app.refresh_from_db()
        services.save_draft(
            user,
            app,
            app.version,
            "request",
            {"theme": "Éducation"},
            [
                ActionInput(
                    title="Atelier",
                    starts_on=dt.date(2025, 3, 1),
                    address=address,
                    budget=lines,
                    funding=[FundingInput(world.orgs["ddets"].pk, "100")],
                )
            ],
        )
        assert Action.objects.get(application=app).located_qpv_code == expected, address
