"""Workflow des demandes : table de transitions, rôles, motifs, messages français ; complétude."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from quartiers.core.accounts import Role
from quartiers.core.funding import completeness, workflow
from quartiers.core.funding.budget import BudgetEntry
from quartiers.core.funding.plan import PlanLine
from quartiers.core.funding.workflow import Status

HAPPY_PATH = [
    ("submit", Role.APPLICANT, Status.SUBMITTED),
    ("take_charge", Role.STATE_INSTRUCTOR, Status.TAKEN_CHARGE),
    ("declare_admissible", Role.STATE_INSTRUCTOR, Status.ADMISSIBLE),
    ("queue_for_instruction", Role.STATE_INSTRUCTOR, Status.AWAITING_INSTRUCTION),
    ("start_instruction", Role.FUNDER_AGENT, Status.UNDER_INSTRUCTION),
    ("request_complements", Role.FUNDER_AGENT, Status.COMPLEMENTS_REQUESTED),
    ("answer_complements", Role.APPLICANT, Status.COMPLEMENTED),
    ("resume_instruction", Role.STATE_INSTRUCTOR, Status.UNDER_INSTRUCTION),
    ("decide", Role.STATE_INSTRUCTOR, Status.DECIDED),
    ("close", Role.STATE_INSTRUCTOR, Status.CLOSED),
]


def test_happy_path() -> None:
    status = Status.DRAFT
    for event, role, target in HAPPY_PATH:
        status = workflow.next_status(status, event, [role], reason="motif")
        assert status is target


def test_every_status_has_a_french_label_and_every_event_its_roles() -> None:
    assert set(workflow.STATUS_LABELS) == set(Status)
    machine_events = {e.id for e in workflow.ApplicationLifecycle(model=None).events}
    assert machine_events == set(workflow.TRANSITIONS)
    assert all(info.roles for info in workflow.TRANSITIONS.values())


def test_closed_is_final() -> None:
    assert workflow.allowed_events(Status.CLOSED) == []


@pytest.mark.parametrize(
    ("status", "event", "role", "error", "message"),
    [
        (Status.DRAFT, "take_charge", Role.STATE_INSTRUCTOR, workflow.InvalidTransition,
         "« Prendre en charge » est impossible : la demande est « En cours de saisie »"),
        (Status.CLOSED, "reject", Role.STATE_INSTRUCTOR, workflow.InvalidTransition,
         "la demande est « Clôturée »"),
        (Status.SUBMITTED, "take_charge", Role.APPLICANT, workflow.RoleNotAllowed,
         "« Prendre en charge » est réservé à"),
        (Status.DRAFT, "submit", Role.STATE_INSTRUCTOR, workflow.RoleNotAllowed,
         "Porteur de projet"),
        (Status.TAKEN_CHARGE, "declare_admissible", Role.FUNDER_AGENT, workflow.RoleNotAllowed,
         "réservé"),
        (Status.UNDER_INSTRUCTION, "reject", Role.STATE_INSTRUCTOR, workflow.ReasonRequired,
         "un motif est obligatoire"),
        (Status.DRAFT, "fly", Role.PLATFORM_ADMIN, workflow.InvalidTransition, "inconnue"),
    ],
)  # fmt: skip
def test_forbidden_transitions(
    status: Status, event: str, role: Role, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        workflow.next_status(status, event, [role])


def test_allowed_events_by_role() -> None:
    assert workflow.allowed_events(Status.UNDER_INSTRUCTION, [Role.FUNDER_AGENT]) == [
        "request_complements",
        "decide",
    ]
    assert workflow.allowed_events(Status.UNDER_INSTRUCTION, [Role.APPLICANT]) == []


def test_history_sentence() -> None:
    assert (
        workflow.history_sentence("Sophie", "reject", "hors contrat")
        == "Sophie a rejeté la demande — motif : hors contrat"
    )


def _action(**over: object) -> completeness.ActionFacts:
    base: dict[str, object] = {
        "number": 1,
        "title": "Atelier",
        "objectives": "Lire",
        "public": "Jeunes",
        "qpv_codes": ("QN01801M",),
        "beneficiaries": 30,
        "qpv_share": Decimal(80),
        "starts_on": dt.date(2025, 1, 1),
        "ends_on": dt.date(2025, 12, 31),
        "budget": (
            BudgetEntry("60", "achats", Decimal(1000)),
            BudgetEntry("74", "sub", Decimal(1000)),
        ),
        "plan": (PlanLine("État", 2025, Decimal(600)), PlanLine("CAF", 2025, Decimal(400))),
    }
    base.update(over)
    return completeness.ActionFacts(**base)  # type: ignore[arg-type]


def _app(*actions: completeness.ActionFacts, **over: object) -> completeness.ApplicationFacts:
    base: dict[str, object] = {
        "title": "Demande",
        "applicant_siret": "55212022200013",
        "first_year": 2025,
        "years": 1,
        "attested": True,
        "actions": actions,
        "contract_qpv_codes": ("QN01801M",),
    }
    base.update(over)
    return completeness.ApplicationFacts(**base)  # type: ignore[arg-type]


ON = dt.date(2025, 1, 1)


def test_complete_application_has_no_problem() -> None:
    assert completeness.problems(_app(_action()), ON) == []


def test_problems_are_precise_per_field() -> None:
    found = completeness.problems(
        _app(
            _action(objectives="", qpv_codes=("QN99999Z",), ends_on=dt.date(2024, 1, 1)),
            _action(number=2, plan=(PlanLine("État", 2025, Decimal(900)),)),
            attested=False,
            years=5,
        ),
        ON,
    )
    by_field = {p.field: p.message for p in found}
    assert by_field["actions.1.objectives"] == "action n° 1 : objectifs manquants"
    assert "hors du contrat de ville : QN99999Z" in by_field["actions.1.qpv_codes"]
    assert "précède le début" in by_field["actions.1.dates"]
    assert "ne correspondent pas aux subventions du budget" in by_field["actions.2.plan"]
    assert "au plus 4 exercices" in by_field["years"]
    assert "attestation sur l'honneur" in by_field["attestation"]
