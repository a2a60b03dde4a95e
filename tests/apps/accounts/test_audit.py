"""Journal d'audit : unique chemin d'écriture, et la base refuse toute modification ou suppression."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from quartiers.accounts import audit, services
from quartiers.accounts.models import AuditEvent, Organisation, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def event() -> AuditEvent:
    user = User.objects.create_user("agent@example.org", "x", "Agent Test")
    organisation = Organisation.objects.create(name="CAF test", kind="caf", department_code="18")
    return audit.record(
        user, "organisation.changed", organisation, {"name": ("CAF", "CAF test")}, "coquille"
    )


def test_record_keeps_who_what_when_why(event: AuditEvent) -> None:
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor is not None and stored.actor.email == "agent@example.org"
    assert stored.actor_label == "Agent Test (agent@example.org)"
    assert (stored.action, stored.target_type, stored.target_label) == (
        "organisation.changed",
        "accounts.organisation",
        "CAF test",
    )
    assert stored.changes == {"name": {"before": "CAF", "after": "CAF test"}}
    assert stored.reason == "coquille"
    assert list(audit.events_for("accounts.organisation", stored.target_id)) == [stored]


def test_record_accepts_a_system_actor_and_refuses_bad_actions(event: AuditEvent) -> None:
    organisation = Organisation.objects.get()
    system = audit.record("tâche n° 12", "job.failed", organisation)
    assert system.actor is None and system.actor_label == "tâche n° 12"
    assert audit.record(None, "job.done", organisation).actor_label == "système"
    with pytest.raises(ValueError, match="action « Changed » invalide"):
        audit.record(None, "Changed", organisation)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE accounts_auditevent SET reason = 'effacé' WHERE id = %s",
        "DELETE FROM accounts_auditevent WHERE id = %s",
    ],
)
def test_database_refuses_update_and_delete_even_in_raw_sql(event: AuditEvent, sql: str) -> None:
    with (
        pytest.raises(DatabaseError, match="ajout seul"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [event.pk])
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.reason == "coquille"


def test_orm_refuses_update_and_delete(event: AuditEvent) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="effacé")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.reason = "effacé"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).reason == "coquille"


def test_an_account_with_history_cannot_be_deleted(event: AuditEvent) -> None:
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        User.objects.get(email="agent@example.org").delete()


def test_services_write_to_the_journal() -> None:
    organisation = services.create_organisation(
        "exploitant", name="Asso", kind="association", rna="w181000123"
    )
    services.add_member("exploitant", organisation, "Nadia@Example.org", "organisation_admin")
    actions = [e.action for e in audit.events_for("accounts.organisation", organisation.pk)]
    assert actions == ["organisation.created", "membership.added"]
    created = audit.events_for("accounts.organisation", organisation.pk).first()
    assert created is not None
    assert created.changes["rna"] == {"before": None, "after": "W181000123"}
    assert User.objects.filter(email="nadia@example.org").exists()
