"""Courriels des financements : qui est prévenu, de quoi, en français ; rappels et retards.

Le contenu se vérifie en exécutant la tâche mise en file (sa fonction, directement) ; le
chemin complet passe par un vrai `quartiers worker` et un vrai serveur SMTP local (aiosmtpd).
"""

from __future__ import annotations

import datetime as dt
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from quartiers.accounts.models import AuditEvent
from quartiers.funding import notifications, services
from quartiers.funding.models import ComplementRequest, FundingLine
from quartiers.funding.tasks import remind_complements, send_application_notice
from tests.workers import Workers, wait_for

from .conftest import World

NOTICE = send_application_notice.module_path


def _enqueued() -> list[tuple[Any, ...]]:
    rows = DBTaskResult.objects.filter(task_path=NOTICE).order_by("enqueued_at", "id")
    return [tuple(r.args_kwargs["args"]) for r in rows]


def _run_enqueued() -> None:
    """Ce que ferait le travailleur : chaque tâche en file, exécutée une fois."""
    for row in DBTaskResult.objects.filter(task_path=NOTICE).order_by("enqueued_at", "id"):
        send_application_notice.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        row.delete()


def _by_recipient() -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for message in mail.outbox:
        for to in message.to:
            out.setdefault(to, []).append(message)
    return out


def test_submission_is_enqueued_after_commit_and_mails_the_departments_instructors(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    app = world.complete_draft()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.transition(world.users["applicant"], app, "submit")
        assert _enqueued() == []  # rien avant la validation
    assert len(callbacks) == 1
    assert _enqueued() == [(app.pk, "submit", "")]
    _run_enqueued()
    got = _by_recipient()
    # Seule l'instructrice du Cher est prévenue ; ni celle de la Haute-Garonne, ni les autres.
    assert set(got) == {"inst@t.invalid"}
    message = got["inst@t.invalid"][0]
    assert message.subject == f"[Quartiers] Nouvelle demande transmise : {app.reference}"
    assert "Les Tilleuls a transmis la demande de subvention" in message.body
    assert "4\u202f500 €" in message.body
    assert f"/financements/demandes/{app.pk}" in message.body


def test_a_refused_transition_enqueues_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    app = world.complete_draft()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(services.ServiceError),
    ):
        # Transmise ? Non : encore en cours de saisie, la prise en charge est refusée.
        services.transition(world.users["state_instructor"], app, "take_charge")
    assert callbacks == []
    assert _enqueued() == []


def test_each_step_mails_whom_it_concerns(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    inst, owner = world.users["state_instructor"], world.users["applicant"]
    app = world.advance(world.complete_draft(), "under_instruction")
    mail.outbox.clear()
    due = timezone.localdate() + dt.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_complements(inst, app, "Il manque le RIB.", ["RIB", "Statuts signés"], due)
    _run_enqueued()
    got = _by_recipient()
    # Les membres de la structure porteuse : le porteur et la responsable.
    assert set(got) == {"porteur@t.invalid", "resp@t.invalid"}
    body = got["porteur@t.invalid"][0].body
    assert "Il manque le RIB." in body
    assert "– Statuts signés" in body
    assert f"au plus tard le {due:%d/%m/%Y}" in body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_complements(owner, app, "RIB déposé ce jour.")
    _run_enqueued()
    got = _by_recipient()
    assert set(got) == {"inst@t.invalid"}
    assert "RIB déposé ce jour." in got["inst@t.invalid"][0].body

    services.transition(inst, app, "resume_instruction")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for line in FundingLine.objects.filter(action__application=app):
            decider = (
                world.users["funder_agent"]
                if line.funder_id == world.orgs["caf"].pk
                else world.users["state_instructor"]
            )
            services.record_decision(decider, line, "granted", line.requested, "Conforme")
    _run_enqueued()
    got = _by_recipient()
    assert set(got) == {"porteur@t.invalid", "resp@t.invalid"}
    message = got["porteur@t.invalid"][0]
    assert message.subject == f"[Quartiers] Décision sur votre demande {app.reference}"
    assert "total accordé : 4\u202f500 €" in message.body
    assert "CAF 18 : demandé 1\u202f500 €, accordé 1\u202f500 € (Conforme)" in message.body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(inst, app, "close", "Action réalisée")
    _run_enqueued()
    got = _by_recipient()
    assert set(got) == {"porteur@t.invalid", "resp@t.invalid"}
    assert "Motif : Action réalisée" in got["resp@t.invalid"][0].body


def test_rejection_mails_the_applicant_with_the_reason(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    app = world.advance(world.complete_draft(), "under_instruction")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(world.users["state_instructor"], app, "reject", "Hors du périmètre")
    _run_enqueued()
    got = _by_recipient()
    assert set(got) == {"porteur@t.invalid", "resp@t.invalid"}
    assert got["porteur@t.invalid"][0].subject.endswith("est rejetée")
    assert "Motif : Hors du périmètre" in got["porteur@t.invalid"][0].body


def _with_complements(world: World, due: dt.date) -> Any:
    app = world.advance(world.complete_draft(), "under_instruction")
    services.request_complements(
        world.users["state_instructor"], app, "Il manque le RIB.", ["RIB"], due
    )
    return app


def test_reminder_before_the_due_date_then_overdue_once(world: World) -> None:
    today = timezone.localdate()
    due = today + dt.timedelta(days=5)
    app = _with_complements(world, due)
    mail.outbox.clear()
    # Trop tôt (rappel à 3 jours) : rien.
    assert notifications.send_complement_reminders(today).reminders == 0
    report = notifications.send_complement_reminders(due - dt.timedelta(days=2))
    assert (report.reminders, report.overdue, report.mails) == (1, 0, 2)
    got = _by_recipient()
    assert set(got) == {"porteur@t.invalid", "resp@t.invalid"}
    assert "attendus dans 2 jours" in got["porteur@t.invalid"][0].body
    # Jamais deux fois.
    assert notifications.send_complement_reminders(due).reminders == 0
    request = ComplementRequest.objects.get(application=app)
    assert request.reminded_at is not None and not request.overdue_on(due)
    assert request.overdue_on(due + dt.timedelta(days=1))

    mail.outbox.clear()
    report = notifications.send_complement_reminders(due + dt.timedelta(days=1))
    assert (report.reminders, report.overdue) == (0, 1)
    got = _by_recipient()
    assert set(got) == {"porteur@t.invalid", "resp@t.invalid", "inst@t.invalid"}
    assert "Échéance dépassée" in got["inst@t.invalid"][0].subject
    assert notifications.send_complement_reminders(due + dt.timedelta(days=2)).overdue == 0
    actions = list(
        AuditEvent.objects.filter(target_id=str(app.pk), action__contains="complements")
        .values_list("action", flat=True)
        .order_by("id")
    )
    assert actions == [
        "application.request_complements",
        "application.complements_reminded",
        "application.complements_overdue",
    ]
    sentences = [h.sentence for h in services.history(world.users["applicant"], app)]
    assert "a signalé que l'échéance des compléments est dépassée" in sentences


def test_answered_complements_get_no_reminder(world: World) -> None:
    due = timezone.localdate() + dt.timedelta(days=1)
    app = _with_complements(world, due)
    services.answer_complements(world.users["applicant"], app, "Voici le RIB.")
    mail.outbox.clear()
    assert notifications.send_complement_reminders(due + dt.timedelta(days=3)).mails == 0
    assert mail.outbox == []


def test_overdue_is_shown_on_the_application_page(world: World, client: Any) -> None:
    app = _with_complements(world, timezone.localdate() + dt.timedelta(days=1))
    ComplementRequest.objects.filter(application=app).update(
        due_on=timezone.localdate() - dt.timedelta(days=1)
    )
    client.force_login(world.users["applicant"])
    page = client.get(f"/financements/demandes/{app.pk}").content.decode()
    assert "échéance dépassée" in page


def test_the_periodic_task_is_registered_for_the_worker() -> None:
    from quartiers.jobs.registry import periodic_tasks

    assert remind_complements in [p.task for p in periodic_tasks()]


# --------------------------------------------------------------------------- vrai travailleur


def _text(message: Message) -> tuple[str, str, str]:
    subject = str(make_header(decode_header(message["Subject"])))
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return message["To"], subject, payload.decode("utf-8")


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_mails_and_the_reminders_over_smtp(
    world: World, workers: Workers, smtp_server: Any
) -> None:
    workers.start(
        "courriel",
        QUARTIERS_EMAIL_HOST=smtp_server.host,
        QUARTIERS_EMAIL_PORT=str(smtp_server.port),
        QUARTIERS_EMAIL_TLS="0",
        QUARTIERS_FUNDING_REMINDER_SECONDS="0.5",
        QUARTIERS_SITE_URL="https://quartiers.exemple.fr",
    )
    inst = world.users["state_instructor"]
    app = world.complete_draft()
    services.transition(world.users["applicant"], app, "submit")

    def received(to: str, fragment: str) -> bool:
        return any(
            t == to and fragment in s for t, s, _ in (_text(m) for m in smtp_server.messages)
        )

    wait_for(lambda: received("inst@t.invalid", "Nouvelle demande transmise"), "courriel")
    services.transition(inst, app, "take_charge")
    services.request_complements(
        inst, app, "Il manque le RIB.", ["RIB"], timezone.localdate() + dt.timedelta(days=1)
    )
    wait_for(lambda: received("porteur@t.invalid", "Compléments demandés"), "demande")
    # La tâche périodique du travailleur envoie le rappel (échéance dans un jour).
    wait_for(lambda: received("porteur@t.invalid", "Rappel : compléments"), "rappel")
    services.answer_complements(world.users["applicant"], app, "RIB déposé.")
    wait_for(lambda: received("inst@t.invalid", "Compléments reçus"), "réponse")
    bodies = [b for t, s, b in map(_text, smtp_server.messages) if "Nouvelle demande" in s]
    assert f"https://quartiers.exemple.fr/financements/demandes/{app.pk}" in bodies[0]
    reminders = [s for _, s, _ in map(_text, smtp_server.messages) if "Rappel" in s]
    assert len(reminders) == 2  # porteur et responsable, une seule fois chacun
