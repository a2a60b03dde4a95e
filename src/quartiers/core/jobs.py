"""Cycle de vie d'un traitement en arrière-plan (`Job`), sans framework.

Les états et les transitions permises sont définis ici une fois, par une machine à états
(`python-statemachine`) ; le modèle Django et le travailleur ne font que l'appliquer. Les
erreurs portent leur message français et leurs données, pour être montrées telles quelles.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from statemachine import StateMachine
from statemachine.exceptions import TransitionNotAllowed
from statemachine.states import States


class JobState(StrEnum):
    """États d'un traitement (GLOSSARY : queued, running, done, failed, cancelled)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]

    @property
    def finished(self) -> bool:
        return self in FINISHED_STATES


STATE_LABELS: Mapping[JobState, str] = {
    JobState.QUEUED: "en attente",
    JobState.RUNNING: "en cours",
    JobState.DONE: "terminé",
    JobState.FAILED: "échoué",
    JobState.CANCELLED: "annulé",
}
FINISHED_STATES = frozenset({JobState.DONE, JobState.FAILED, JobState.CANCELLED})
ACTIVE_STATES = frozenset({JobState.QUEUED, JobState.RUNNING})

# Événement de création : il n'a pas d'état de départ (la machine commence en `queued`).
SUBMIT = "submit"


class JobLifecycle(StateMachine):
    """Transitions permises ; un événement non permis lève `InvalidTransition`.

    Les états finis gardent deux auto-transitions (`request_cancel` sur `running`, `purge`
    sur les états finis) : elles ne changent pas l'état mais passent par le même chemin,
    donc par le journal.
    """

    _ = States.from_enum(JobState, initial=JobState.QUEUED, use_enum_instance=False)

    start = _.QUEUED.to(_.RUNNING)
    finish = _.RUNNING.to(_.DONE)
    fail = _.RUNNING.to(_.FAILED) | _.QUEUED.to(_.FAILED)
    cancel = _.QUEUED.to(_.CANCELLED) | _.RUNNING.to(_.CANCELLED)
    retry = _.RUNNING.to(_.QUEUED)
    request_cancel = _.RUNNING.to.itself(internal=True)
    purge = (
        _.DONE.to.itself(internal=True)
        | _.FAILED.to.itself(internal=True)
        | _.CANCELLED.to.itself(internal=True)
    )


EVENTS: tuple[str, ...] = (
    "start",
    "finish",
    "fail",
    "cancel",
    "retry",
    "request_cancel",
    "purge",
)


class JobError(Exception):
    """Erreur de traitement avec un message français destiné à l'usager."""

    def __init__(self, message: str, data: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.data: dict[str, Any] = dict(data or {})


class JobFailure(JobError):
    """Échec attendu d'un traitement (fichier illisible, paramètre refusé…) : message gardé."""


class QueueFull(JobError):
    """Trop de traitements en attente ou en cours : rien n'est lancé."""


class InvalidTransition(JobError):
    """Événement impossible dans l'état courant (traitement déjà fini, par exemple)."""


class JobCancelled(Exception):
    """Levée au point de progression suivant quand l'annulation a été demandée."""


class _StateHolder:
    def __init__(self, state: str | None) -> None:
        self.state = state


def next_state(current: str | None, event: str) -> JobState:
    """L'état après `event` depuis `current` (None : traitement pas encore créé)."""
    if current is None or current == "":
        if event != SUBMIT:
            raise InvalidTransition(f"événement « {event} » impossible avant la création")
        return JobState.QUEUED
    state = JobState(current)
    if event not in EVENTS:
        raise InvalidTransition(f"événement « {event} » inconnu")
    holder = _StateHolder(state.value)
    machine = JobLifecycle(model=holder)
    try:
        machine.send(event)
    except TransitionNotAllowed:
        raise InvalidTransition(
            f"action impossible : le traitement est {state.label}",
            {"state": state.value, "event": event},
        ) from None
    return JobState(str(holder.state))


def allowed_events(current: str) -> list[str]:
    """Les événements permis depuis `current` (pour afficher ou non le bouton d'annulation)."""
    machine = JobLifecycle(model=_StateHolder(JobState(current).value))
    return [event.id for event in machine.allowed_events]


def check_capacity(
    owner_active: int, total_active: int, max_per_owner: int, max_total: int
) -> None:
    """Refuse un nouveau traitement quand la file est pleine, pour l'usager ou pour tous."""
    if owner_active >= max_per_owner:
        raise QueueFull(
            f"vous avez déjà {owner_active} traitement(s) en attente ou en cours (au plus "
            f"{max_per_owner}) : attendez qu'un traitement se termine ou annulez-en un",
            {"owner_active": owner_active, "max_per_owner": max_per_owner},
        )
    if total_active >= max_total:
        raise QueueFull(
            f"le service traite déjà {total_active} traitement(s) (au plus {max_total}) : "
            "réessayez dans quelques minutes",
            {"total_active": total_active, "max_total": max_total},
        )


def clamp_progress(fraction: float) -> float:
    """Avancement borné à [0, 1] (un calcul approximatif ne doit pas afficher 104 %)."""
    if fraction != fraction:  # NaN
        return 0.0
    return min(1.0, max(0.0, float(fraction)))
