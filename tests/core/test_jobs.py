"""Cycle de vie d'un traitement : transitions permises et refusées, capacité de la file."""

from __future__ import annotations

import pytest

from quartiers.core.jobs import (
    InvalidTransition,
    JobState,
    QueueFull,
    allowed_events,
    check_capacity,
    clamp_progress,
    next_state,
)


@pytest.mark.parametrize(
    ("state", "event", "expected"),
    [
        (None, "submit", JobState.QUEUED),
        ("queued", "start", JobState.RUNNING),
        ("queued", "cancel", JobState.CANCELLED),
        ("queued", "fail", JobState.FAILED),
        ("running", "finish", JobState.DONE),
        ("running", "fail", JobState.FAILED),
        ("running", "cancel", JobState.CANCELLED),
        ("running", "retry", JobState.QUEUED),
        ("running", "request_cancel", JobState.RUNNING),
        ("done", "purge", JobState.DONE),
        ("failed", "purge", JobState.FAILED),
        ("cancelled", "purge", JobState.CANCELLED),
    ],
)
def test_allowed_transitions(state: str | None, event: str, expected: JobState) -> None:
    assert next_state(state, event) is expected


@pytest.mark.parametrize(
    ("state", "event"),
    [
        ("done", "start"),
        ("done", "cancel"),
        ("failed", "retry"),
        ("cancelled", "start"),
        ("queued", "finish"),
        ("queued", "retry"),
        ("queued", "purge"),
        ("running", "start"),
        ("running", "submit"),
        (None, "start"),
        ("queued", "inconnu"),
    ],
)
def test_refused_transitions(state: str | None, event: str) -> None:
    with pytest.raises(InvalidTransition):
        next_state(state, event)


def test_refusal_message_is_french_and_carries_data() -> None:
    with pytest.raises(InvalidTransition) as info:
        next_state("done", "cancel")
    assert info.value.message == "action impossible : le traitement est terminé"
    assert info.value.data == {"state": "done", "event": "cancel"}


def test_only_active_jobs_can_be_cancelled() -> None:
    assert "cancel" in allowed_events("queued")
    assert "cancel" in allowed_events("running")
    for state in ("done", "failed", "cancelled"):
        assert "cancel" not in allowed_events(state)


def test_labels_and_finished() -> None:
    assert [s.label for s in JobState] == ["en attente", "en cours", "terminé", "échoué", "annulé"]
    assert {s for s in JobState if s.finished} == {
        JobState.DONE,
        JobState.FAILED,
        JobState.CANCELLED,
    }


def test_capacity_per_owner_then_total() -> None:
    check_capacity(owner_active=2, total_active=9, max_per_owner=3, max_total=10)
    with pytest.raises(QueueFull, match="vous avez déjà 3 traitement"):
        check_capacity(owner_active=3, total_active=3, max_per_owner=3, max_total=10)
    with pytest.raises(QueueFull, match="le service traite déjà 10") as info:
        check_capacity(owner_active=0, total_active=10, max_per_owner=3, max_total=10)
    assert info.value.data == {"total_active": 10, "max_total": 10}


def test_progress_is_clamped() -> None:
    assert clamp_progress(1.04) == 1.0
    assert clamp_progress(-0.2) == 0.0
    assert clamp_progress(float("nan")) == 0.0
    assert clamp_progress(0.25) == 0.25
