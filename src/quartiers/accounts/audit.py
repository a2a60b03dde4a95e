"""Journal d'audit : l'unique chemin d'écriture, `record(actor, action, target, changes, reason)`.

Générique : les comptes l'utilisent pour les organisations, adhésions et jetons ; les
traitements en arrière-plan et les financements l'utiliseront pour leurs changements d'état ou
de montant. À appeler dans la même transaction que le changement qu'il consigne.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.db import models

from quartiers.accounts.models import AuditEvent, User

SYSTEM_LABEL = "système"
_ACTION = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")

Changes = Mapping[str, tuple[Any, Any]]


def target_type_of(target: models.Model) -> str:
    """« app_label.modèle » : le type d'objet tel qu'il est écrit au journal."""
    return f"{target._meta.app_label}.{target._meta.model_name}"


def actor_label_of(actor: User | str | None) -> str:
    if actor is None:
        return SYSTEM_LABEL
    if isinstance(actor, str):
        return actor
    return actor.label


def record(
    actor: User | str | None,
    action: str,
    target: models.Model,
    changes: Changes | None = None,
    reason: str = "",
) -> AuditEvent:
    """Consigne une action : `actor` est un compte, ou un libellé (« système », « tâche 12 »).

    `action` est un code pointé en anglais (`membership.added`, `application.status_changed`) ;
    `changes` associe à chaque champ sa valeur avant et après (`{"role": ("applicant", "…")}`).
    """
    if not _ACTION.match(action):
        raise ValueError(f"action « {action} » invalide : attendu par exemple « membership.added »")
    if target.pk is None:
        raise ValueError("l'objet doit être enregistré avant d'être consigné au journal")
    return AuditEvent.objects.create(
        actor=actor if isinstance(actor, User) else None,
        actor_label=actor_label_of(actor),
        action=action,
        target_type=target_type_of(target),
        target_id=str(target.pk),
        target_label=str(target)[:300],
        changes={
            name: {"before": before, "after": after}
            for name, (before, after) in (changes or {}).items()
        },
        reason=reason,
    )


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Les champs qui changent entre deux états, au format attendu par `record`."""
    return {
        key: (before.get(key), after.get(key))
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def events_for(target_type: str, target_id: str | int) -> models.QuerySet[AuditEvent]:
    """Les événements d'un objet, du plus ancien au plus récent."""
    return AuditEvent.objects.filter(target_type=target_type, target_id=str(target_id)).order_by(
        "created_at", "id"
    )
