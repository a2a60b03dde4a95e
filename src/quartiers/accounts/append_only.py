"""Le journal d'audit en ajout seul, garanti par la base : des déclencheurs refusent UPDATE et
DELETE sur `accounts_auditevent`, même en SQL brut (SQLite et PostgreSQL).

Créés par la migration initiale ; les tests en transaction réelle sur SQLite les retirent le temps
de vider la base entre deux tests (voir tests/conftest.py), puis les remettent.
"""

from __future__ import annotations

from typing import Any

APPEND_ONLY_MESSAGE = "journal d'audit en ajout seul : modification et suppression interdites"
TABLE = "accounts_auditevent"
OPERATIONS = ("UPDATE", "DELETE")
_QUOTED = APPEND_ONLY_MESSAGE.replace("'", "''")

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION accounts_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{_QUOTED}' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def _statements(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_{op.lower()} BEFORE {op} ON {TABLE}
            BEGIN SELECT RAISE(ABORT, '{_QUOTED}'); END;"""
            for op in OPERATIONS
        ]
    if vendor == "postgresql":
        return [POSTGRES_FUNCTION] + [
            f"""DROP TRIGGER IF EXISTS {TABLE}_no_{op.lower()} ON {TABLE};
            CREATE TRIGGER {TABLE}_no_{op.lower()} BEFORE {op} ON {TABLE}
            FOR EACH ROW EXECUTE FUNCTION accounts_auditevent_append_only();"""
            for op in OPERATIONS
        ]
    raise RuntimeError(f"base « {vendor} » non prise en charge pour le journal d'audit")


def create_triggers(connection: Any) -> None:
    """Pose (ou repose) les déclencheurs ; sans effet s'ils existent déjà."""
    with connection.cursor() as cursor:
        for statement in _statements(connection.vendor):
            cursor.execute(statement)


def drop_triggers(connection: Any) -> None:
    with connection.cursor() as cursor:
        for op in OPERATIONS:
            suffix = f" ON {TABLE}" if connection.vendor == "postgresql" else ""
            cursor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_{op.lower()}{suffix}")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS accounts_auditevent_append_only()")
