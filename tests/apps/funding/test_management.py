"""Contrats de ville et appels à projets : gérés par l'État du département et l'EPCI, QPV pris
dans les éditions en vigueur, chaque enregistrement au journal d'audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from quartiers.accounts.models import AuditEvent
from quartiers.core.accounts import NotAllowed
from quartiers.funding import management, services
from quartiers.funding.management import CallInput, ContractInput
from quartiers.funding.models import CityContract

from .conftest import EPCI_18, EPCI_31, World


@pytest.fixture
def zoning(db: Any) -> None:
    from quartiers import demo

    demo.build()  # éditions fictives 2015 (QP0189…) et 2024 (QN018…) du Cher


def _contract(**over: Any) -> ContractInput:
    fields: dict[str, Any] = {
        "name": "Contrat de Bellerive 2024–2030",
        "epci_siren": EPCI_18,
        "department_code": "18",
        "region_code": "24",
        "generation": "2024",
        "qpv_codes": ["qn01801m", "QN01802M"],
        "priorities": ["Réussite éducative", "", "Emploi"],
    }
    fields.update(over)
    return ContractInput(**fields)


@pytest.mark.parametrize("who", ["city_contract_lead", "state_instructor", "platform_admin"])
def test_state_and_epci_create_a_contract_with_qpvs_in_force(
    world: World, zoning: None, who: str
) -> None:
    actor = world.users[who]
    contract = management.save_contract(
        actor, _contract(signatory_ids=[world.orgs["ddets"].pk, world.orgs["epci"].pk])
    )
    assert contract.qpv_codes == ["QN01801M", "QN01802M"]
    assert contract.priorities == ["Réussite éducative", "Emploi"]
    assert (contract.starts_on, contract.ends_on) == (dt.date(2024, 1, 1), dt.date(2030, 12, 31))
    event = AuditEvent.objects.get(action="contract.created", target_id=str(contract.pk))
    assert event.changes["signatories"]["after"] == ["Agglo 18", "DDETS 18"]
    management.save_contract(actor, _contract(qpv_codes=["QN01801M"]), contract)
    event = AuditEvent.objects.get(action="contract.updated", target_id=str(contract.pk))
    assert event.changes["qpv_codes"] == {
        "before": ["QN01801M", "QN01802M"],
        "after": ["QN01801M"],
    }


@pytest.mark.parametrize(
    "who", ["applicant", "funder_agent", "outside_instructor", "prefect_delegate"]
)
def test_others_cannot_create_or_edit_a_contract(world: World, zoning: None, who: str) -> None:
    with pytest.raises(NotAllowed):
        management.save_contract(world.users[who], _contract())
    with pytest.raises(NotAllowed):
        management.save_contract(world.users[who], _contract(), world.contract)


def test_a_lead_cannot_move_a_contract_out_of_their_epci(world: World, zoning: None) -> None:
    lead = world.users["city_contract_lead"]
    with pytest.raises(NotAllowed):
        management.save_contract(lead, _contract(epci_siren=EPCI_31))
    assert CityContract.objects.filter(epci_siren=EPCI_31).count() == 1  # celui du monde


def test_qpvs_must_be_in_force_in_the_department(world: World, zoning: None) -> None:
    lead = world.users["city_contract_lead"]
    with pytest.raises(services.ServiceError) as exc:
        management.save_contract(lead, _contract(qpv_codes=["QN01801M", "QP018901", "QN03101M"]))
    messages = [p.message for p in exc.value.problems]
    assert messages == [
        "QN03101M n'est pas un QPV du département 18 en vigueur le 01/01/2024",
        "QP018901 n'est pas un QPV du département 18 en vigueur le 01/01/2024",
    ]
    with pytest.raises(services.ServiceError) as exc:
        management.save_contract(lead, _contract(starts_on=dt.date(2023, 1, 1)))
    assert "la génération 2024 couvre du 01/01/2024 au 31/12/2030" in str(exc.value.problems)
    # Un contrat 2015 prend les quartiers de l'édition 2015.
    contract = management.save_contract(
        lead, _contract(generation="2015", qpv_codes=["QP018901"], name="Contrat 2015")
    )
    assert contract.ends_on == dt.date(2023, 12, 31)


def _call(world: World, **over: Any) -> CallInput:
    year = dt.date.today().year
    fields: dict[str, Any] = {
        "title": "Appel 2",
        "year": year,
        "opens_on": dt.date(year, 1, 1),
        "closes_on": dt.date(year, 3, 31),
        "themes": ["Éducation", "Emploi", "Éducation"],
        "funder_ids": [world.orgs["ddets"].pk, world.orgs["caf"].pk],
        "required_documents": ["rib", "statuts"],
        "scoring_grid": management.parse_grid(
            "capacite ; Capacité du porteur ; 5\nqpv;Présence;10"
        ),
    }
    fields.update(over)
    return CallInput(**fields)


def test_a_call_with_themes_funders_documents_and_grid(world: World) -> None:
    inst = world.users["state_instructor"]
    call = management.save_call(inst, world.contract, _call(world))
    assert call.themes == ["Éducation", "Emploi"]
    assert call.scoring_grid[1] == {"code": "qpv", "label": "Présence", "max": 10}
    assert sorted(call.funders.values_list("name", flat=True)) == ["CAF 18", "DDETS 18"]
    event = AuditEvent.objects.get(action="call.created", target_id=str(call.pk))
    assert event.changes["funders"]["after"] == ["CAF 18", "DDETS 18"]
    with pytest.raises(services.ServiceError) as exc:
        management.save_call(
            inst,
            world.contract,
            _call(
                world,
                funder_ids=[world.orgs["association"].pk],
                required_documents=["passeport"],
                closes_on=dt.date(2000, 1, 1),
            ),
            call,
        )
    fields = sorted({p.field for p in exc.value.problems})
    assert fields == ["closes_on", "funder_ids", "required_documents"]
    with pytest.raises(services.ServiceError, match="grille de notation est mal formée"):
        management.parse_grid("capacite ; sans maximum")


def test_the_grid_is_frozen_once_opinions_are_scored(world: World) -> None:
    app = world.advance(world.complete_draft(), "under_instruction")
    services.give_opinion(
        world.users["funder_agent"], app, world.orgs["caf"], True, {"capacite": 4, "qpv": 5}
    )
    data = _call(world, scoring_grid=[{"code": "autre", "label": "Autre", "max": 5}])
    with pytest.raises(services.ServiceError) as exc:
        management.save_call(world.users["state_instructor"], world.contract, data, world.call)
    assert "ses critères ne changent plus" in exc.value.problems[0].message


@pytest.mark.parametrize("who", ["applicant", "funder_agent", "outside_instructor"])
def test_others_cannot_manage_calls(world: World, who: str) -> None:
    with pytest.raises(NotAllowed):
        management.save_call(world.users[who], world.contract, _call(world))
    with pytest.raises(NotAllowed):
        management.save_call(world.users[who], world.contract, _call(world), world.call)


def test_the_pages(world: World, zoning: None, client: Any) -> None:
    client.force_login(world.users["applicant"])
    assert client.get(f"/financements/contrats/{world.contract.pk}").status_code == 403
    assert client.get(f"/financements/appels/{world.call.pk}").status_code == 403
    client.force_login(world.users["city_contract_lead"])
    page = client.get("/financements/contrats").content.decode()
    assert "Contrat de Bellerive" in page and "Contrat de Toulouse" not in page
    response = client.post(
        "/financements/contrats",
        {
            "name": "Nouveau contrat",
            "epci_siren": EPCI_18,
            "department_code": "18",
            "generation": "2024",
            "qpv_codes": "QN01801M",
            "priorities": "Emploi\nSanté",
        },
    )
    assert response.status_code == 302
    contract = CityContract.objects.get(name="Nouveau contrat")
    page = client.get(f"/financements/contrats/{contract.pk}").content.decode()
    assert "QN01802M (Champ-de-la-Lune" in page  # les QPV en vigueur proposés
    year = dt.date.today().year
    response = client.post(
        f"/financements/contrats/{contract.pk}",
        {
            "kind": "call",
            "title": "Appel de la page",
            "year": str(year),
            "opens_on": f"{year}-02-01",
            "closes_on": f"{year}-04-30",
            "themes": "Emploi",
            "funders": [str(world.orgs["epci"].pk)],
            "required_documents": ["rib"],
            "scoring_grid": "impact ; Impact ; 5",
        },
    )
    assert response.status_code == 302
    call = contract.calls.get()
    assert call.required_documents == ["rib"] and call.scoring_grid[0]["max"] == 5
    page = client.get(f"/financements/appels/{call.pk}").content.decode()
    assert "impact ; Impact ; 5" in page
    response = client.post(
        f"/financements/appels/{call.pk}",
        {"title": "", "year": str(year), "themes": "", "scoring_grid": ""},
        follow=True,
    )
    assert "l&#x27;intitulé de l&#x27;appel est obligatoire" in response.content.decode()


def test_the_api_doors_use_the_same_services(world: World, zoning: None, client: Any) -> None:
    client.force_login(world.users["applicant"])
    org = world.orgs["association"]
    response = client.put(
        f"/api/v1/funding/organisations/{org.pk}/profile",
        {"legal_form": "association", "head_office_address": "20 avenue des Tilleuls Bellerive"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["head_office_qpv_code"] == "QN01801M"
    assert [p["roles"] for p in response.json()["people"]] == [["signataire"]]
    response = client.post(
        "/api/v1/funding/contracts",
        {"name": "X", "epci_siren": EPCI_18, "department_code": "18", "generation": "2024",
         "qpv_codes": ["QN01801M"]},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 403
    client.force_login(world.users["city_contract_lead"])
    assert client.get(f"/api/v1/funding/organisations/{org.pk}/profile").status_code == 403
    response = client.post(
        "/api/v1/funding/contracts",
        {"name": "X", "epci_siren": EPCI_18, "department_code": "18", "generation": "2024",
         "qpv_codes": ["QN01801M", "QP018901"]},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "qpv_codes"
    response = client.post(
        "/api/v1/funding/contracts",
        {"name": "X", "epci_siren": EPCI_18, "department_code": "18", "generation": "2024",
         "qpv_codes": ["QN01801M"]},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 200
    contract_id = response.json()["id"]
    year = dt.date.today().year
    body = {
        "title": "Appel API", "year": year, "opens_on": f"{year}-01-01",
        "closes_on": f"{year}-02-01", "themes": ["Emploi"],
        "funder_ids": [world.orgs["epci"].pk], "required_documents": ["rib"],
        "scoring_grid": [{"code": "a", "label": "A", "max": 5}],
    }  # fmt: skip
    response = client.post(
        f"/api/v1/funding/contracts/{contract_id}/calls", body, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    call_id = response.json()["id"]
    body["themes"] = ["Emploi", "Santé"]
    response = client.put(f"/api/v1/funding/calls/{call_id}", body, content_type="application/json")
    assert response.json()["themes"] == ["Emploi", "Santé"]
    client.force_login(world.users["outside_instructor"])
    response = client.put(f"/api/v1/funding/calls/{call_id}", body, content_type="application/json")
    assert response.status_code == 403
