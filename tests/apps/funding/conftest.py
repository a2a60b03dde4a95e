"""Monde des financements : un contrat, un appel, des structures et un compte par rôle, deux départements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from quartiers.accounts import services as accounts
from quartiers.accounts.models import Organisation, User
from quartiers.funding import organisations, services
from quartiers.funding.models import CallForProjects, CityContract, Document, GrantApplication
from quartiers.funding.organisations import PersonInput
from quartiers.funding.services import ActionInput, BudgetInput, FundingInput

EPCI_18 = "249999999"
EPCI_31 = "243100518"
OP = "test"


@pytest.fixture(autouse=True)
def _fast_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    users: dict[str, User]
    orgs: dict[str, Organisation]
    contract: CityContract
    call: CallForProjects
    other_call: CallForProjects

    def complete_draft(self, owner: str = "applicant") -> GrantApplication:
        """Une demande complète, attestée, prête à transmettre (structure du porteur `owner`)."""
        user = self.users[owner]
        org = self.orgs["association" if owner == "applicant" else "outside_association"]
        call = self.call if owner == "applicant" else self.other_call
        app = services.create_application(user, call, org, "Ateliers de lecture", on=call.opens_on)
        state = self.orgs["ddets" if owner == "applicant" else "outside_ddets"]
        co = self.orgs["caf" if owner == "applicant" else "outside_caf"]
        services.save_draft(
            user,
            app,
            app.version,
            "request",
            {"theme": "Éducation"},
            [
                ActionInput(
                    title="Lire ensemble",
                    objectives="Favoriser la lecture",
                    public="Enfants de 6 à 11 ans",
                    qpv_codes=list(call.contract.qpv_codes[:1]),
                    beneficiaries=40,
                    qpv_share="85",
                    starts_on=dt.date(call.year, 1, 15),
                    ends_on=dt.date(call.year, 12, 15),
                    budget=[
                        BudgetInput("60", "1 000,00", "fournitures"),
                        BudgetInput("64", "4 000", "animatrice"),
                        BudgetInput("74", "4 500", "subventions"),
                        BudgetInput("70", "500", "participations"),
                    ],
                    funding=[
                        FundingInput(state.pk, "3000"),
                        FundingInput(co.pk, "1500"),
                    ],
                )
            ],
        )
        services.attest(user, app, app.version)
        return app

    def advance(self, app: GrantApplication, to: str) -> GrantApplication:
        """Pousse une demande complète jusqu'au statut `to` par les vrais services."""
        inst = self.users[
            "state_instructor" if app.department_code == "18" else "outside_instructor"
        ]
        owner = self.users["applicant" if app.department_code == "18" else "outside"]
        path = [
            ("submit", owner, "submitted"),
            ("take_charge", inst, "taken_charge"),
            ("declare_admissible", inst, "admissible"),
            ("queue_for_instruction", inst, "awaiting_instruction"),
            ("start_instruction", inst, "under_instruction"),
        ]
        for event, actor, status in path:
            if app.status == to:
                return app
            services.transition(actor, app, event)
            assert app.status == status
        return app


def _org(key: str, **fields: str) -> Organisation:
    return accounts.create_organisation(OP, **fields)


def _user(email: str, org: Organisation, role: str) -> User:
    user = accounts.create_user(OP, email, email.split("@")[0].title())
    accounts.add_member(OP, org, email, role)
    return user


@pytest.fixture
def world(db: Any) -> World:
    cher = {"region_code": "24", "department_code": "18"}
    hg = {"region_code": "76", "department_code": "31"}
    orgs = {
        "platform": _org("platform", name="Plateforme", kind="platform"),
        "association": _org(
            "association", name="Les Tilleuls", kind="association", siret="55212022200013",
            epci_siren=EPCI_18, insee_code="18999", **cher,
        ),
        "ddets": _org("ddets", name="DDETS 18", kind="ddets", **cher),
        "prefecture": _org("prefecture", name="Préfecture 18", kind="prefecture", **cher),
        "caf": _org("caf", name="CAF 18", kind="caf", **cher),
        "departement": _org("departement", name="Conseil départemental 18",
                            kind="department_council", **cher),
        "epci": _org("epci", name="Agglo 18", kind="epci", epci_siren=EPCI_18, **cher),
        "outside_association": _org(
            "outside_association", name="Autre association", kind="association",
            siret="73282932000074", insee_code="31555", **hg,
        ),
        "outside_ddets": _org("outside_ddets", name="DDETS 31", kind="ddets", **hg),
        "outside_caf": _org("outside_caf", name="CAF 31", kind="caf", **hg),
    }  # fmt: skip
    users = {
        "platform_admin": _user("admin@t.invalid", orgs["platform"], "platform_admin"),
        "organisation_admin": _user("resp@t.invalid", orgs["association"], "organisation_admin"),
        "applicant": _user("porteur@t.invalid", orgs["association"], "applicant"),
        "state_instructor": _user("inst@t.invalid", orgs["ddets"], "state_instructor"),
        "prefect_delegate": _user("delegue@t.invalid", orgs["prefecture"], "prefect_delegate"),
        "funder_agent": _user("caf@t.invalid", orgs["caf"], "funder_agent"),
        "other_funder_agent": _user("cd@t.invalid", orgs["departement"], "funder_agent"),
        "city_contract_lead": _user("chef@t.invalid", orgs["epci"], "city_contract_lead"),
        "outside": _user("porteur31@t.invalid", orgs["outside_association"], "applicant"),
        "outside_instructor": _user("inst31@t.invalid", orgs["outside_ddets"], "state_instructor"),
        "outside_funder": _user("caf31@t.invalid", orgs["outside_caf"], "funder_agent"),
    }
    # Les signataires de l'attestation sur l'honneur (fiche de la structure).
    organisations.save_person(
        users["organisation_admin"], orgs["association"],
        PersonInput("Paula Porteur", "Présidente", "porteur@t.invalid", is_signatory=True),
    )  # fmt: skip
    organisations.save_person(
        users["outside"], orgs["outside_association"],
        PersonInput("Olivier Porteur", "Président", "porteur31@t.invalid", is_signatory=True),
    )  # fmt: skip
    year = timezone.localdate().year
    contract = CityContract.objects.create(
        name="Contrat de Bellerive", epci_siren=EPCI_18, department_code="18", region_code="24",
        generation="2024", starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2030, 12, 31),
        qpv_codes=["QN01801M", "QN01802M"], priorities=["Réussite éducative"],
    )  # fmt: skip
    grid = [
        {"code": "capacite", "label": "Capacité du porteur", "max": 5},
        {"code": "qpv", "label": "Présence dans le quartier", "max": 5},
    ]
    call = CallForProjects.objects.create(
        contract=contract, title="Appel 18", year=year, themes=["Éducation", "Emploi"],
        opens_on=timezone.localdate() - dt.timedelta(days=10),
        closes_on=timezone.localdate() + dt.timedelta(days=30),
        required_documents=[], scoring_grid=grid,
    )  # fmt: skip
    call.funders.set([orgs["ddets"], orgs["caf"], orgs["epci"]])
    contract31 = CityContract.objects.create(
        name="Contrat de Toulouse", epci_siren=EPCI_31, department_code="31", region_code="76",
        generation="2024", starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2030, 12, 31),
        qpv_codes=["QN03101M"],
    )  # fmt: skip
    other = CallForProjects.objects.create(
        contract=contract31, title="Appel 31", year=year, themes=["Éducation"],
        opens_on=call.opens_on, closes_on=call.closes_on, scoring_grid=grid,
    )  # fmt: skip
    other.funders.set([orgs["outside_ddets"], orgs["outside_caf"]])
    return World(users, orgs, contract, call, other)


__all__ = ["Decimal", "Document", "World"]

# Le vrai serveur SMTP local des tests des comptes (aiosmtpd).
from tests.apps.accounts.conftest import smtp_server  # noqa: E402

__all__ += ["smtp_server"]
