"""Permissions d'objet (django-rules) et l'unique point d'entrée `authorize(user, perm, obj)`.

Les trois portes (pages, API, ligne de commande) appellent les mêmes services, qui appellent
`authorize` : un refus lève `NotAllowed` (données : permission, auteur, objet), que chaque
porte formule en français (`str(exc)`). Les gabarits n'affichent un bouton que si `can(...)`
le permet, mais la décision est toujours reprise côté service.

Pour les autres applications :
- `covers_place(lambda obj: obj.place)` fabrique un prédicat « la portée territoriale du compte
  couvre le lieu de l'objet » (département, EPCI, commune) ;
- `scope_of_user(user)` et `scope_q(scope)` filtrent une liste sur la portée d'un compte ;
- l'historique d'un objet (`accounts.view_history`) est visible de qui a la permission
  `<app>.view_<modèle>_history` si elle existe, sinon `<app>.change_<modèle>`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import rules as _rules_untyped
from django.db import models
from django.db.models import Q

from quartiers.accounts.models import Membership, Organisation, User
from quartiers.core import accounts as core
from quartiers.core.accounts import NotAllowed, Place, Role, TerritorialScope

# django-rules ne publie pas de types : quatre enveloppes typées suffisent.
_rules: Any = _rules_untyped


class _Rules:
    @staticmethod
    def predicate(fn: Callable[..., bool]) -> Any:
        return _rules.predicate(fn)

    @staticmethod
    def perm_exists(name: str) -> bool:
        return bool(_rules.perm_exists(name))

    @staticmethod
    def has_perm(name: str, user: Any, obj: Any = None) -> bool:
        return bool(_rules.has_perm(name, user, obj))

    @staticmethod
    def set_perm(name: str, predicate: Any) -> None:
        _rules.set_perm(name, predicate)


rules = _Rules()

# --------------------------------------------------------------------------- portée


def active_user(user: Any) -> User | None:
    if isinstance(user, User) and user.is_active:
        return user
    return None


def memberships_of(user: Any) -> list[Membership]:
    account = active_user(user)
    if account is None:
        return []
    return list(account.memberships.select_related("organisation"))


def is_platform_admin_user(user: Any) -> bool:
    account = active_user(user)
    if account is None:
        return False
    return account.is_superuser or account.memberships.filter(role=Role.PLATFORM_ADMIN).exists()


def scope_of_user(user: Any) -> TerritorialScope:
    """Territoire couvert par un compte (réunion de ses adhésions ; partout pour l'administrateur)."""
    if active_user(user) is None:
        return TerritorialScope()
    if is_platform_admin_user(user):
        return TerritorialScope(national=True)
    return core.scope_of(m.facts for m in memberships_of(user))


def scope_q(scope: TerritorialScope, prefix: str = "") -> Q:
    """Filtre d'ORM équivalent à `scope.covers` sur des champs de codes (`prefix` = « organisation__ »)."""
    if scope.national:
        return Q()
    q = Q(pk__in=[])
    for field, codes in (
        ("region_code", scope.region_codes),
        ("department_code", scope.department_codes),
        ("epci_siren", scope.epci_sirens),
        ("insee_code", scope.insee_codes),
    ):
        if codes:
            q |= Q(**{f"{prefix}{field}__in": sorted(codes)})
    return q


def covers_place(place_of: Callable[[Any], Place]) -> Any:
    """Prédicat réutilisable : la portée territoriale du compte couvre le lieu de l'objet."""

    @rules.predicate
    def covers(user: Any, obj: Any) -> bool:
        if obj is None:
            return False
        return scope_of_user(user).covers(place_of(obj))

    return covers


# --------------------------------------------------------------------------- prédicats


@rules.predicate
def is_platform_admin(user: Any) -> bool:
    return is_platform_admin_user(user)


def _organisation_of(obj: Any) -> Organisation | None:
    if isinstance(obj, Organisation):
        return obj
    if isinstance(obj, Membership):
        return obj.organisation
    return None


@rules.predicate
def is_member(user: Any, obj: Any) -> bool:
    organisation = _organisation_of(obj)
    account = active_user(user)
    if organisation is None or account is None:
        return False
    return Membership.objects.filter(user=account, organisation=organisation).exists()


@rules.predicate
def is_organisation_admin(user: Any, obj: Any) -> bool:
    organisation = _organisation_of(obj)
    account = active_user(user)
    if organisation is None or account is None:
        return False
    return Membership.objects.filter(
        user=account, organisation=organisation, role=Role.ORGANISATION_ADMIN
    ).exists()


@rules.predicate
def is_owner(user: Any, obj: Any) -> bool:
    account = active_user(user)
    if account is None or obj is None:
        return False
    if isinstance(obj, User):
        return bool(obj.pk == account.pk)
    return bool(getattr(obj, "user_id", None) == account.pk)


organisation_in_scope = covers_place(lambda organisation: organisation.place)


@rules.predicate
def may_view_history(user: Any, obj: Any) -> bool:
    if not isinstance(obj, models.Model):
        return False
    meta = obj._meta
    specific = f"{meta.app_label}.view_{meta.model_name}_history"
    fallback = f"{meta.app_label}.change_{meta.model_name}"
    perm = specific if rules.perm_exists(specific) else fallback
    return bool(rules.has_perm(perm, user, obj))


PERMISSIONS: dict[str, Any] = {
    "accounts.add_organisation": is_platform_admin,
    "accounts.view_organisation": is_platform_admin | is_member | organisation_in_scope,
    "accounts.change_organisation": is_platform_admin | is_organisation_admin,
    "accounts.view_members": is_platform_admin | is_member,
    "accounts.manage_members": is_platform_admin | is_organisation_admin,
    "accounts.view_membership": is_platform_admin | is_owner | is_member,
    "accounts.change_membership": is_platform_admin | is_organisation_admin,
    "accounts.add_user": is_platform_admin,
    "accounts.change_user": is_platform_admin | is_owner,
    "accounts.view_apitoken": is_platform_admin | is_owner,
    "accounts.change_apitoken": is_platform_admin | is_owner,
    "accounts.view_history": is_platform_admin | may_view_history,
}
for _name, _predicate in PERMISSIONS.items():
    rules.set_perm(_name, _predicate)


# --------------------------------------------------------------------------- point d'entrée


def can(user: Any, perm: str, obj: Any = None) -> bool:
    """Vrai si la règle le permet (pour afficher un bouton) ; un service appelle `authorize`."""
    if active_user(user) is None:
        return False
    if not rules.perm_exists(perm):
        raise KeyError(f"permission inconnue : {perm}")
    return bool(rules.has_perm(perm, user, obj))


def authorize(user: Any, perm: str, obj: Any = None) -> None:
    """Lève `NotAllowed` si `user` n'a pas `perm` sur `obj` ; la même règle pour toutes les portes."""
    if not can(user, perm, obj):
        actor = user.label if isinstance(user, User) else "un visiteur non connecté"
        raise NotAllowed(perm, actor, str(obj) if obj is not None else "")
