"""Cœur des comptes : identifiants (SIREN, SIRET, RNA), rôles, portée territoriale."""

from __future__ import annotations

import pytest

from quartiers.core import accounts as core
from quartiers.core.accounts import MembershipFacts, OrganisationKind, Place, Role


@pytest.mark.parametrize("value", ["552120222", "732 829 320", "130005481"])
def test_valid_siren_is_normalised(value: str) -> None:
    assert core.validate_siren(value) == value.replace(" ", "")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("55212022", "9 chiffres attendus, 8 caractère(s) lus"),
        ("55212022A", "9 chiffres attendus"),
        ("552120223", "clé de contrôle (Luhn) incorrecte"),
    ],
)
def test_invalid_siren_says_why(value: str, expected: str) -> None:
    with pytest.raises(core.InvalidIdentifier) as info:
        core.validate_siren(value)
    assert expected in str(info.value)
    assert str(info.value).startswith(f"SIREN « {value} » invalide")


def test_siret_checks_length_siren_and_key() -> None:
    assert core.validate_siret("552 120 222 00013") == "55212022200013"
    with pytest.raises(core.InvalidIdentifier, match="14 chiffres attendus"):
        core.validate_siret("5521202220001")
    with pytest.raises(core.InvalidIdentifier, match="ne forment pas un SIREN valide"):
        core.validate_siret("55212022300013")
    with pytest.raises(core.InvalidIdentifier, match=r"clé de contrôle \(Luhn\)"):
        core.validate_siret("55212022200014")


def test_la_poste_siret_uses_its_own_key() -> None:
    # Établissements de La Poste : la somme des chiffres est un multiple de 5 (pas de Luhn).
    assert core.validate_siret("35600000049837") == "35600000049837"
    with pytest.raises(core.InvalidIdentifier, match="La Poste"):
        core.validate_siret("35600000049838")


def test_rna_is_w_and_nine_digits() -> None:
    assert core.validate_rna("w181000123") == "W181000123"
    for bad in ("181000123", "W18100012", "W1810001234", "WA81000123"):
        with pytest.raises(core.InvalidIdentifier, match="« W » suivi de 9 chiffres"):
            core.validate_rna(bad)


@pytest.mark.parametrize(
    ("field", "good", "bad"),
    [
        ("department_code", "2A", "96"),
        ("department_code", "974", "9"),
        ("region_code", "24", "2"),
        ("epci_siren", "249999999", "24999999"),
        ("insee_code", "2A004", "1899"),
    ],
)
def test_territory_codes(field: str, good: str, bad: str) -> None:
    assert core.validate_territory_code(field, good) == good
    with pytest.raises(core.InvalidIdentifier) as info:
        core.validate_territory_code(field, bad)
    assert core.TERRITORY_FIELD_LABELS[field] in str(info.value)


def test_every_role_has_a_french_label_and_kinds() -> None:
    assert set(core.ROLES) == set(Role)
    for info in core.ROLES.values():
        assert info.label and info.organisation_kinds
    assert core.role_label("prefect_delegate") == "Délégué du préfet"
    assert core.role_label("inconnu") == "inconnu"


def test_check_membership_refuses_roles_out_of_place() -> None:
    assert core.check_membership("prefect_delegate", "prefecture") is Role.PREFECT_DELEGATE
    with pytest.raises(core.InvalidMembership, match="« Délégué du préfet » n'a pas de sens"):
        core.check_membership("prefect_delegate", "association")
    with pytest.raises(core.InvalidMembership, match="rôle « chef » inconnu"):
        core.check_membership("chef", "epci")
    with pytest.raises(core.InvalidMembership):
        core.check_membership("platform_admin", "ddets")


def test_state_services_need_their_department() -> None:
    assert core.territory_problems("ddets", Place()) == [
        "une organisation de type « DDETS (direction départementale de l'emploi, du travail et "
        "des solidarités) » doit indiquer son code du département"
    ]
    assert core.territory_problems("ddets", Place(department_code="18")) == []
    assert core.territory_problems("epci", Place(department_code="18"))
    assert core.territory_problems("association", Place()) == []
    assert core.territory_problems("social_landlord", Place())


BELLERIVE = Place.of(region_code="24", epci_siren="249999999", insee_code="18999")
ELSEWHERE = Place.of(region_code="24", insee_code="36044")


def facts(role: Role, kind: OrganisationKind, **codes: str) -> MembershipFacts:
    return MembershipFacts(role, kind, Place.of(**codes))


@pytest.mark.parametrize(
    ("membership", "covers_bellerive", "covers_elsewhere"),
    [
        (facts(Role.PLATFORM_ADMIN, OrganisationKind.PLATFORM), True, True),
        (facts(Role.STATE_INSTRUCTOR, OrganisationKind.ANCT), True, True),
        (facts(Role.STATE_INSTRUCTOR, OrganisationKind.DDETS, department_code="18"), True, False),
        (
            facts(Role.PREFECT_DELEGATE, OrganisationKind.PREFECTURE, department_code="18"),
            True,
            False,
        ),
        (facts(Role.FUNDER_AGENT, OrganisationKind.REGION_COUNCIL, region_code="24"), True, True),
        (facts(Role.FUNDER_AGENT, OrganisationKind.CAF, department_code="36"), False, True),
        (facts(Role.FUNDER_AGENT, OrganisationKind.COMMUNE, insee_code="18999"), True, False),
        (
            facts(Role.CITY_CONTRACT_LEAD, OrganisationKind.EPCI, epci_siren="249999999"),
            True,
            False,
        ),
        (
            facts(Role.FUNDER_AGENT, OrganisationKind.SOCIAL_LANDLORD, department_code="36"),
            False,
            True,
        ),
        # Rôles non territoriaux : aucune portée, même rattachés à Bellerive.
        (facts(Role.APPLICANT, OrganisationKind.ASSOCIATION, insee_code="18999"), False, False),
        (
            facts(Role.ORGANISATION_ADMIN, OrganisationKind.EPCI, epci_siren="249999999"),
            False,
            False,
        ),
        (
            facts(Role.COUNCIL_MEMBER, OrganisationKind.CITIZEN_COUNCIL, insee_code="18999"),
            False,
            False,
        ),
    ],
)
def test_scope_of_a_membership(
    membership: MembershipFacts, covers_bellerive: bool, covers_elsewhere: bool
) -> None:
    scope = core.membership_scope(membership)
    assert scope.covers(BELLERIVE) is covers_bellerive
    assert scope.covers(ELSEWHERE) is covers_elsewhere


def test_scope_of_several_memberships_is_their_union() -> None:
    scope = core.scope_of(
        [
            facts(Role.FUNDER_AGENT, OrganisationKind.CAF, department_code="36"),
            facts(Role.CITY_CONTRACT_LEAD, OrganisationKind.EPCI, epci_siren="249999999"),
        ]
    )
    assert scope.covers(BELLERIVE) and scope.covers(ELSEWHERE)
    assert not scope.covers(Place.of(insee_code="31555"))
    assert core.scope_of([]).empty
    # Un lieu sans aucun code n'est couvert que par une portée nationale.
    assert not scope.covers(Place())
    assert core.TerritorialScope(national=True).covers(Place())


def test_place_derives_department_from_insee_code() -> None:
    assert Place.of(insee_code="97411").department_code == "974"
    assert Place.of(insee_code="2A004").department_code == "2A"


def test_not_allowed_carries_data_and_a_french_sentence() -> None:
    error = core.NotAllowed("accounts.manage_members", "Julien Moreau", "CAF")
    assert error.permission == "accounts.manage_members"
    assert str(error) == (
        "Action non autorisée : Julien Moreau ne peut pas gérer les membres de cette organisation (CAF)."
    )
