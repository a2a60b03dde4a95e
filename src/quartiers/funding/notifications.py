"""Courriels des financements : qui est prévenu à chaque étape, et de quoi, en français.

Les services ne font qu'appeler `notify_on_commit(...)` dans la transaction de la transition :
la tâche `funding.tasks.send_application_notice` est mise en file **après** la validation
(`transaction.on_commit`) ; rien ne part si la transition est annulée. Le travailleur compose
alors les messages (`compose`) et les envoie par le courriel de Django (`deliver`), un message
par destinataire (aucune adresse n'est montrée aux autres).

Rappels et retards des demandes de compléments : `send_complement_reminders`, tâche périodique
(`funding.tasks.remind_complements`) que chaque travailleur met en file ; chaque rappel est
« réservé » par une mise à jour conditionnelle, jamais envoyé deux fois même à plusieurs
travailleurs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from quartiers.accounts import audit
from quartiers.accounts.models import Membership, User
from quartiers.core import fr
from quartiers.core.accounts import Role
from quartiers.core.accounts import scope_of as core_scope_of
from quartiers.core.funding import int_parameter
from quartiers.core.funding.workflow import Status
from quartiers.funding.models import ComplementRequest, FundingLine, GrantApplication

APPLICANT_ROLES = (Role.APPLICANT.value, Role.ORGANISATION_ADMIN.value)
PLATFORM = "plateforme (rappels automatiques)"

# Les événements qui préviennent quelqu'un (les autres ne concernent que qui les fait).
NOTIFIED_EVENTS = frozenset(
    {
        "submit",
        "take_charge",
        "declare_inadmissible",
        "request_complements",
        "answer_complements",
        "decide",
        "reject",
        "close",
    }
)


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def notify_on_commit(application: GrantApplication, event: str, reason: str = "") -> None:
    """Met en file le courriel de cet événement une fois la transaction validée."""
    if event not in NOTIFIED_EVENTS:
        return
    from quartiers.funding.tasks import send_application_notice

    pk = application.pk
    transaction.on_commit(lambda: send_application_notice.enqueue(pk, event, reason))


# --------------------------------------------------------------------------- destinataires


def applicant_members(application: GrantApplication) -> list[User]:
    """Les membres de la structure porteuse (porteurs et responsables), comptes actifs."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation_id=application.applicant_id,
            memberships__role__in=APPLICANT_ROLES,
        )
        .distinct()
        .order_by("email")
    )


def state_instructors(application: GrantApplication) -> list[User]:
    """Les instructeurs de l'État dont la portée couvre la demande (son département)."""
    found: dict[int, User] = {}
    memberships = Membership.objects.filter(
        role=Role.STATE_INSTRUCTOR.value, user__is_active=True
    ).select_related("user", "organisation")
    for membership in memberships:
        if core_scope_of([membership.facts]).covers(application.place):
            found[membership.user_id] = membership.user
    return sorted(found.values(), key=lambda u: u.email)


# --------------------------------------------------------------------------- textes


def application_url(application: GrantApplication) -> str:
    base = str(getattr(settings, "QUARTIERS_SITE_URL", "")).rstrip("/")
    return base + reverse("funding:detail", args=[application.pk])


def _header(application: GrantApplication) -> str:
    return (
        f"Demande : {application.reference} — {application.title or 'sans intitulé'}\n"
        f"Structure : {application.applicant.name}\n"
        f"Appel à projets : {application.call}\n"
    )


def _footer(application: GrantApplication) -> str:
    return (
        f"\nVoir la demande : {application_url(application)}\n\n"
        "Ce message vous est envoyé par la plateforme Quartiers parce que vous suivez cette "
        "demande. Merci de ne pas y répondre : répondez depuis la plateforme.\n"
    )


def _mails(
    users: Iterable[User], subject: str, application: GrantApplication, text: str
) -> list[Mail]:
    body = f"Bonjour,\n\n{text.strip()}\n\n{_header(application)}{_footer(application)}"
    return [Mail(u.email, f"[Quartiers] {subject}", body) for u in users if u.email]


def _pending_complement(application: GrantApplication) -> ComplementRequest | None:
    return application.complement_requests.order_by("-requested_at", "-id").first()


def _answered_complement(application: GrantApplication) -> ComplementRequest | None:
    return (
        application.complement_requests.filter(answered_at__isnull=False)
        .order_by("-answered_at", "-id")
        .first()
    )


def _complement_text(request: ComplementRequest) -> str:
    items = "".join(f"  – {item}\n" for item in request.missing_items)
    text = f"Message de l'instructeur :\n{request.message}\n"
    if items:
        text += f"\nÉléments manquants :\n{items}"
    return text + f"\nÀ rendre au plus tard le {fr.date(request.due_on)}.\n"


def _decision_text(application: GrantApplication) -> str:
    lines = FundingLine.objects.filter(
        action__application=application, year=application.first_year
    ).select_related("funder", "action")
    rows = []
    granted = Decimal(0)
    for line in lines.order_by("action__number", "funder__name"):
        if line.granted is not None:
            granted += line.granted
            outcome = f"accordé {fr.euros(line.granted)}"
        else:
            outcome = "refusé"
        rows.append(
            f"  – action {line.action.number}, {line.funder.name} : demandé "
            f"{fr.euros(line.requested)}, {outcome}"
            + (f" ({line.justification})" if line.justification else "")
        )
    return (
        f"Tous les financeurs ont rendu leur décision pour l'exercice {application.first_year} "
        f"(total accordé : {fr.euros(granted)}) :\n" + "\n".join(rows)
    )


def compose(application_id: int, event: str, reason: str = "") -> list[Mail]:
    """Les courriels d'un événement de la demande (vide si la demande a disparu)."""
    application = (
        GrantApplication.objects.select_related("applicant", "call", "call__contract")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        return []
    ref = application.reference
    why = f"\nMotif : {reason.strip()}\n" if reason.strip() else ""
    if event == "submit":
        return _mails(
            state_instructors(application),
            f"Nouvelle demande transmise : {ref}",
            application,
            f"{application.applicant.name} a transmis la demande de subvention {ref} "
            f"(montant demandé : {fr.euros(application.requested_total)}). "
            "Elle attend sa prise en charge par le service instructeur.",
        )
    if event == "take_charge":
        return _mails(
            applicant_members(application),
            f"Votre demande {ref} est prise en charge",
            application,
            "Le service instructeur de l'État a pris en charge votre demande ; "
            "il en vérifie maintenant la recevabilité.",
        )
    if event == "declare_inadmissible":
        return _mails(
            applicant_members(application),
            f"Votre demande {ref} n'est pas recevable",
            application,
            f"Le service instructeur a déclaré votre demande non recevable.\n{why}",
        )
    if event == "request_complements":
        complement = _pending_complement(application)
        text = "Le service instructeur vous demande des compléments pour votre demande.\n\n"
        if complement is not None:
            text += _complement_text(complement)
        text += "\nRépondez depuis la page de la demande ; elle reviendra alors à l'instruction."
        return _mails(
            applicant_members(application),
            f"Compléments demandés pour votre demande {ref}",
            application,
            text,
        )
    if event == "answer_complements":
        answered = _answered_complement(application)
        recipients = (
            [answered.requested_by]
            if answered is not None and answered.requested_by.is_active
            else state_instructors(application)
        )
        answer = f"\nRéponse :\n{answered.answer}\n" if answered is not None else ""
        return _mails(
            recipients,
            f"Compléments reçus pour la demande {ref}",
            application,
            f"{application.applicant.name} a répondu à votre demande de compléments ; "
            f"la demande peut reprendre son instruction.\n{answer}",
        )
    if event == "decide":
        return _mails(
            applicant_members(application),
            f"Décision sur votre demande {ref}",
            application,
            _decision_text(application),
        )
    if event == "reject":
        return _mails(
            applicant_members(application),
            f"Votre demande {ref} est rejetée",
            application,
            f"Votre demande de subvention a été rejetée.\n{why}",
        )
    if event == "close":
        return _mails(
            applicant_members(application),
            f"Votre demande {ref} est clôturée",
            application,
            f"Votre demande de subvention est clôturée : son instruction est terminée.\n{why}",
        )
    return []


def deliver(mails: Sequence[Mail]) -> int:
    """Envoie les courriels (une connexion pour tous) ; rend le nombre envoyé."""
    if not mails:
        return 0
    connection = get_connection()
    messages = [EmailMessage(m.subject, m.body, to=[m.to], connection=connection) for m in mails]
    return int(connection.send_messages(messages) or 0)


# --------------------------------------------------------------------------- rappels


@dataclass(frozen=True)
class ReminderReport:
    reminders: int
    overdue: int
    mails: int


def _claim(request: ComplementRequest, field: str) -> bool:
    """Réserve l'envoi (une seule fois, même à plusieurs travailleurs)."""
    claimed = ComplementRequest.objects.filter(pk=request.pk, **{f"{field}__isnull": True}).update(
        **{field: timezone.now()}
    )
    return bool(claimed)


def send_complement_reminders(on: dt.date | None = None) -> ReminderReport:
    """Rappel au porteur quelques jours avant l'échéance ; retard signalé au porteur et à
    l'instructeur le lendemain de l'échéance. Chaque envoi est consigné au journal de la demande.

    La réservation, le journal et l'envoi sont dans une transaction : si le serveur de courriel
    refuse, rien n'est marqué et le tour suivant réessaie."""
    on = on or timezone.localdate()
    days = int_parameter("complement_reminder_days", on)
    pending = ComplementRequest.objects.filter(
        answered_at__isnull=True,
        application__status=Status.COMPLEMENTS_REQUESTED.value,
    ).select_related("application__applicant", "application__call", "requested_by")
    reminders = overdue = sent = 0
    soon = pending.filter(
        reminded_at__isnull=True, due_on__gte=on, due_on__lte=on + dt.timedelta(days=days)
    )
    for request in soon:
        with transaction.atomic():
            if _claim(request, "reminded_at"):
                sent += _remind(request, on)
                reminders += 1
    for request in pending.filter(overdue_notified_at__isnull=True, due_on__lt=on):
        with transaction.atomic():
            if _claim(request, "overdue_notified_at"):
                sent += _signal_overdue(request)
                overdue += 1
    return ReminderReport(reminders, overdue, sent)


def _remind(request: ComplementRequest, on: dt.date) -> int:
    app = request.application
    left = (request.due_on - on).days
    when = "aujourd'hui" if left == 0 else f"dans {left} jour{'s' if left > 1 else ''}"
    audit.record(
        PLATFORM,
        "application.complements_reminded",
        app,
        {"due_on": (None, request.due_on.isoformat())},
    )
    return deliver(
        _mails(
            applicant_members(app),
            f"Rappel : compléments attendus pour votre demande {app.reference}",
            app,
            f"Les compléments demandés pour votre demande sont attendus {when}, au plus tard "
            f"le {fr.date(request.due_on)}.\n\n{_complement_text(request)}",
        )
    )


def _signal_overdue(request: ComplementRequest) -> int:
    app = request.application
    recipients = applicant_members(app)
    if request.requested_by.is_active:
        recipients.append(request.requested_by)
    audit.record(
        PLATFORM,
        "application.complements_overdue",
        app,
        {"due_on": (None, request.due_on.isoformat())},
    )
    asked = fr.date(timezone.localdate(request.requested_at))
    return deliver(
        _mails(
            recipients,
            f"Échéance dépassée : compléments de la demande {app.reference}",
            app,
            f"Les compléments demandés le {asked} étaient attendus au plus tard le "
            f"{fr.date(request.due_on)} et n'ont pas été reçus.\n\n{_complement_text(request)}",
        )
    )
