"""API : `GET /api/v1/jobs/{token}` — l'état d'un traitement, pour son seul propriétaire."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from quartiers.accounts.api_auth import token_auth
from quartiers.accounts.models import User
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


def visitor(request: HttpRequest) -> Any:
    """Sans jeton : le compte de la session, ou le visiteur anonyme (ses lots publics)."""
    return getattr(request, "user", None) or "visiteur"


@router.get(
    "/{token}",
    response=JobOut,
    summary="État d'un traitement en arrière-plan",
    auth=[token_auth, visitor],
)
def job_status(request: HttpRequest, token: str) -> dict[str, Any]:
    """Introuvable (404) aussi bien pour un jeton inconnu que pour le traitement d'un autre.
    Jeton personnel (`Authorization: Bearer qrt_…`) pour les scripts, session pour les pages."""
    session = getattr(request, "session", None)
    user = request.auth if isinstance(request.auth, User) else request.user  # type: ignore[attr-defined]
    try:
        job = services.job_for(token, user, session.session_key if session else None)
    except services.JobNotFound:
        raise HttpError(404, "traitement introuvable") from None
    return status_data(job)
