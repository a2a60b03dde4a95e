"""Tâches de Django (django-tasks) des financements : courriels des étapes, rappels périodiques."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from quartiers.funding import notifications


@task()
def send_application_notice(application_id: int, event: str, reason: str = "") -> dict[str, Any]:
    """Compose et envoie les courriels d'un événement de la demande (mise en file à la
    validation de la transition, par `notifications.notify_on_commit`)."""
    mails = notifications.compose(application_id, event, reason)
    return {"event": event, "sent": notifications.deliver(mails)}


@task()
def remind_complements() -> dict[str, Any]:
    """Rappels avant l'échéance et retards des demandes de compléments (tâche périodique)."""
    report = notifications.send_complement_reminders()
    return {"reminders": report.reminders, "overdue": report.overdue, "sent": report.mails}
