"""Cas d'usage des comptes : chacun vérifie la permission, change, et consigne au journal.

Les pages, l'API et la ligne de commande n'appellent que ces fonctions ; aucune règle ne vit
dans une vue, un schéma ou une commande.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from quartiers.accounts import audit
from quartiers.accounts.models import ApiToken, AuditEvent, Membership, Organisation, User
from quartiers.accounts.permissions import authorize, can, scope_of_user, scope_q
from quartiers.core import accounts as core

TOKEN_PREFIX = "qrt_"
ORGANISATION_FIELDS = (
    "name",
    "kind",
    "siret",
    "siren",
    "rna",
    "region_code",
    "department_code",
    "epci_siren",
    "insee_code",
)


class ServiceError(Exception):
    """Demande refusée pour une raison métier (pas de permission en cause), message français."""


def validation_message(exc: ValidationError) -> str:
    """Une ValidationError de Django en une phrase : « champ : problème ; … »."""
    if hasattr(exc, "error_dict"):
        parts = []
        for name, errors in exc.message_dict.items():
            for message in errors:
                parts.append(message if name == "__all__" else f"{name} : {message}")
        return " ; ".join(parts)
    return " ; ".join(exc.messages)


# --------------------------------------------------------------------------- comptes


Actor = User | str | None  # un compte, ou l'exploitant / le système (sans contrôle de droits)


def create_user(actor: Actor, email: str, full_name: str = "", password: str | None = None) -> User:
    """Crée un compte (administrateur de la plateforme ; exploitant ou système pour l'amorçage)."""
    if isinstance(actor, User):
        authorize(actor, "accounts.add_user")
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise ServiceError(f"un compte existe déjà pour « {email} »")
    with transaction.atomic():
        user = User.objects.create_user(email, password, full_name)
        audit.record(actor, "user.created", user, {"email": (None, email)})
    return user


# --------------------------------------------------------------------------- organisations


def organisation_state(organisation: Organisation) -> dict[str, Any]:
    return {name: getattr(organisation, name) for name in ORGANISATION_FIELDS}


def create_organisation(actor: Actor, **fields: Any) -> Organisation:
    """Crée une organisation contrôlée (identifiants, territoire) ; exploitant ou système : amorçage."""
    if isinstance(actor, User):
        authorize(actor, "accounts.add_organisation")
    organisation = Organisation(**fields)
    try:
        organisation.full_clean()
    except ValidationError as exc:
        raise ServiceError(f"organisation refusée : {validation_message(exc)}") from None
    with transaction.atomic():
        organisation.save()
        audit.record(
            actor,
            "organisation.created",
            organisation,
            audit.diff({}, {k: v for k, v in organisation_state(organisation).items() if v}),
        )
    return organisation


def update_organisation(
    actor: User, organisation: Organisation, reason: str = "", **fields: Any
) -> Organisation:
    authorize(actor, "accounts.change_organisation", organisation)
    before = organisation_state(organisation)
    for name, value in fields.items():
        if name not in ORGANISATION_FIELDS:
            raise ServiceError(f"champ « {name} » inconnu")
        setattr(organisation, name, value)
    try:
        organisation.full_clean()
    except ValidationError as exc:
        organisation.refresh_from_db()
        raise ServiceError(f"organisation refusée : {validation_message(exc)}") from None
    changes = audit.diff(before, organisation_state(organisation))
    if changes:
        with transaction.atomic():
            organisation.save()
            audit.record(actor, "organisation.changed", organisation, changes, reason)
    return organisation


def visible_organisations(actor: User) -> models.QuerySet[Organisation]:
    """Les organisations qu'un compte peut voir : les siennes et celles de son territoire."""
    mine = Organisation.objects.filter(memberships__user=actor)
    if not actor.is_active:
        return Organisation.objects.none()
    in_scope = Organisation.objects.filter(scope_q(scope_of_user(actor)))
    return (mine | in_scope).distinct().order_by("name")


def get_organisation(actor: User, organisation_id: int) -> Organisation:
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise LookupError(f"organisation n° {organisation_id} introuvable")
    authorize(actor, "accounts.view_organisation", organisation)
    return organisation


# --------------------------------------------------------------------------- adhésions


def members(actor: User, organisation: Organisation) -> models.QuerySet[Membership]:
    authorize(actor, "accounts.view_members", organisation)
    return organisation.memberships.select_related("user").order_by("user__email", "role")


def add_member(
    actor: Actor,
    organisation: Organisation,
    email: str,
    role: str,
    full_name: str = "",
    reason: str = "",
) -> Membership:
    """Ajoute un compte (créé sans mot de passe s'il n'existe pas) à l'organisation avec ce rôle."""
    if isinstance(actor, User):
        authorize(actor, "accounts.manage_members", organisation)
    try:
        parsed = core.check_membership(role, organisation.kind)
    except core.InvalidMembership as exc:
        raise ServiceError(str(exc)) from None
    if (
        parsed is core.Role.PLATFORM_ADMIN
        and isinstance(actor, User)
        and not can(actor, "accounts.add_user")
    ):
        raise core.NotAllowed("accounts.manage_members", actor.label, organisation.name)
    email = email.strip().lower()
    if not email or "@" not in email:
        raise ServiceError(f"adresse électronique « {email} » invalide")
    with transaction.atomic():
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, None, full_name)
            audit.record(actor, "user.created", user, {"email": (None, email)}, reason)
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    user=user, organisation=organisation, role=parsed.value
                )
        except IntegrityError:
            raise ServiceError(
                f"{user.label} est déjà « {core.role_label(parsed)} » de {organisation.name}"
            ) from None
        audit.record(
            actor,
            "membership.added",
            organisation,
            {"member": (None, user.email), "role": (None, parsed.value)},
            reason,
        )
    return membership


def get_membership(actor: User, membership_id: int) -> Membership:
    membership = (
        Membership.objects.select_related("user", "organisation").filter(pk=membership_id).first()
    )
    if membership is None:
        raise LookupError(f"adhésion n° {membership_id} introuvable")
    authorize(actor, "accounts.view_membership", membership)
    return membership


def remove_member(actor: User, membership: Membership, reason: str = "") -> None:
    authorize(actor, "accounts.change_membership", membership)
    organisation = membership.organisation
    if (
        membership.role == core.Role.ORGANISATION_ADMIN
        and organisation.memberships.filter(role=core.Role.ORGANISATION_ADMIN).count() == 1
        and not can(actor, "accounts.add_user")
    ):
        raise ServiceError(
            f"{organisation.name} garderait sans responsable : nommez-en un autre avant de retirer celui-ci"
        )
    with transaction.atomic():
        email, role = membership.user.email, membership.role
        membership.delete()
        audit.record(
            actor,
            "membership.removed",
            organisation,
            {"member": (email, None), "role": (role, None)},
            reason,
        )


# --------------------------------------------------------------------------- jetons d'API


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewToken:
    """Un jeton fraîchement créé : `secret` n'existe qu'ici, il n'est gardé nulle part."""

    token: ApiToken
    secret: str


def create_token(
    actor: User, name: str, days: int | None = None, for_user: User | None = None
) -> NewToken:
    """Crée un jeton personnel ; son secret n'est rendu qu'une fois. `days=0` : sans expiration."""
    owner = for_user or actor
    if owner.pk != actor.pk:
        # Personne ne crée de jeton au nom d'un autre, pas même l'administrateur.
        raise core.NotAllowed("accounts.add_apitoken", actor.label, f"au nom de {owner.label}")
    if not actor.is_active:
        raise core.NotAllowed("accounts.add_apitoken", actor.label)
    name = name.strip()
    if not name:
        raise ServiceError("donnez un nom au jeton (par exemple « script d'import »)")
    if days is None:
        days = int(getattr(settings, "QUARTIERS_API_TOKEN_DAYS", 365))
    if days < 0:
        raise ServiceError("la durée de validité doit être positive (0 : sans expiration)")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = timezone.now() + dt.timedelta(days=days) if days else None
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=owner,
            name=name[:100],
            prefix=secret[:12],
            token_hash=hash_token(secret),
            expires_at=expires_at,
        )
        audit.record(
            actor,
            "token.created",
            token,
            {"name": (None, token.name), "expires_at": (None, expires_at)},
        )
    return NewToken(token, secret)


def tokens_of(actor: User) -> models.QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=actor).order_by("-created_at")


def get_token(actor: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
    if token is None:
        raise LookupError(f"jeton n° {token_id} introuvable")
    authorize(actor, "accounts.view_apitoken", token)
    return token


def revoke_token(actor: User, token: ApiToken, reason: str = "") -> ApiToken:
    authorize(actor, "accounts.change_apitoken", token)
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor, "token.revoked", token, {"revoked_at": (None, token.revoked_at)}, reason
        )
    return token


def authenticate_token(secret: str) -> User | None:
    """Le compte d'un jeton valide (non révoqué, non expiré, compte actif), sinon None."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(token_hash=hash_token(secret)).first()
    if token is None or not token.is_usable() or not token.user.is_active:
        return None
    now = timezone.now()
    # Une écriture par minute au plus : la date d'usage n'a pas besoin d'être plus fine.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --------------------------------------------------------------------------- journal


def resolve_target(target_type: str, target_id: str) -> models.Model:
    """L'objet désigné par « app_label.modèle » et son identifiant."""
    from django.apps import apps

    try:
        model = apps.get_model(target_type)
    except (LookupError, ValueError):
        raise LookupError(
            f"type d'objet « {target_type} » inconnu (ex. accounts.organisation)"
        ) from None
    try:
        obj = model._default_manager.filter(pk=target_id).first()
    except (ValueError, TypeError, ValidationError):
        obj = None
    if obj is None:
        raise LookupError(f"{target_type} n° {target_id} introuvable")
    return obj  # type: ignore[no-any-return]


def history(actor: User, target: models.Model) -> models.QuerySet[AuditEvent]:
    """Le journal d'un objet, pour qui a le droit de le voir."""
    authorize(actor, "accounts.view_history", target)
    return audit.events_for(audit.target_type_of(target), target.pk)


def history_of(actor: User, target_type: str, target_id: str) -> models.QuerySet[AuditEvent]:
    return history(actor, resolve_target(target_type, target_id))
