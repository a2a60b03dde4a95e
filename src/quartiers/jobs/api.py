"""API : `GET /api/v1/jobs/{token}` — l'état d'un traitement, pour son seul propriétaire."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from quartiers.jobs import services
from quartiers.jobs.status import status_data

router = Router(tags=["traitements"])


class JobEventOut(Schema):
    at: str
    event: str
    from_state: str
    to_state: str
    message: str
    actor: str


class JobOut(Schema):
    token: str
    kind: str
    kind_label: str
    state: str
    state_label: str
    finished: bool
    progress: float
    percent: int
    progress_label: str
    message: str
    summary: dict[str, Any]
    attempts: int
    cancel_requested: bool
    can_cancel: bool
    created_at: str
    started_at: str | None
    finished_at: str | None
    files_purged: bool
    result_url: str | None
    page_url: str
    events: list[JobEventOut]


@router.get("/{token}", response=JobOut, summary="État d'un traitement en arrière-plan")
def job_status(request: HttpRequest, token: str) -> dict[str, Any]:
    """Introuvable (404) aussi bien pour un jeton inconnu que pour le traitement d'un autre."""
    session = getattr(request, "session", None)
    try:
        job = services.job_for(token, request.user, session.session_key if session else None)
    except services.JobNotFound:
        raise HttpError(404, "traitement introuvable") from None
    return status_data(job)
