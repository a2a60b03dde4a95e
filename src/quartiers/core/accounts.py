"""Comptes sans framework : catalogue des rôles, portée territoriale, identifiants d'organisation.

Tout ce qui décide « qui peut voir quoi » sans base de données vit ici, typé strictement, pour
être testé isolément et partagé par le web, l'API et la ligne de commande. La couche Django
(`quartiers.accounts`) ne fait que lire les adhésions en base et appeler ces fonctions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

# --------------------------------------------------------------------------- organisations


class OrganisationKind(StrEnum):
    """Nature d'une organisation ; elle fixe les rôles permis et la portée territoriale."""

    PLATFORM = "platform"
    ASSOCIATION = "association"
    COMPANY = "company"
    PREFECTURE = "prefecture"
    DDETS = "ddets"
    ANCT = "anct"
    EPCI = "epci"
    COMMUNE = "commune"
    DEPARTMENT_COUNCIL = "department_council"
    REGION_COUNCIL = "region_council"
    CAF = "caf"
    SOCIAL_LANDLORD = "social_landlord"
    OTHER_FUNDER = "other_funder"
    CITIZEN_COUNCIL = "citizen_council"


ORGANISATION_KIND_LABELS: dict[OrganisationKind, str] = {
    OrganisationKind.PLATFORM: "Équipe de la plateforme",
    OrganisationKind.ASSOCIATION: "Association",
    OrganisationKind.COMPANY: "Entreprise ou autre structure porteuse",
    OrganisationKind.PREFECTURE: "Préfecture",
    OrganisationKind.DDETS: "DDETS (direction départementale de l'emploi, du travail et des solidarités)",
    OrganisationKind.ANCT: "ANCT (Agence nationale de la cohésion des territoires)",
    OrganisationKind.EPCI: "EPCI (intercommunalité)",
    OrganisationKind.COMMUNE: "Commune",
    OrganisationKind.DEPARTMENT_COUNCIL: "Conseil départemental",
    OrganisationKind.REGION_COUNCIL: "Conseil régional",
    OrganisationKind.CAF: "Caisse d'allocations familiales (CAF)",
    OrganisationKind.SOCIAL_LANDLORD: "Bailleur social",
    OrganisationKind.OTHER_FUNDER: "Autre financeur",
    OrganisationKind.CITIZEN_COUNCIL: "Conseil citoyen",
}

STATE_KINDS = frozenset({OrganisationKind.PREFECTURE, OrganisationKind.DDETS})
FUNDER_KINDS = frozenset(
    {
        OrganisationKind.EPCI,
        OrganisationKind.COMMUNE,
        OrganisationKind.DEPARTMENT_COUNCIL,
        OrganisationKind.REGION_COUNCIL,
        OrganisationKind.CAF,
        OrganisationKind.SOCIAL_LANDLORD,
        OrganisationKind.OTHER_FUNDER,
    }
)
PROJECT_HOLDER_KINDS = frozenset(
    {
        OrganisationKind.ASSOCIATION,
        OrganisationKind.COMPANY,
        OrganisationKind.SOCIAL_LANDLORD,
        OrganisationKind.COMMUNE,
    }
)

# Le code territorial qu'une organisation de cette nature doit porter (sa portée).
REQUIRED_TERRITORY: dict[OrganisationKind, str] = {
    OrganisationKind.PREFECTURE: "department_code",
    OrganisationKind.DDETS: "department_code",
    OrganisationKind.DEPARTMENT_COUNCIL: "department_code",
    OrganisationKind.CAF: "department_code",
    OrganisationKind.REGION_COUNCIL: "region_code",
    OrganisationKind.EPCI: "epci_siren",
    OrganisationKind.COMMUNE: "insee_code",
    OrganisationKind.CITIZEN_COUNCIL: "insee_code",
}

TERRITORY_FIELD_LABELS = {
    "department_code": "code du département",
    "region_code": "code de la région",
    "epci_siren": "SIREN de l'EPCI",
    "insee_code": "code INSEE de la commune",
}


# --------------------------------------------------------------------------- rôles


class Role(StrEnum):
    """Rôle d'un compte dans une organisation (une adhésion = un compte, une organisation, un rôle)."""

    PLATFORM_ADMIN = "platform_admin"
    ORGANISATION_ADMIN = "organisation_admin"
    APPLICANT = "applicant"
    STATE_INSTRUCTOR = "state_instructor"
    PREFECT_DELEGATE = "prefect_delegate"
    FUNDER_AGENT = "funder_agent"
    CITY_CONTRACT_LEAD = "city_contract_lead"
    COUNCIL_MEMBER = "council_member"
    COUNCIL_FACILITATOR = "council_facilitator"


@dataclass(frozen=True)
class RoleInfo:
    """Ce qu'un rôle veut dire : libellé, organisations où il a un sens, portée territoriale."""

    role: Role
    label: str
    description: str
    organisation_kinds: frozenset[OrganisationKind]
    territorial: bool


ROLES: dict[Role, RoleInfo] = {
    info.role: info
    for info in (
        RoleInfo(
            Role.PLATFORM_ADMIN,
            "Administrateur de la plateforme",
            "voit et administre tout",
            frozenset({OrganisationKind.PLATFORM}),
            territorial=True,
        ),
        RoleInfo(
            Role.ORGANISATION_ADMIN,
            "Responsable de l'organisation",
            "gère les membres et la fiche de son organisation",
            frozenset(OrganisationKind) - {OrganisationKind.PLATFORM},
            territorial=False,
        ),
        RoleInfo(
            Role.APPLICANT,
            "Porteur de projet",
            "dépose et suit les demandes de subvention de sa structure",
            PROJECT_HOLDER_KINDS,
            territorial=False,
        ),
        RoleInfo(
            Role.STATE_INSTRUCTOR,
            "Instructeur des services de l'État",
            "instruit les demandes de son département (préfecture, DDETS) ou de tout le pays (ANCT)",
            STATE_KINDS | {OrganisationKind.ANCT},
            territorial=True,
        ),
        RoleInfo(
            Role.PREFECT_DELEGATE,
            "Délégué du préfet",
            "donne son avis sur les actions des quartiers de son département",
            frozenset({OrganisationKind.PREFECTURE}),
            territorial=True,
        ),
        RoleInfo(
            Role.FUNDER_AGENT,
            "Agent d'un cofinanceur",
            "instruit et finance pour sa collectivité, sa CAF ou son bailleur, sur son territoire",
            FUNDER_KINDS,
            territorial=True,
        ),
        RoleInfo(
            Role.CITY_CONTRACT_LEAD,
            "Chef de projet contrat de ville",
            "pilote le contrat de ville de son intercommunalité ou de sa commune",
            frozenset({OrganisationKind.EPCI, OrganisationKind.COMMUNE}),
            territorial=True,
        ),
        RoleInfo(
            Role.COUNCIL_MEMBER,
            "Membre du conseil citoyen",
            "participe au conseil citoyen de son quartier",
            frozenset({OrganisationKind.CITIZEN_COUNCIL}),
            territorial=False,
        ),
        RoleInfo(
            Role.COUNCIL_FACILITATOR,
            "Animateur du conseil citoyen",
            "anime le conseil citoyen, convoque et compose les collèges",
            frozenset({OrganisationKind.CITIZEN_COUNCIL}),
            territorial=False,
        ),
    )
}


def role_label(role: str) -> str:
    """Libellé français d'un rôle (le code tel quel s'il est inconnu)."""
    try:
        return ROLES[Role(role)].label
    except ValueError:
        return role


# --------------------------------------------------------------------------- erreurs


class AccountsError(Exception):
    """Erreur du domaine des comptes ; porte ses données, chaque porte la formule."""


@dataclass
class InvalidIdentifier(AccountsError):
    """Identifiant (SIREN, SIRET, RNA, code territorial) mal formé."""

    field: str
    value: str
    expected: str

    def __str__(self) -> str:
        return f"{self.field} « {self.value} » invalide : {self.expected}"


@dataclass
class InvalidMembership(AccountsError):
    """Rôle sans objet dans cette nature d'organisation, ou organisation sans son territoire."""

    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class NotAllowed(AccountsError):
    """Action refusée : qui (`actor`), quelle permission, sur quoi (`target`)."""

    permission: str
    actor: str
    target: str = ""

    def __str__(self) -> str:
        return not_allowed_message(self)


PERMISSION_LABELS: dict[str, str] = {
    "accounts.view_organisation": "voir cette organisation",
    "accounts.change_organisation": "modifier cette organisation",
    "accounts.add_organisation": "créer une organisation",
    "accounts.view_members": "voir les membres de cette organisation",
    "accounts.manage_members": "gérer les membres de cette organisation",
    "accounts.view_membership": "voir cette adhésion",
    "accounts.change_membership": "modifier cette adhésion",
    "accounts.add_user": "créer un compte",
    "accounts.add_apitoken": "créer un jeton d'API",
    "accounts.view_apitoken": "voir ce jeton d'API",
    "accounts.change_apitoken": "révoquer ce jeton d'API",
    "accounts.view_history": "voir l'historique de cet objet",
}


def not_allowed_message(error: NotAllowed) -> str:
    """Phrase française d'un refus, commune aux trois portes (web, API, ligne de commande)."""
    what = PERMISSION_LABELS.get(error.permission, f"exercer la permission « {error.permission} »")
    target = f" ({error.target})" if error.target else ""
    return f"Action non autorisée : {error.actor} ne peut pas {what}{target}."


# --------------------------------------------------------------------------- identifiants

_DIGITS = re.compile(r"^\d+$")
_RNA = re.compile(r"^W\d{9}$")
_DEPARTMENT = re.compile(r"^(0[1-9]|[1-8]\d|9[0-5]|2A|2B|97[1-8]|98[6-9])$")
_REGION = re.compile(r"^\d{2}$")
_INSEE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
# La Poste : ses SIRET (SIREN 356 000 000) suivent une autre clé (somme des chiffres multiple de 5).
LA_POSTE_SIREN = "356000000"


def _compact(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value.strip())


def luhn_valid(digits: str) -> bool:
    """Clé de Luhn (SIREN, SIRET) : somme, un chiffre sur deux doublé depuis la droite."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        n = int(char)
        if index % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def validate_siren(value: str) -> str:
    """SIREN normalisé (espaces retirés) : 9 chiffres et clé de Luhn valide."""
    siren = _compact(value)
    if len(siren) != 9 or not _DIGITS.match(siren):
        raise InvalidIdentifier(
            "SIREN", value, f"9 chiffres attendus, {len(siren)} caractère(s) lus"
        )
    if not luhn_valid(siren):
        raise InvalidIdentifier(
            "SIREN", value, "clé de contrôle (Luhn) incorrecte : numéro mal recopié ?"
        )
    return siren


def validate_siret(value: str) -> str:
    """SIRET normalisé : 14 chiffres, SIREN valide en tête, clé de Luhn (règle propre à La Poste)."""
    siret = _compact(value)
    if len(siret) != 14 or not _DIGITS.match(siret):
        raise InvalidIdentifier(
            "SIRET", value, f"14 chiffres attendus (SIREN + NIC), {len(siret)} caractère(s) lus"
        )
    if siret[:9] == LA_POSTE_SIREN:
        if sum(int(c) for c in siret) % 5 != 0:
            raise InvalidIdentifier("SIRET", value, "clé de contrôle (La Poste) incorrecte")
        return siret
    if not luhn_valid(siret[:9]):
        raise InvalidIdentifier(
            "SIRET", value, "les 9 premiers chiffres ne forment pas un SIREN valide"
        )
    if not luhn_valid(siret):
        raise InvalidIdentifier(
            "SIRET", value, "clé de contrôle (Luhn) incorrecte : numéro mal recopié ?"
        )
    return siret


def validate_rna(value: str) -> str:
    """Numéro RNA d'association : « W » suivi de 9 chiffres (majuscule imposée à la normalisation)."""
    rna = _compact(value).upper()
    if not _RNA.match(rna):
        raise InvalidIdentifier(
            "numéro RNA", value, "« W » suivi de 9 chiffres attendu (ex. W181000123)"
        )
    return rna


def validate_territory_code(field_name: str, value: str) -> str:
    """Code territorial normalisé : département, région, SIREN d'EPCI ou code INSEE de commune."""
    code = _compact(value).upper()
    label = TERRITORY_FIELD_LABELS.get(field_name, field_name)
    if field_name == "department_code" and not _DEPARTMENT.match(code):
        raise InvalidIdentifier(label, value, "01 à 95, 2A, 2B ou 971 à 989 attendu")
    if field_name == "region_code" and not _REGION.match(code):
        raise InvalidIdentifier(label, value, "2 chiffres attendus (ex. 24)")
    if field_name == "epci_siren" and (len(code) != 9 or not _DIGITS.match(code)):
        raise InvalidIdentifier(label, value, "9 chiffres attendus")
    if field_name == "insee_code" and not _INSEE.match(code):
        raise InvalidIdentifier(label, value, "5 caractères attendus (ex. 18033, 2A004)")
    return code


def department_of_insee(insee_code: str) -> str:
    """Département d'une commune d'après son code INSEE (3 caractères outre-mer)."""
    return insee_code[:3] if insee_code.startswith("97") else insee_code[:2]


# --------------------------------------------------------------------------- territoires


@dataclass(frozen=True)
class Place:
    """Où se situe un objet (organisation, demande de subvention, conseil citoyen…) : ses codes."""

    region_code: str = ""
    department_code: str = ""
    epci_siren: str = ""
    insee_code: str = ""

    @classmethod
    def of(
        cls,
        region_code: str = "",
        department_code: str = "",
        epci_siren: str = "",
        insee_code: str = "",
    ) -> Place:
        """Lieu complété : le département se déduit du code INSEE quand il manque."""
        if insee_code and not department_code:
            department_code = department_of_insee(insee_code)
        return cls(region_code, department_code, epci_siren, insee_code)


@dataclass(frozen=True)
class TerritorialScope:
    """Territoire qu'un compte couvre : partout, ou des régions, départements, EPCI, communes."""

    national: bool = False
    region_codes: frozenset[str] = field(default_factory=frozenset)
    department_codes: frozenset[str] = field(default_factory=frozenset)
    epci_sirens: frozenset[str] = field(default_factory=frozenset)
    insee_codes: frozenset[str] = field(default_factory=frozenset)

    @property
    def empty(self) -> bool:
        return not (
            self.national
            or self.region_codes
            or self.department_codes
            or self.epci_sirens
            or self.insee_codes
        )

    def covers(self, place: Place) -> bool:
        """Vrai si le lieu est dans la portée ; un lieu sans aucun code n'est couvert que partout."""
        if self.national:
            return True
        return bool(
            (place.region_code and place.region_code in self.region_codes)
            or (place.department_code and place.department_code in self.department_codes)
            or (place.epci_siren and place.epci_siren in self.epci_sirens)
            or (place.insee_code and place.insee_code in self.insee_codes)
        )

    def union(self, other: TerritorialScope) -> TerritorialScope:
        return TerritorialScope(
            self.national or other.national,
            self.region_codes | other.region_codes,
            self.department_codes | other.department_codes,
            self.epci_sirens | other.epci_sirens,
            self.insee_codes | other.insee_codes,
        )


@dataclass(frozen=True)
class MembershipFacts:
    """Ce qu'une adhésion dit pour la portée : le rôle, la nature et le lieu de l'organisation."""

    role: Role
    organisation_kind: OrganisationKind
    place: Place


def membership_scope(facts: MembershipFacts) -> TerritorialScope:
    """Portée d'une adhésion : l'État sur son département, un financeur sur son territoire.

    Un rôle non territorial (porteur, conseil citoyen, responsable d'organisation) ne couvre
    aucun territoire : il ne voit que sa propre organisation.
    """
    info = ROLES[facts.role]
    if not info.territorial:
        return TerritorialScope()
    kind, place = facts.organisation_kind, facts.place
    if facts.role is Role.PLATFORM_ADMIN or kind is OrganisationKind.ANCT:
        return TerritorialScope(national=True)
    if kind is OrganisationKind.REGION_COUNCIL:
        return TerritorialScope(region_codes=_codes(place.region_code))
    if kind in STATE_KINDS or kind in (OrganisationKind.DEPARTMENT_COUNCIL, OrganisationKind.CAF):
        return TerritorialScope(department_codes=_codes(place.department_code))
    if kind is OrganisationKind.EPCI:
        return TerritorialScope(epci_sirens=_codes(place.epci_siren))
    if kind is OrganisationKind.COMMUNE:
        return TerritorialScope(insee_codes=_codes(place.insee_code))
    # Bailleur social, autre financeur : le plus fin des codes qu'il porte.
    if place.insee_code:
        return TerritorialScope(insee_codes=_codes(place.insee_code))
    if place.epci_siren:
        return TerritorialScope(epci_sirens=_codes(place.epci_siren))
    if place.department_code:
        return TerritorialScope(department_codes=_codes(place.department_code))
    return TerritorialScope(region_codes=_codes(place.region_code))


def scope_of(memberships: Iterable[MembershipFacts]) -> TerritorialScope:
    """Portée d'un ensemble d'adhésions : leur réunion."""
    scope = TerritorialScope()
    for facts in memberships:
        scope = scope.union(membership_scope(facts))
    return scope


def _codes(code: str) -> frozenset[str]:
    return frozenset({code}) if code else frozenset()


def check_membership(role: str, organisation_kind: str) -> Role:
    """Rôle validé pour cette nature d'organisation, ou `InvalidMembership` en français."""
    try:
        parsed = Role(role)
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise InvalidMembership(f"rôle « {role} » inconnu : attendu l'un de {known}") from None
    kind = OrganisationKind(organisation_kind)
    info = ROLES[parsed]
    if kind not in info.organisation_kinds:
        raise InvalidMembership(
            f"le rôle « {info.label} » n'a pas de sens dans une organisation de type "
            f"« {ORGANISATION_KIND_LABELS[kind]} »"
        )
    return parsed


def territory_problems(organisation_kind: str, place: Place) -> list[str]:
    """Ce qui manque au territoire d'une organisation (l'État sur un département…), en français."""
    kind = OrganisationKind(organisation_kind)
    required = REQUIRED_TERRITORY.get(kind)
    if required and not getattr(place, required):
        return [
            f"une organisation de type « {ORGANISATION_KIND_LABELS[kind]} » doit indiquer son "
            f"{TERRITORY_FIELD_LABELS[required]}"
        ]
    if kind in (OrganisationKind.SOCIAL_LANDLORD, OrganisationKind.OTHER_FUNDER) and not any(
        (place.region_code, place.department_code, place.epci_siren, place.insee_code)
    ):
        return [
            f"une organisation de type « {ORGANISATION_KIND_LABELS[kind]} » doit indiquer son "
            "territoire (région, département, EPCI ou commune)"
        ]
    return []
