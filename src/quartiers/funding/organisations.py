"""Fiche « tiers » d'une structure porteuse : forme juridique, siège localisé, personnes, pièces.

Mêmes règles pour les pages, l'API et la commande (`funding.manage_organisation`) ; chaque
changement est consigné au journal d'audit de la structure. Le siège passe par
`addresses.services.locate_address` (géocodage, politique de confiance, QPV à la date du jour) ;
un géocodeur indisponible n'empêche jamais d'enregistrer : la fiche le dit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q

from quartiers.accounts import audit
from quartiers.accounts.models import Membership, Organisation, User
from quartiers.accounts.permissions import authorize
from quartiers.core.funding import completeness
from quartiers.funding.models import Document, OrganisationPerson, OrganisationProfile
from quartiers.funding.services import APPLICANT_ROLE_VALUES, ServiceError, today

PROFILE_FIELDS = ("legal_form", "head_office_address", "email", "phone", "website")


@dataclass(frozen=True)
class HeadOffice:
    qpv_code: str
    status: str


def locate_head_office(address: str, on: dt.date) -> HeadOffice:
    """Le siège est-il en QPV ? Même réponse que la page « Mon adresse est-elle en QPV ? »."""
    from quartiers.addresses.services import AddressError, locate_address
    from quartiers.core.geo.geocoding import GeocodingError
    from quartiers.core.geo.zoning import ZoningUnavailable

    if not address.strip():
        return HeadOffice("", "")
    try:
        check = locate_address(address, on=on)
    except AddressError as exc:
        return HeadOffice("", f"adresse non vérifiée : {exc}")
    except (GeocodingError, ZoningUnavailable) as exc:
        return HeadOffice("", f"vérification impossible pour l'instant : {exc}")
    if check.in_qpv and check.location is not None and check.location.code:
        name = check.location.name or check.location.code
        return HeadOffice(check.location.code, f"dans le quartier prioritaire {name}")
    if check.is_conclusive:
        return HeadOffice("", "hors quartier prioritaire")
    return HeadOffice("", f"à vérifier : {check.status_detail}")


def profile_of(organisation: Organisation) -> OrganisationProfile | None:
    return OrganisationProfile.objects.filter(organisation=organisation).first()


def update_profile(
    actor: User, organisation: Organisation, fields: dict[str, Any]
) -> OrganisationProfile:
    """Crée ou modifie la fiche ; le siège est relocalisé quand son adresse change."""
    authorize(actor, "funding.manage_organisation", organisation)
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ServiceError(f"champ(s) inconnu(s) : {', '.join(sorted(unknown))}")
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}
    legal_form = values.get("legal_form")
    if legal_form is not None and legal_form not in OrganisationProfile.LegalForm.values:
        raise ServiceError(
            "forme juridique inconnue",
            [completeness.Problem("legal_form", f"« {legal_form} » n'est pas une forme connue")],
        )
    with transaction.atomic():
        profile = profile_of(organisation)
        creating = profile is None
        if profile is None:
            if not legal_form:
                raise ServiceError(
                    "la forme juridique est obligatoire",
                    [completeness.Problem("legal_form", "choisissez la forme juridique")],
                )
            profile = OrganisationProfile(organisation=organisation)
        before = {n: getattr(profile, n) for n in (*PROFILE_FIELDS, "head_office_qpv_code")}
        for name, value in values.items():
            setattr(profile, name, value)
        if creating or profile.head_office_address != before["head_office_address"]:
            on = today()
            found = locate_head_office(profile.head_office_address, on)
            profile.head_office_qpv_code, profile.head_office_status = found.qpv_code, found.status
            profile.head_office_checked_on = on if profile.head_office_address else None
        profile.full_clean(exclude=["organisation"])
        profile.save()
        after = {n: getattr(profile, n) for n in (*PROFILE_FIELDS, "head_office_qpv_code")}
        changes = audit.diff({} if creating else before, after)
        if changes:
            audit.record(actor, "organisation.funding_profile_saved", organisation, changes)
    return profile


@dataclass
class PersonInput:
    full_name: str
    function: str = ""
    email: str = ""
    phone: str = ""
    is_contact: bool = False
    is_administrator: bool = False
    is_signatory: bool = False


def _member_with_email(organisation: Organisation, email: str) -> User | None:
    if not email.strip():
        return None
    membership = (
        Membership.objects.filter(
            organisation=organisation,
            user__email__iexact=email.strip(),
            role__in=APPLICANT_ROLE_VALUES,
        )
        .select_related("user")
        .first()
    )
    return membership.user if membership is not None else None


def save_person(
    actor: User,
    organisation: Organisation,
    data: PersonInput,
    person_id: int | None = None,
) -> OrganisationPerson:
    """Ajoute ou modifie une personne ; son compte est rattaché par son courriel (un membre de la
    structure) — c'est ce compte qui peut signer l'attestation s'il est signataire."""
    authorize(actor, "funding.manage_organisation", organisation)
    if not data.full_name.strip():
        raise ServiceError(
            "le nom de la personne est obligatoire",
            [completeness.Problem("full_name", "indiquez le nom et le prénom")],
        )
    if data.is_signatory and not data.email.strip():
        raise ServiceError(
            "un signataire doit avoir le courriel de son compte sur la plateforme",
            [completeness.Problem("email", "courriel du compte du signataire attendu")],
        )
    user = _member_with_email(organisation, data.email)
    if data.is_signatory and user is None:
        raise ServiceError(
            f"aucun membre de {organisation.name} n'a le courriel « {data.email.strip()} » : "
            "un signataire doit d'abord être membre de la structure (porteur ou responsable)",
            [completeness.Problem("email", "courriel d'un membre de la structure attendu")],
        )
    with transaction.atomic():
        if person_id is None:
            person = OrganisationPerson(organisation=organisation)
            before: dict[str, Any] = {}
        else:
            found = OrganisationPerson.objects.filter(
                pk=person_id, organisation=organisation
            ).first()
            if found is None:
                raise LookupError(f"personne n° {person_id} introuvable dans {organisation.name}")
            person = found
            before = {"personne": str(person)}
        person.user = user
        person.full_name = data.full_name.strip()
        person.function = data.function.strip()
        person.email = data.email.strip()
        person.phone = data.phone.strip()
        person.is_contact = data.is_contact
        person.is_administrator = data.is_administrator
        person.is_signatory = data.is_signatory
        person.full_clean(exclude=["organisation", "user"])
        person.save()
        audit.record(
            actor,
            "organisation.funding_person_saved",
            organisation,
            {"personne": (before.get("personne"), str(person))},
        )
    return person


def remove_person(actor: User, organisation: Organisation, person_id: int) -> None:
    authorize(actor, "funding.manage_organisation", organisation)
    with transaction.atomic():
        person = OrganisationPerson.objects.filter(pk=person_id, organisation=organisation).first()
        if person is None:
            raise LookupError(f"personne n° {person_id} introuvable dans {organisation.name}")
        label = str(person)
        person.delete()
        audit.record(
            actor, "organisation.funding_person_removed", organisation, {"personne": (label, None)}
        )


def people_of(organisation: Organisation) -> list[OrganisationPerson]:
    return list(OrganisationPerson.objects.filter(organisation=organisation))


def structure_documents(organisation: Organisation) -> list[Document]:
    """Les pièces réutilisables de la structure (celles qui ne sont attachées à aucune demande)."""
    return list(
        Document.objects.filter(organisation=organisation, application__isnull=True).order_by(
            "kind", "-uploaded_at"
        )
    )


def documents_for(organisation: Organisation, application_id: int | None = None) -> list[Document]:
    q = Q(application__isnull=True)
    if application_id is not None:
        q |= Q(application_id=application_id)
    return list(Document.objects.filter(q, organisation=organisation))


def required_documents_status(
    organisation: Organisation, required: Iterable[str], on: dt.date
) -> list[completeness.Problem]:
    """Les pièces exigées qui manquent ou sont périmées à cette date (pour la fiche)."""
    facts = [
        completeness.DocumentFacts(d.kind, d.valid_from, d.valid_until)
        for d in structure_documents(organisation)
    ]
    return completeness.document_problems(list(required), facts, on)
