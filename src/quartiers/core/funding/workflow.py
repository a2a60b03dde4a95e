"""Cycle de vie d'une demande de subvention : une table de transitions déclarée, les rôles qui les portent.

Statuts de Dauphin (funding-and-governance.md §1.4, relevés par Data.Subvention) : en cours de
saisie → transmise → prise en charge → recevable / non recevable → en attente d'instruction →
en cours d'instruction ⇄ demande de compléments → complétée → décidée par les financeurs ou
rejetée → clôturée. La machine (`python-statemachine`) dit quelles transitions existent ; la table
`TRANSITIONS` dit qui peut les déclencher et si un motif est exigé.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from statemachine import StateMachine
from statemachine.exceptions import TransitionNotAllowed
from statemachine.states import States

from quartiers.core.accounts import Role


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    TAKEN_CHARGE = "taken_charge"
    ADMISSIBLE = "admissible"
    INADMISSIBLE = "inadmissible"
    AWAITING_INSTRUCTION = "awaiting_instruction"
    UNDER_INSTRUCTION = "under_instruction"
    COMPLEMENTS_REQUESTED = "complements_requested"
    COMPLEMENTED = "complemented"
    DECIDED = "decided"
    REJECTED = "rejected"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: Mapping[Status, str] = {
    Status.DRAFT: "En cours de saisie",
    Status.SUBMITTED: "Transmise",
    Status.TAKEN_CHARGE: "Prise en charge",
    Status.ADMISSIBLE: "Recevable",
    Status.INADMISSIBLE: "Non recevable",
    Status.AWAITING_INSTRUCTION: "En attente d'instruction",
    Status.UNDER_INSTRUCTION: "En cours d'instruction",
    Status.COMPLEMENTS_REQUESTED: "Demande de compléments",
    Status.COMPLEMENTED: "Complétée",
    Status.DECIDED: "Décidée par les financeurs",
    Status.REJECTED: "Rejetée",
    Status.CLOSED: "Clôturée",
}
# Statuts où le porteur peut encore modifier sa demande.
EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.COMPLEMENTS_REQUESTED})
# Statuts où les financeurs donnent leur avis et décident.
INSTRUCTION_STATUSES = frozenset({Status.UNDER_INSTRUCTION, Status.COMPLEMENTED})
FINAL_STATUSES = frozenset({Status.CLOSED})


class ApplicationLifecycle(StateMachine):
    """Les transitions permises, une par événement ; rien d'autre ne change un statut."""

    _ = States.from_enum(Status, initial=Status.DRAFT, final=Status.CLOSED, use_enum_instance=False)

    submit = _.DRAFT.to(_.SUBMITTED)
    take_charge = _.SUBMITTED.to(_.TAKEN_CHARGE)
    declare_admissible = _.TAKEN_CHARGE.to(_.ADMISSIBLE)
    declare_inadmissible = _.TAKEN_CHARGE.to(_.INADMISSIBLE)
    queue_for_instruction = _.ADMISSIBLE.to(_.AWAITING_INSTRUCTION)
    start_instruction = _.AWAITING_INSTRUCTION.to(_.UNDER_INSTRUCTION)
    request_complements = _.TAKEN_CHARGE.to(_.COMPLEMENTS_REQUESTED) | _.UNDER_INSTRUCTION.to(
        _.COMPLEMENTS_REQUESTED
    )
    answer_complements = _.COMPLEMENTS_REQUESTED.to(_.COMPLEMENTED)
    resume_instruction = _.COMPLEMENTED.to(_.UNDER_INSTRUCTION)
    decide = _.UNDER_INSTRUCTION.to(_.DECIDED) | _.COMPLEMENTED.to(_.DECIDED)
    reject = (
        _.AWAITING_INSTRUCTION.to(_.REJECTED)
        | _.UNDER_INSTRUCTION.to(_.REJECTED)
        | _.COMPLEMENTED.to(_.REJECTED)
        | _.COMPLEMENTS_REQUESTED.to(_.REJECTED)
    )
    close = _.DECIDED.to(_.CLOSED) | _.REJECTED.to(_.CLOSED) | _.INADMISSIBLE.to(_.CLOSED)


APPLICANT_ROLES = frozenset({Role.APPLICANT, Role.ORGANISATION_ADMIN})
STATE_ROLES = frozenset({Role.STATE_INSTRUCTOR, Role.PLATFORM_ADMIN})
INSTRUCTING_ROLES = STATE_ROLES | {Role.FUNDER_AGENT}


@dataclass(frozen=True)
class TransitionInfo:
    """Ce qu'une transition veut dire : verbe français, rôles qui la portent, motif exigé."""

    event: str
    label: str
    history: str
    roles: frozenset[Role]
    reason_required: bool = False


TRANSITIONS: Mapping[str, TransitionInfo] = {
    info.event: info
    for info in (
        TransitionInfo(
            "submit", "Transmettre la demande", "a transmis la demande", APPLICANT_ROLES
        ),
        TransitionInfo(
            "take_charge", "Prendre en charge", "a pris en charge la demande", STATE_ROLES
        ),
        TransitionInfo(
            "declare_admissible",
            "Déclarer recevable",
            "a déclaré la demande recevable",
            STATE_ROLES,
        ),
        TransitionInfo(
            "declare_inadmissible",
            "Déclarer non recevable",
            "a déclaré la demande non recevable",
            STATE_ROLES,
            reason_required=True,
        ),
        TransitionInfo(
            "queue_for_instruction",
            "Mettre en attente d'instruction",
            "a mis la demande en attente d'instruction",
            STATE_ROLES,
        ),
        TransitionInfo(
            "start_instruction",
            "Commencer l'instruction",
            "a commencé l'instruction",
            INSTRUCTING_ROLES,
        ),
        TransitionInfo(
            "request_complements",
            "Demander des compléments",
            "a demandé des compléments",
            INSTRUCTING_ROLES,
            reason_required=True,
        ),
        TransitionInfo(
            "answer_complements",
            "Répondre à la demande de compléments",
            "a répondu à la demande de compléments",
            APPLICANT_ROLES,
        ),
        TransitionInfo(
            "resume_instruction",
            "Reprendre l'instruction",
            "a repris l'instruction avec les compléments",
            INSTRUCTING_ROLES,
        ),
        TransitionInfo(
            "decide",
            "Constater la décision des financeurs",
            "a constaté que tous les financeurs ont décidé",
            INSTRUCTING_ROLES,
        ),
        TransitionInfo(
            "reject", "Rejeter la demande", "a rejeté la demande", STATE_ROLES, reason_required=True
        ),
        TransitionInfo("close", "Clôturer", "a clôturé la demande", STATE_ROLES),
    )
}


class WorkflowError(Exception):
    """Transition refusée ; message français et données (statut, événement, rôles)."""

    def __init__(self, message: str, **data: str) -> None:
        super().__init__(message)
        self.message = message
        self.data = data


class InvalidTransition(WorkflowError):
    """L'événement n'existe pas depuis ce statut."""


class RoleNotAllowed(WorkflowError):
    """Aucun des rôles de l'acteur ne porte cette transition."""


class ReasonRequired(WorkflowError):
    """La transition exige un motif (non recevable, rejet, demande de compléments)."""


class _Holder:
    def __init__(self, state: str) -> None:
        self.state = state


def next_status(current: str, event: str, roles: Iterable[Role | str], reason: str = "") -> Status:
    """Le statut après `event`, si la machine le permet, si un rôle de l'acteur le porte, motif compris."""
    status = Status(current)
    info = TRANSITIONS.get(event)
    if info is None:
        raise InvalidTransition(f"action « {event} » inconnue", event=event)
    holder = _Holder(status.value)
    machine = ApplicationLifecycle(model=holder)
    try:
        machine.send(event)
    except TransitionNotAllowed:
        raise InvalidTransition(
            f"« {info.label} » est impossible : la demande est « {status.label} »",
            status=status.value,
            event=event,
        ) from None
    held = {Role(r) for r in roles}
    if not held & info.roles:
        allowed = ", ".join(sorted(_role_label(r) for r in info.roles))
        raise RoleNotAllowed(
            f"« {info.label} » est réservé à : {allowed}", status=status.value, event=event
        )
    if info.reason_required and not reason.strip():
        raise ReasonRequired(f"« {info.label} » : un motif est obligatoire", event=event)
    return Status(str(holder.state))


def allowed_events(current: str, roles: Iterable[Role | str] = ()) -> list[str]:
    """Les événements possibles depuis ce statut (pour un rôle donné si `roles` est fourni)."""
    machine = ApplicationLifecycle(model=_Holder(Status(current).value))
    held = {Role(r) for r in roles}
    events = [event.id for event in machine.allowed_events]
    if roles:
        events = [e for e in events if TRANSITIONS[e].roles & held]
    return events


def _role_label(role: Role) -> str:
    from quartiers.core.accounts import role_label

    return role_label(role)


def history_sentence(actor: str, event: str, reason: str = "") -> str:
    """Une ligne d'historique en français simple : « Sophie Lefebvre a pris en charge la demande »."""
    info = TRANSITIONS.get(event)
    what = info.history if info else f"a effectué « {event} »"
    return f"{actor} {what}" + (f" — motif : {reason}" if reason else "")
