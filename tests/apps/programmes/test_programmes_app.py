"""Application des dispositifs sur la base : géographie de démonstration, API, pages, commandes."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from django.test import Client

from quartiers import demo
from quartiers.cli import main
from quartiers.core.rules import registry
from quartiers.programmes import services

pytestmark = pytest.mark.django_db

EMPLOYER = {
    "employment_status": "jobseeker",
    "jobseeker_category": 1,
    "contract_type": "cdi",
    "working_time_percent": 80,
    "organisation_type": "company",
    "employer_obligations_up_to_date": True,
    "economic_dismissal_last_6_months": False,
    "employee_on_staff_last_6_months": False,
    "other_state_aid_same_employee": False,
}
GARE = {"lon": 2.401, "lat": 46.663}  # QPV de la liste 2015, sorti en 2024 (démo)


def _post(client: Client, body: object) -> object:
    return client.post("/api/v1/eligibility", json.dumps(body), content_type="application/json")


def test_api_uses_the_list_in_force_on_the_hiring_date() -> None:
    demo.build_geography()
    client = Client()
    body = {"date": "2024-06-01", "programmes": ["emplois_francs"], "facts": {**EMPLOYER, **GARE}}
    r = _post(client, {**body, "facts": {**body["facts"], "hire_date": "2023-12-31"}})
    assert r.status_code == 200, r.content
    result = r.json()["results"][0]
    assert result["verdict"] == "eligible"
    qpv = next(c for c in result["conditions"] if c["key"] == "residence_qpv")
    assert "QP018903" in qpv["value"] and "liste 2015" in qpv["value"]
    total = next(a for a in result["amounts"] if a["key"] == "aide_totale")
    assert total["value"] == "12000.00" and "80 %" in total["computation"]
    r = _post(client, {**body, "facts": {**body["facts"], "hire_date": "2024-01-02"}})
    result = r.json()["results"][0]
    assert result["verdict"] == "not_eligible"
    assert any("habite en QPV" in w for w in result["what_would_change"])


def test_api_without_geography_names_the_missing_fact_with_the_reason() -> None:
    r = _post(
        Client(),
        {
            "date": "2024-06-01",
            "programmes": ["cites_educatives"],
            "facts": {"birth_date": "2010-01-01", **GARE, "qpv_has_cite_educative": True},
        },
    )
    result = r.json()["results"][0]
    assert result["verdict"] == "missing_facts"
    assert result["missing_facts"] == [
        {"name": "resides_in_qpv", "label": result["missing_facts"][0]["label"]}
    ]
    qpv = next(c for c in result["conditions"] if c["key"] == "qpv")
    assert "aucune liste de QPV" in qpv["reason"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"facts": {"birth_date": "31-02-2000"}}, "birth_date"),
        ({"facts": {"inconnu": 1}}, "fait inconnu"),
        ({"facts": [1, 2]}, "objet"),
        ({"facts": {}, "programmes": ["nope"]}, "dispositif inconnu"),
        ({"facts": {}, "audience": "chat"}, "public"),
        ({"facts": {}, "date": "hier"}, "date"),
        ({"facts": {"working_time_percent": 140}}, "au plus 100"),
        ({"facts": {"contract_type": "stage"}}, "attendues"),
    ],
)
def test_api_bad_input_is_a_french_422(body: dict, expected: str) -> None:
    r = _post(Client(), body)
    assert r.status_code == 422
    assert expected in r.json()["detail"]


def test_api_catalogue_and_parameters() -> None:
    client = Client()
    programmes = client.get("/api/v1/programmes").json()
    assert [p["slug"] for p in programmes] == list(registry.SLUGS)
    ef = programmes[0]
    assert any(f["name"] == "contract_type" and f["choices"] for f in ef["facts"])
    params = client.get("/api/v1/parameters", {"programme": "emplois_francs"}).json()
    cdi = next(p for p in params if p["name"] == "montant_cdi")
    assert cdi["values"][-1] == {
        "valid_from": "2025-01-01",
        "value": None,
        "reference": cdi["values"][-1]["reference"],
        "note": cdi["values"][-1]["note"],
        "to_check": False,
    }
    everything = client.get("/api/v1/parameters").json()
    assert any(v["to_check"] for p in everything for v in p["values"])
    assert client.get("/api/v1/parameters", {"programme": "x"}).status_code == 404
    assert "/api/v1/eligibility" in client.get("/api/v1/openapi.json").json()["paths"]


def test_simulator_asks_only_what_is_missing_then_shows_verdicts() -> None:
    demo.build_geography()
    client = Client()
    first = client.get("/dispositifs/personne/").content.decode()
    assert 'id="q-birth_date"' in first and 'id="q-hire_date"' not in first
    step = client.get(
        "/dispositifs/personne/",
        {
            "_asked": "birth_date,resides_in_qpv,employment_status",
            "date": "2025-06-01",
            "birth_date": "2004-03-01",
            "lon": "2.388",
            "lat": "46.654",
            "employment_status": "jobseeker",
        },
    ).content.decode()
    # Un thème par écran, avec l'indicateur d'étapes du DSFR.
    assert "fr-stepper" in step and "Étape 2 sur" in step and 'id="q-birth_date"' not in step
    assert 'id="q-hire_date"' not in step
    page = client.get(
        "/dispositifs/personne/",
        {
            "_asked": "x",
            "date": "2025-06-01",
            "birth_date": "2004-03-01",
            "lon": "2.388",
            "lat": "46.654",
            "employment_status": "jobseeker",
            "household_tax_situation": "not_taxed",
            "receives_incompatible_benefit": "non",
            "resultats": "1",
        },
    ).content.decode()
    assert 'id="resultat-contrat_engagement_jeune"' in page and "561,68" in page
    assert "QN01801M" in page and "à vérifier" in page
    assert "Ce qui changerait la réponse" in page
    params = client.get("/dispositifs/parametres/").content.decode()
    assert "22\u202f810,61\u00a0€/an" in params or "22\u202f810,61 €/an" in params
    assert "à vérifier" in params


def test_cli_simulate_parameters_and_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    demo.build_geography()
    case = tmp_path / "cas.json"
    case.write_text(
        json.dumps(
            {
                "date": "2024-06-01",
                "facts": {**EMPLOYER, "hire_date": "2024-03-01", "lon": 2.388, "lat": 46.654},
            }
        )
    )
    assert main(["rules", "simulate", str(case), "--programme", "emplois_francs"]) == 0
    out = capsys.readouterr().out
    assert "Emplois francs : Éligible" in out and "QN01801M" in out
    assert main(["rules", "simulate", str(case), "--date", "2024-06-01", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["results"][0]["verdict"] == "eligible"
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    assert main(["rules", "simulate", str(bad)]) == 2
    assert "JSON invalide" in capsys.readouterr().err
    assert main(["rules", "parameters", "--programme", "adultes_relais"]) == 0
    assert "22810.61 [à vérifier]" in capsys.readouterr().out
    source = tmp_path / "cas.csv"
    source.write_text(
        "id;date;hire_date;lon;lat;employment_status;jobseeker_category;contract_type;working_time_percent;organisation_type;employer_obligations_up_to_date;economic_dismissal_last_6_months;employee_on_staff_last_6_months;other_state_aid_same_employee\n"
        "a;2024-06-01;2023-12-31;2.401;46.663;jobseeker;1;cdi;100;company;oui;non;non;non\n"
        "b;2024-06-01;2024-01-02;2.401;46.663;jobseeker;1;cdi;100;company;oui;non;non;non\n"
        "c;2024-06-01;pas une date;2.401;46.663;jobseeker;1;cdi;100;company;oui;non;non;non\n"
        "d;2024-06-01;2024-12-31;2.388;46.654;jobseeker;1;cdi;50;company;oui;non;non;non\n",
        encoding="utf-8",
    )
    target = tmp_path / "sortie.csv"
    assert main(["rules", "simulate-file", str(source), "-o", str(target)]) == 0
    assert "4 cas traités, 1 en erreur" in capsys.readouterr().out
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [r["emplois_francs_verdict"] for r in rows] == [
        "eligible",
        "not_eligible",
        "",
        "eligible",
    ]
    assert rows[0]["emplois_francs_amount"] == "5000.00"
    assert rows[3]["emplois_francs_amount"] == "2500.00"
    assert "ligne 4" in rows[2]["error"] and "hire_date" in rows[2]["error"]
    # Plusieurs processus de calcul : mêmes lignes, même ordre.
    parallel = tmp_path / "parallele.csv"
    services.simulate_file(source, parallel, workers=2)
    assert parallel.read_text(encoding="utf-8") == target.read_text(encoding="utf-8")


def test_batch_service_matches_single_evaluation() -> None:
    demo.build_geography()
    facts = {**EMPLOYER, "hire_date": "2023-06-01", **GARE}
    single = services.simulate(facts, dt.date(2024, 6, 1), ["emplois_francs"]).results[0]
    row = {k: str(v) for k, v in facts.items()} | {"date": "2024-06-01"}
    batch = next(services.simulate_rows([row]))
    assert batch["emplois_francs_verdict"] == single.verdict.value == "eligible"


def test_simulator_asks_again_a_badly_typed_answer() -> None:
    page = (
        Client()
        .get(
            "/dispositifs/personne/",
            {
                "_asked": "birth_date",
                "date": "2025-06-01",
                "birth_date": "31/02/2004",
                "employment_status": "jobseeker",
            },
        )
        .content.decode()
    )
    assert "Date de naissance" in page and "date attendue" in page
    assert 'id="q-birth_date"' in page
    assert 'name="employment_status" value="jobseeker"' in page


@pytest.mark.django_db
def test_simulator_by_address_only() -> None:
    """« Habitez-vous en QPV ? » se répond par l'adresse : Quartiers la place lui-même, à la date."""
    demo.build()
    client = Client()
    # Étape « Vous » (date de naissance), puis « Votre logement » : l'adresse.
    first = client.get(
        "/dispositifs/personne/",
        {"_asked": "birth_date", "date": "2025-06-01", "birth_date": "2004-03-01"},
    ).content.decode()
    assert "Votre logement" in first
    assert 'name="adresse"' in first and 'data-suggest-url="/api/v1/geocode"' in first
    assert 'name="lon"' not in first  # plus de coordonnées à saisir
    base = {
        "date": "2025-06-01",
        "birth_date": "2004-03-01",
        "employment_status": "jobseeker",
        "_asked": "birth_date,resides_in_qpv,employment_status",
        "resultats": "1",
    }
    inside = client.get(
        "/dispositifs/personne/", {**base, "adresse": "20 avenue des Tilleuls Bellerive"}
    ).content.decode()
    assert "QN01801M" in inside  # cités éducatives : en QPV, liste 2024
    # Une adresse trop imprécise n'est jamais devinée : la question revient, raison en clair.
    vague = client.get("/dispositifs/personne/", {**base, "adresse": "Bellerive"}).content.decode()
    assert 'id="f-adresse"' in vague and "fr-error-text" in vague
    assert "score" not in vague.split('id="q-resides_in_qpv"')[1][:2000]


@pytest.mark.django_db
def test_a_birth_date_in_the_future_is_refused_on_its_field() -> None:
    demo.build_geography()
    page = (
        Client()
        .get(
            "/dispositifs/personne/",
            {"date": "2025-06-01", "birth_date": "2999-01-01", "_asked": "birth_date"},
        )
        .content.decode()
    )
    assert "Date de naissance : une date passée est attendue" in page
    assert 'id="f-birth_date"' in page
    assert "birth_date :" not in page  # jamais de nom de fait interne
