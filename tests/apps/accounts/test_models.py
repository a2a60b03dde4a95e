"""Comptes et organisations : courriel insensible à la casse, identifiants contrôlés en français."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.db import IntegrityError

from quartiers.accounts import services
from quartiers.accounts.models import User

pytestmark = pytest.mark.django_db


def test_email_is_the_login_case_insensitive() -> None:
    user = User.objects.create_user(
        "  Camille.Martin@Example.ORG ", "secret-de-test", "Camille Martin"
    )
    assert user.email == "camille.martin@example.org"
    assert authenticate(username="CAMILLE.martin@example.org", password="secret-de-test") == user
    with pytest.raises(IntegrityError):
        User.objects.create_user("camille.martin@EXAMPLE.org", "x")


def test_superuser_and_unusable_password() -> None:
    admin = User.objects.create_superuser("root@example.org", "pw-de-test")
    assert admin.is_staff and admin.is_superuser
    assert not User.objects.create_user("sans@example.org").has_usable_password()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "association", "rna": "W18100012"}, "rna : numéro RNA « W18100012 » invalide"),
        (
            {"kind": "company", "siret": "55212022200014"},
            "siret : SIRET « 55212022200014 » invalide",
        ),
        ({"kind": "company", "siren": "123"}, "SIREN « 123 » invalide : 9 chiffres attendus"),
        (
            {"kind": "company", "siren": "732829320", "siret": "55212022200013"},
            "ne commence pas par le SIREN « 732829320 »",
        ),
        ({"kind": "prefecture"}, "doit indiquer son code du département"),
        ({"kind": "caf", "department_code": "99"}, "code du département « 99 » invalide"),
    ],
)
def test_organisation_errors_are_precise(fields: dict[str, str], message: str) -> None:
    with pytest.raises(services.ServiceError) as info:
        services.create_organisation("exploitant", name="Structure", **fields)
    assert message in str(info.value)


def test_siren_is_taken_from_siret() -> None:
    organisation = services.create_organisation(
        "exploitant", name="Entreprise", kind="company", siret="552 120 222 00013"
    )
    assert (organisation.siret, organisation.siren) == ("55212022200013", "552120222")


def test_membership_role_must_fit_the_organisation() -> None:
    association = services.create_organisation("exploitant", name="Asso", kind="association")
    with pytest.raises(services.ServiceError, match="n'a pas de sens"):
        services.add_member("exploitant", association, "x@example.org", "prefect_delegate")
    services.add_member("exploitant", association, "x@example.org", "applicant")
    with pytest.raises(services.ServiceError, match="déjà « Porteur de projet »"):
        services.add_member("exploitant", association, "X@example.org", "applicant")
