"""Ce que la page, son rafraîchissement et l'API montrent d'un traitement (une seule forme)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from quartiers.jobs.models import Job
from quartiers.jobs.registry import kind_label


def percent(job: Job) -> int:
    return 100 if job.state == "done" else int(job.progress * 100)


def status_data(job: Job) -> dict[str, Any]:
    """État, avancement, messages, horaires, journal ; sans chemin de fichier ni trace."""
    result = job.result_file
    return {
        "token": str(job.token),
        "kind": job.kind,
        "kind_label": kind_label(job.kind),
        "state": job.state,
        "state_label": job.get_state_display(),
        "finished": job.finished,
        "progress": round(job.progress, 4),
        "percent": percent(job),
        "progress_label": job.progress_label,
        "message": job.message,
        "summary": job.summary,
        "attempts": job.attempts,
        "cancel_requested": job.cancel_requested,
        "can_cancel": job.can_cancel and not job.cancel_requested,
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "files_purged": job.files_purged_at is not None,
        "result_url": reverse("jobs:result", args=[job.token]) if result else None,
        "page_url": reverse("jobs:detail", args=[job.token]),
        "events": [
            {
                "at": event.at.isoformat(),
                "event": event.event,
                "from_state": event.from_state,
                "to_state": event.to_state,
                "message": event.message,
                "actor": event.actor_label,
            }
            for event in job.events.all()
        ],
    }
