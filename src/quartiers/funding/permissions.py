"""Permissions des financements (django-rules), décidées dans les services par `authorize`.

- porteur (`applicant`, `organisation_admin`) : les demandes de sa structure seulement ;
- instructeur de l'État (`state_instructor`) et délégué du préfet : leur département ;
- agent d'un cofinanceur (`funder_agent`) : les demandes où son organisation finance (plan ou
  appel) et sur son territoire ;
- chef de projet contrat de ville (`city_contract_lead`) : les demandes de son contrat (EPCI) ;
- administrateur de la plateforme : tout.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from quartiers.accounts.models import Membership, Organisation
from quartiers.accounts.permissions import (
    active_user,
    is_platform_admin,
    rules,
    scope_of_user,
)
from quartiers.core.accounts import PERMISSION_LABELS, Role, TerritorialScope
from quartiers.core.accounts import scope_of as core_scope_of
from quartiers.funding.models import (
    CallForProjects,
    CityContract,
    Document,
    FundingLine,
    GrantApplication,
)

APPLICANT_ROLES = (Role.APPLICANT, Role.ORGANISATION_ADMIN)

FUNDING_PERMISSION_LABELS = {
    "funding.view_application": "voir cette demande de subvention",
    "funding.change_application": "modifier cette demande de subvention",
    "funding.add_application": "déposer une demande pour cette structure",
    "funding.instruct_application": "instruire cette demande",
    "funding.give_opinion": "donner l'avis de ce financeur",
    "funding.decide_funding": "décider pour ce financeur",
    "funding.view_document": "voir cette pièce",
    "funding.manage_call": "gérer cet appel à projets",
    "funding.manage_organisation": "modifier la fiche de cette structure",
    "funding.manage_contract": "gérer ce contrat de ville",
    "funding.view_grantapplication_history": "voir l'historique de cette demande",
}
PERMISSION_LABELS.update(FUNDING_PERMISSION_LABELS)


def _application_of(obj: Any) -> GrantApplication | None:
    if isinstance(obj, GrantApplication):
        return obj
    if isinstance(obj, FundingLine):
        return obj.action.application
    if isinstance(obj, Document):
        return obj.application
    return None


def _roles_in(user: Any, organisation_id: int | None, roles: tuple[Role, ...]) -> bool:
    account = active_user(user)
    if account is None or organisation_id is None:
        return False
    return Membership.objects.filter(
        user=account, organisation_id=organisation_id, role__in=[r.value for r in roles]
    ).exists()


def _role_scope(user: Any, roles: tuple[Role, ...]) -> TerritorialScope:
    account = active_user(user)
    if account is None:
        return TerritorialScope()
    memberships = account.memberships.select_related("organisation").filter(
        role__in=[r.value for r in roles]
    )
    return core_scope_of(m.facts for m in memberships)


def funder_ids_of(application: GrantApplication) -> set[int]:
    """Les financeurs d'une demande : ceux de son plan et ceux de son appel à projets."""
    in_plan = FundingLine.objects.filter(action__application=application).values_list(
        "funder_id", flat=True
    )
    in_call = application.call.funders.values_list("id", flat=True)
    return set(in_plan) | set(in_call)


@rules.predicate
def is_applicant_member(user: Any, obj: Any) -> bool:
    application = _application_of(obj)
    if isinstance(obj, Organisation):
        return _roles_in(user, obj.pk, APPLICANT_ROLES)
    if application is None:
        if isinstance(obj, Document):
            return _roles_in(user, obj.organisation_id, APPLICANT_ROLES)
        return False
    return _roles_in(user, application.applicant_id, APPLICANT_ROLES)


@rules.predicate
def is_state_instructor_in_scope(user: Any, obj: Any) -> bool:
    application = _application_of(obj)
    if application is None:
        return False
    return _role_scope(user, (Role.STATE_INSTRUCTOR,)).covers(application.place)


@rules.predicate
def is_prefect_delegate_in_scope(user: Any, obj: Any) -> bool:
    application = _application_of(obj)
    if application is None:
        return False
    return _role_scope(user, (Role.PREFECT_DELEGATE,)).covers(application.place)


@rules.predicate
def is_funder_agent_of_application(user: Any, obj: Any) -> bool:
    application = _application_of(obj)
    account = active_user(user)
    if application is None or account is None:
        return False
    if not _role_scope(user, (Role.FUNDER_AGENT,)).covers(application.place):
        return False
    return Membership.objects.filter(
        user=account, role=Role.FUNDER_AGENT, organisation_id__in=funder_ids_of(application)
    ).exists()


@rules.predicate
def is_contract_lead_of(user: Any, obj: Any) -> bool:
    application = _application_of(obj)
    if isinstance(obj, CallForProjects):
        place = obj.contract.place
    elif isinstance(obj, CityContract):
        place = obj.place
    elif application is not None:
        place = application.place
    else:
        return False
    scope = _role_scope(user, (Role.CITY_CONTRACT_LEAD,))
    return bool(place.epci_siren and place.epci_siren in scope.epci_sirens) or (scope.national)


@rules.predicate
def is_state_instructor_of_call(user: Any, obj: Any) -> bool:
    if isinstance(obj, CityContract):
        return _role_scope(user, (Role.STATE_INSTRUCTOR,)).covers(obj.place)
    if not isinstance(obj, CallForProjects):
        return False
    return _role_scope(user, (Role.STATE_INSTRUCTOR,)).covers(obj.contract.place)


@rules.predicate
def speaks_for_funder(user: Any, obj: Any) -> bool:
    """Le compte agit pour le financeur de cette ligne : agent du cofinanceur ou instructeur de
    l'État membre de l'organisation financeuse, et la demande est sur son territoire."""
    if not isinstance(obj, FundingLine):
        return False
    roles = (Role.FUNDER_AGENT, Role.STATE_INSTRUCTOR)
    if not _roles_in(user, obj.funder_id, roles):
        return False
    return _role_scope(user, roles).covers(obj.action.application.place)


@rules.predicate
def application_editable(user: Any, obj: Any) -> bool:
    application = _application_of(obj)
    return application is not None and application.status in ("draft", "complements_requested")


can_see = (
    is_platform_admin
    | is_applicant_member
    | is_state_instructor_in_scope
    | is_prefect_delegate_in_scope
    | is_funder_agent_of_application
    | is_contract_lead_of
)

PERMISSIONS: dict[str, Any] = {
    "funding.view_application": can_see,
    "funding.view_grantapplication_history": can_see,
    "funding.add_application": is_platform_admin | is_applicant_member,
    "funding.change_application": is_applicant_member & application_editable,
    "funding.instruct_application": is_platform_admin | is_state_instructor_in_scope,
    "funding.give_opinion": is_platform_admin | speaks_for_funder,
    "funding.decide_funding": is_platform_admin | speaks_for_funder,
    "funding.view_document": is_platform_admin | is_applicant_member | can_see,
    "funding.manage_call": is_platform_admin | is_contract_lead_of | is_state_instructor_of_call,
    "funding.manage_organisation": is_platform_admin | is_applicant_member,
    "funding.manage_contract": is_platform_admin
    | is_contract_lead_of
    | is_state_instructor_of_call,
}
for _name, _predicate in PERMISSIONS.items():
    rules.set_perm(_name, _predicate)


def visible_applications(user: Any) -> QuerySet[GrantApplication]:
    """Les demandes qu'un compte voit (la même règle que `funding.view_application`, en ORM)."""
    from django.db.models import Q

    from quartiers.accounts.permissions import is_platform_admin_user, scope_q

    qs = GrantApplication.objects.all()
    account = active_user(user)
    if account is None:
        return qs.none()
    if is_platform_admin_user(account):
        return qs
    q = Q(
        applicant__memberships__user=account,
        applicant__memberships__role__in=[r.value for r in APPLICANT_ROLES],
    )
    state = _role_scope(account, (Role.STATE_INSTRUCTOR, Role.PREFECT_DELEGATE))
    if not state.empty:
        q |= scope_q(state)
    funder_orgs = list(
        account.memberships.filter(role=Role.FUNDER_AGENT).values_list("organisation_id", flat=True)
    )
    if funder_orgs:
        funder_scope = _role_scope(account, (Role.FUNDER_AGENT,))
        q |= scope_q(funder_scope) & (
            Q(actions__funding_lines__funder_id__in=funder_orgs)
            | Q(call__funders__id__in=funder_orgs)
        )
    lead = _role_scope(account, (Role.CITY_CONTRACT_LEAD,))
    if lead.epci_sirens:
        q |= Q(epci_siren__in=sorted(lead.epci_sirens))
    ids = GrantApplication.objects.filter(q).values("id")
    return qs.filter(id__in=ids)


__all__ = ["PERMISSIONS", "scope_of_user", "visible_applications"]
