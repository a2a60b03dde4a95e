"""API des comptes (/api/v1/accounts/…) : mon compte, organisations, membres, jetons, journal.

Session ou jeton personnel (`session_or_token`) ; chaque refus est expliqué en français :
401 sans authentification, 403 sans permission, 404 objet inconnu, 422 demande invalide.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from quartiers.accounts import services
from quartiers.accounts.api_auth import session_or_token
from quartiers.accounts.models import ApiToken, AuditEvent, Membership, Organisation, User
from quartiers.core import accounts as core

router = Router(tags=["Comptes"], auth=session_or_token)

F = TypeVar("F", bound=Callable[..., Any])


def french_errors(view: F) -> F:
    """Traduit les erreurs des services en réponses HTTP françaises, pareil pour chaque route."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except core.NotAllowed as exc:
            raise HttpError(403, str(exc)) from None
        except LookupError as exc:
            raise HttpError(404, f"{exc}.") from None
        except services.ServiceError as exc:
            raise HttpError(422, f"Demande refusée : {exc}.") from None

    return wrapper  # type: ignore[return-value]


def _user(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    return user


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    siret: str
    siren: str
    rna: str
    region_code: str
    department_code: str
    epci_siren: str
    insee_code: str


class MembershipOut(Schema):
    id: int
    email: str
    full_name: str
    role: str
    role_label: str
    organisation_id: int
    organisation_name: str


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    memberships: list[MembershipOut]


class MemberIn(Schema):
    email: str = Field(
        ..., description="courriel du compte (créé sans mot de passe s'il n'existe pas)"
    )
    role: str = Field(..., description="code du rôle, voir GET /api/v1/accounts/roles")
    full_name: str = ""
    reason: str = ""


class TokenIn(Schema):
    name: str = Field(..., description="à quoi sert le jeton (« script d'import »)")
    days: int | None = Field(
        None, description="validité en jours (défaut : réglage ; 0 : sans fin)"
    )


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    status: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


class NewTokenOut(TokenOut):
    secret: str = Field(..., description="le jeton complet : montré cette fois seulement")


class AuditEventOut(Schema):
    id: int
    created_at: dt.datetime
    actor: str
    action: str
    target_type: str
    target_id: str
    target_label: str
    changes: dict[str, Any]
    reason: str


class RoleOut(Schema):
    role: str
    label: str
    description: str
    organisation_kinds: list[str]
    territorial: bool


def organisation_out(o: Organisation) -> dict[str, Any]:
    return {
        "id": o.pk,
        "name": o.name,
        "kind": o.kind,
        "kind_label": o.kind_label,
        **{k: getattr(o, k) for k in ("siret", "siren", "rna", *core.TERRITORY_FIELD_LABELS)},
    }


def membership_out(m: Membership) -> dict[str, Any]:
    return {
        "id": m.pk,
        "email": m.user.email,
        "full_name": m.user.full_name,
        "role": m.role,
        "role_label": m.role_label,
        "organisation_id": m.organisation_id,
        "organisation_name": m.organisation.name,
    }


def token_out(t: ApiToken) -> dict[str, Any]:
    return {
        "id": t.pk,
        "name": t.name,
        "prefix": t.prefix,
        "status": t.status_label,
        "created_at": t.created_at,
        "last_used_at": t.last_used_at,
        "expires_at": t.expires_at,
        "revoked_at": t.revoked_at,
    }


def event_out(e: AuditEvent) -> dict[str, Any]:
    return {
        "id": e.pk,
        "created_at": e.created_at,
        "actor": e.actor_label,
        "action": e.action,
        "target_type": e.target_type,
        "target_id": e.target_id,
        "target_label": e.target_label,
        "changes": e.changes,
        "reason": e.reason,
    }


@router.get("/me", response=MeOut, summary="Mon compte et mes adhésions")
@french_errors
def me(request: HttpRequest) -> dict[str, Any]:
    user = _user(request)
    memberships = user.memberships.select_related("organisation", "user")
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "memberships": [membership_out(m) for m in memberships],
    }


@router.get("/roles", response=list[RoleOut], summary="Catalogue des rôles")
def roles(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "role": info.role.value,
            "label": info.label,
            "description": info.description,
            "organisation_kinds": sorted(k.value for k in info.organisation_kinds),
            "territorial": info.territorial,
        }
        for info in core.ROLES.values()
    ]


@router.get("/organisations", response=list[OrganisationOut], summary="Organisations visibles")
@french_errors
def organisations(request: HttpRequest) -> list[dict[str, Any]]:
    return [organisation_out(o) for o in services.visible_organisations(_user(request))]


@router.get("/organisations/{organisation_id}", response=OrganisationOut)
@french_errors
def organisation(request: HttpRequest, organisation_id: int) -> dict[str, Any]:
    return organisation_out(services.get_organisation(_user(request), organisation_id))


def _organisation_for(user: User, organisation_id: int) -> Organisation:
    found = Organisation.objects.filter(pk=organisation_id).first()
    if found is None:
        raise LookupError(f"organisation n° {organisation_id} introuvable")
    return found


@router.get("/organisations/{organisation_id}/members", response=list[MembershipOut])
@french_errors
def organisation_members(request: HttpRequest, organisation_id: int) -> list[dict[str, Any]]:
    user = _user(request)
    found = _organisation_for(user, organisation_id)
    return [membership_out(m) for m in services.members(user, found)]


@router.post("/organisations/{organisation_id}/members", response={201: MembershipOut})
@french_errors
def add_member(request: HttpRequest, organisation_id: int, payload: MemberIn) -> Any:
    user = _user(request)
    found = _organisation_for(user, organisation_id)
    membership = services.add_member(
        user, found, payload.email, payload.role, payload.full_name, payload.reason
    )
    return Status(201, membership_out(membership))


@router.delete("/members/{membership_id}", response={204: None})
@french_errors
def remove_member(request: HttpRequest, membership_id: int, reason: str = "") -> Any:
    user = _user(request)
    services.remove_member(user, services.get_membership(user, membership_id), reason)
    return Status(204, None)


@router.get("/tokens", response=list[TokenOut], summary="Mes jetons d'API")
@french_errors
def tokens(request: HttpRequest) -> list[dict[str, Any]]:
    return [token_out(t) for t in services.tokens_of(_user(request))]


@router.post(
    "/tokens", response={201: NewTokenOut}, summary="Créer un jeton (secret montré une fois)"
)
@french_errors
def create_token(request: HttpRequest, payload: TokenIn) -> Any:
    new = services.create_token(_user(request), payload.name, payload.days)
    return Status(201, {**token_out(new.token), "secret": new.secret})


@router.delete("/tokens/{token_id}", response=TokenOut, summary="Révoquer un jeton")
@french_errors
def revoke_token(request: HttpRequest, token_id: int, reason: str = "") -> dict[str, Any]:
    user = _user(request)
    return token_out(services.revoke_token(user, services.get_token(user, token_id), reason))


@router.get("/audit", response=list[AuditEventOut], summary="Journal d'un objet")
@french_errors
def audit_events(request: HttpRequest, target_type: str, target_id: str) -> list[dict[str, Any]]:
    """Historique d'un objet, par exemple `target_type=accounts.organisation&target_id=3`."""
    return [event_out(e) for e in services.history_of(_user(request), target_type, target_id)]
