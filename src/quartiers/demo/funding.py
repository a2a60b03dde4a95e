"""Financements de démonstration (FICTIFS) : un contrat de ville, un appel à projets, des demandes.

Sur le territoire fictif de Bellerive, avec les comptes de `demo.accounts` : la structure
porteuse dépose, l'instructrice de la DDETS instruit, l'agente de la CAF cofinance. Les demandes
passent par les vrais services (donc par le journal d'audit) jusqu'à des statuts variés, pour que
`make run` montre tout le parcours. Le SIRET de l'association commence par « 0000000 » : un
numéro à clé valide qu'aucun organisme réel ne porte (les SIREN attribués ne commencent pas par
sept zéros — à vérifier), marqué fictif.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from quartiers.demo.accounts import DEMO_DOMAIN, DEMO_EPCI_SIREN, ORGANISATIONS

CONTRACT_NAME = "Contrat de ville de l'Agglomération de Bellerive 2024–2030 (fictif)"
DEMO_SIRET = "00000001800010"  # fictif, voir la docstring
QPV = ["QN01801M", "QN01802M", "QN01803M"]

# (intitulé, thème, statut visé, montant État, montant CAF)
APPLICATIONS: tuple[tuple[str, str, str, int, int], ...] = (
    ("Ateliers de lecture aux Tilleuls (fictif)", "Éducation", "draft", 3000, 1500),
    ("Permanences emploi du Champ-de-la-Lune (fictif)", "Emploi", "submitted", 8000, 2000),
    ("Jardins partagés des Rives (fictif)", "Cadre de vie", "taken_charge", 2500, 1000),
    ("Sport au pied des immeubles (fictif)", "Sport", "under_instruction", 6000, 3000),
    ("Médiation numérique (fictif)", "Citoyenneté", "complements_requested", 4000, 1000),
    ("Soutien scolaire (fictif)", "Éducation", "decided", 5000, 2500),
    ("Fête de quartier (fictif)", "Culture", "inadmissible", 1500, 500),
    ("Chantier éducatif (fictif)", "Emploi", "rejected", 7000, 1000),
    ("Accès aux droits (fictif)", "Santé", "closed", 3500, 1500),
)


def _user(local_part: str) -> Any:
    from quartiers.accounts.models import User

    return User.objects.get(email=f"{local_part}@{DEMO_DOMAIN}")


def _org(key: str) -> Any:
    from quartiers.accounts.models import Organisation

    fields = ORGANISATIONS[key]
    return Organisation.objects.get(name=fields["name"], kind=fields["kind"])


def build_demo_funding() -> str:
    """Crée contrat, appel et demandes (une seule fois) ; suppose les comptes de démonstration."""
    from django.db import transaction
    from django.utils import timezone

    from quartiers.funding import organisations, services
    from quartiers.funding.models import CallForProjects, CityContract

    if CityContract.objects.filter(name=CONTRACT_NAME).exists():
        return "financements de démonstration déjà présents"
    today = timezone.localdate()
    porteur, instructrice, caf_agent = (
        _user("porteur"),
        _user("instructrice.ddets"),
        _user("agent.caf"),
    )
    association, ddets, caf, epci = _org("association"), _org("ddets"), _org("caf"), _org("epci")
    with transaction.atomic():
        if not association.siret:
            association.siret, association.siren = DEMO_SIRET, DEMO_SIRET[:9]
            association.save(update_fields=["siret", "siren"])
        # Fiche « tiers » : forme juridique, siège (localisé), la porteuse signataire.
        organisations.update_profile(
            porteur, association,
            {"legal_form": "association", "head_office_address": "20 avenue des Tilleuls Bellerive",
             "email": f"contact@{DEMO_DOMAIN}"},
        )  # fmt: skip
        organisations.save_person(
            porteur, association,
            organisations.PersonInput(porteur.full_name or "Porteuse", "Présidente (fictive)",
                                      porteur.email, is_contact=True, is_signatory=True),
        )  # fmt: skip
        contract = CityContract.objects.create(
            name=CONTRACT_NAME, epci_siren=DEMO_EPCI_SIREN,
            epci_name=ORGANISATIONS["epci"]["name"], region_code="24", department_code="18",
            generation=CityContract.Generation.G2024, starts_on=dt.date(2024, 1, 1),
            ends_on=dt.date(2030, 12, 31), qpv_codes=QPV,
            priorities=["Réussite éducative", "Emploi des jeunes", "Tranquillité et cadre de vie"],
        )  # fmt: skip
        contract.signatories.set([ddets, epci, caf])
        call = CallForProjects.objects.create(
            contract=contract, title="Appel à projets politique de la ville (fictif)",
            year=today.year, themes=sorted({a[1] for a in APPLICATIONS}),
            preamble="Appel à projets fictif de démonstration : projets (et non structures) "
            "réalisés pendant l'année, au bénéfice des habitants des quartiers prioritaires.",
            eligibility="Structures porteuses du territoire ; actions dans un quartier du contrat.",
            opens_on=today - dt.timedelta(days=30), closes_on=today + dt.timedelta(days=60),
            required_documents=[],
            scoring_grid=[
                {"code": "capacite", "label": "Capacité du porteur", "max": 5},
                {"code": "presence", "label": "Présence dans le quartier", "max": 5},
                {"code": "faisabilite", "label": "Faisabilité", "max": 5},
                {"code": "priorites", "label": "Adéquation aux priorités du contrat", "max": 5},
            ],
        )  # fmt: skip
        call.funders.set([ddets, caf, epci])
        for index, (title, theme, target, state_amount, caf_amount) in enumerate(APPLICATIONS):
            _build_one(services, call, association, porteur, instructrice, caf_agent,
                       ddets, caf, title, theme, target, state_amount, caf_amount, index)  # fmt: skip
    return (
        f"financements de démonstration : 1 contrat, 1 appel, {len(APPLICATIONS)} demandes "
        "dans des statuts variés (fictifs)"
    )


def _build_one(
    services: Any, call: Any, association: Any, porteur: Any, instructrice: Any,
    caf_agent: Any, ddets: Any, caf: Any, title: str, theme: str, target: str,
    state_amount: int, caf_amount: int, index: int,
) -> None:  # fmt: skip
    from django.utils import timezone

    from quartiers.funding.models import FundingLine

    year = call.year
    total = state_amount + caf_amount
    app = services.create_application(porteur, call, association, title)
    services.save_draft(
        porteur, app, app.version, "request", {"theme": theme},
        [services.ActionInput(
            title=title.replace(" (fictif)", ""), objectives="Objectifs de démonstration.",
            public="Habitants du quartier", qpv_codes=[QPV[index % len(QPV)]],
            beneficiaries=20 + 5 * index, qpv_share="80",
            starts_on=dt.date(year, 1, 15), ends_on=dt.date(year, 12, 15),
            budget=[services.BudgetInput("60", str(total // 4), "achats"),
                    services.BudgetInput("64", str(total - total // 4), "personnel"),
                    services.BudgetInput("74", str(total), "subventions")],
            funding=[services.FundingInput(ddets.pk, str(state_amount)),
                     services.FundingInput(caf.pk, str(caf_amount))],
        )],
    )  # fmt: skip
    if target == "draft":
        return
    services.attest(porteur, app, app.version)
    services.transition(porteur, app, "submit")
    if target == "submitted":
        return
    services.transition(instructrice, app, "take_charge")
    if target == "taken_charge":
        return
    if target == "inadmissible":
        services.transition(
            instructrice,
            app,
            "declare_inadmissible",
            "Action hors du périmètre du contrat (fictif)",
        )
        return
    for event in ("declare_admissible", "queue_for_instruction", "start_instruction"):
        services.transition(instructrice, app, event)
    if target == "under_instruction":
        return
    due = timezone.localdate() + dt.timedelta(days=15)
    services.request_complements(
        caf_agent, app, "Merci de préciser le calendrier des séances.", ["calendrier"], due
    )
    if target == "complements_requested":
        return
    services.answer_complements(porteur, app, "Calendrier : un mercredi sur deux.")
    if target == "rejected":
        services.transition(
            instructrice, app, "reject", "Projet redondant avec une action existante (fictif)"
        )
        return
    services.give_opinion(
        caf_agent, app, caf, True, {"capacite": 4, "presence": 5, "faisabilite": 4, "priorites": 4},
        "Avis favorable (fictif).",
    )  # fmt: skip
    for funder, user, amount in ((caf, caf_agent, caf_amount), (ddets, instructrice, state_amount)):
        line = FundingLine.objects.get(action__application=app, funder=funder)
        services.record_decision(
            user, line, "granted", str(amount), "Comité de programmation (fictif)"
        )
    if target == "closed":
        app.refresh_from_db()
        services.transition(instructrice, app, "close")
