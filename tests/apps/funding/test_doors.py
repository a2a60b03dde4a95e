"""Les portes des financements : API (erreurs en français), pages, ligne de commande, pièces."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.test import Client

from quartiers import cli
from quartiers.accounts.models import AuditEvent, User
from quartiers.funding import documents, services
from quartiers.funding.models import GrantApplication

from .conftest import World

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_api_requires_authentication_in_french(world: World) -> None:
    response = Client().get("/api/v1/funding/applications")
    assert response.status_code == 401
    assert "Authentification requise" in response.json()["detail"]


def test_api_draft_conflict_is_409_with_clear_message(world: World) -> None:
    app = world.complete_draft()
    client = _client(world.users["applicant"])
    url = f"/api/v1/funding/applications/{app.pk}/draft"
    body = {"version": app.version, "fields": {"title": "A"}}
    assert client.put(url, json.dumps(body), content_type="application/json").status_code == 200
    response = client.put(url, json.dumps(body), content_type="application/json")
    assert response.status_code == 409
    assert "Conflit de versions" in response.json()["detail"]
    assert "rechargez-la" in response.json()["detail"]


def test_api_submit_incomplete_lists_problems(world: World) -> None:
    user = world.users["applicant"]
    client = _client(user)
    created = client.post(
        "/api/v1/funding/applications",
        json.dumps({"call_id": world.call.pk, "applicant_id": world.orgs["association"].pk}),
        content_type="application/json",
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    response = client.post(
        f"/api/v1/funding/applications/{pk}/transitions",
        json.dumps({"event": "submit"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    payload = response.json()
    assert payload["detail"].startswith("Demande refusée : la demande n'est pas complète")
    assert {"field": "title", "message": "l'intitulé de la demande est obligatoire"} in payload[
        "problems"
    ]


def test_api_unknown_application_is_404(world: World) -> None:
    response = _client(world.users["applicant"]).get("/api/v1/funding/applications/999999")
    assert response.status_code == 404
    assert "introuvable" in response.json()["detail"]


def test_api_full_flow_and_filters(world: World) -> None:
    app = world.advance(world.complete_draft(), "under_instruction")
    inst = _client(world.users["state_instructor"])
    q = "/api/v1/funding/applications"
    assert inst.get(f"{q}?status=under_instruction").json()["count"] == 1
    assert inst.get(f"{q}?status=draft").json()["count"] == 0
    assert inst.get(f"{q}?qpv=QN01801M").json()["count"] == 1
    assert inst.get(f"{q}?qpv=QN01802M").json()["count"] == 0
    assert inst.get(f"{q}?theme=Éducation&min_amount=4000&max_amount=5000").json()["count"] == 1
    assert inst.get(f"{q}?min_amount=5000").json()["count"] == 0
    assert inst.get(f"{q}?funder_id={world.orgs['caf'].pk}").json()["count"] == 1
    assert inst.get(f"{q}?funder_id={world.orgs['departement'].pk}").json()["count"] == 0
    assert inst.get(f"{q}?call_id={world.call.pk}").json()["count"] == 1
    detail = inst.get(f"{q}/{app.pk}").json()
    assert detail["totals"]["requested"] == "4500.00"
    assert "request_complements" in detail["allowed_events"]
    history = inst.get(f"{q}/{app.pk}/history").json()
    assert any("a transmis la demande" in h["sentence"] for h in history)


def test_pages_render_for_each_actor(world: World) -> None:
    app = world.advance(world.complete_draft(), "under_instruction")
    porteur = _client(world.users["applicant"])
    page = porteur.get("/financements/mes-demandes")
    assert page.status_code == 200 and app.reference in page.content.decode()
    for step in services.STEPS:
        assert porteur.get(f"/financements/demandes/{app.pk}/etape/{step}").status_code == 200
    inst = _client(world.users["state_instructor"])
    queue = inst.get("/financements/instruction?status=under_instruction&qpv=QN01801M")
    assert queue.status_code == 200 and app.reference in queue.content.decode()
    body = inst.get(f"/financements/demandes/{app.pk}").content.decode()
    assert "Demander des compléments" in body and "Historique" in body
    assert "a pris en charge la demande" in body


def test_web_steps_save_draft_then_submit(world: World) -> None:
    user = world.users["applicant"]
    client = _client(user)
    response = client.post(
        "/financements/nouvelle-demande",
        {"call": world.call.pk, "organisation": world.orgs["association"].pk, "title": "Web"},
    )
    app = GrantApplication.objects.get(title="Web")
    assert response.url == f"/financements/demandes/{app.pk}/etape/preamble"
    caf, ddets, year = world.orgs["caf"].pk, world.orgs["ddets"].pk, world.call.year
    client.post(
        f"/financements/demandes/{app.pk}/etape/request",
        {
            "version": app.version, "title": "Web", "theme": "Emploi", "action_count": "2",
            "a1-title": "Action", "a1-objectives": "o", "a1-public": "p",
            "a1-qpv_codes": "QN01801M", "a1-beneficiaries": "12", "a1-qpv_share": "50",
            "a1-starts_on": f"{year}-02-01", "a1-ends_on": f"{year}-06-30",
            "a1-b_60": "300", "a1-b_74": "300",
            f"a1-f_{caf}_{year}": "100", f"a1-f_{ddets}_{year}": "200",
            "a2-title": "", "a2-b_60": "",  # bloc vide : ignoré
        },
    )  # fmt: skip
    app.refresh_from_db()
    assert app.requested_total == 300 and app.step == "request"
    assert app.actions.count() == 1
    client.post(
        f"/financements/demandes/{app.pk}/etape/attestation",
        {"version": app.version, "attest": "1"},
    )
    app.refresh_from_db()
    response = client.post(
        f"/financements/demandes/{app.pk}/etape/transmission", {"version": app.version}
    )
    app.refresh_from_db()
    assert app.status == "submitted", response


def test_cli_export(world: World, tmp_path: Path) -> None:
    world.complete_draft()
    out = tmp_path / "export.csv"
    assert cli.main(["funding", "export", "--as", "inst@t.invalid", "-o", str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8"), delimiter=";"))
    assert {r["financeur"] for r in rows} == {"DDETS 18", "CAF 18"}
    assert rows[0]["statut"] == "En cours de saisie"
    out31 = tmp_path / "export31.csv"
    assert cli.main(["funding", "export", "--as", "inst31@t.invalid", "-o", str(out31)]) == 0
    assert len(out31.read_text(encoding="utf-8").splitlines()) == 1  # l'en-tête seul


def _csv(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "prog.csv"
    header = "reference;siret;intitule;theme;action;intitule_action;qpv;financeur;montant_demande"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_cli_import_all_or_nothing(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _csv(
        tmp_path,
        [
            "D1;55212022200013;Projet;Emploi;1;A;QN01801M;CAF 18;1000",
            "D1;55212022200013;Projet;Emploi;2;B;QN09999Z;CAF 18;10,555",
            "D2;12345678901234;Autre;Emploi;1;A;QN01801M;Inconnu;5",
        ],
    )
    before = GrantApplication.objects.count()
    args = ["funding", "import", str(bad), "--call", str(world.call.pk), "--as", "chef@t.invalid"]
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert "ligne 3, colonne « qpv » : quartier(s) hors contrat : QN09999Z" in err
    assert "ligne 4, colonne « siret »" in err
    assert GrantApplication.objects.count() == before
    good = _csv(
        tmp_path,
        [
            "D1;55212022200013;Projet;Emploi;1;A;QN01801M;CAF 18;1000",
            "D1;55212022200013;Projet;Emploi;1;A;QN01801M;DDETS 18;2000",
            "D1;55212022200013;Projet;Emploi;2;B;QN01802M;CAF 18;500",
        ],
    )
    args[2] = str(good)
    assert cli.main(args) == 0
    assert "1 demande(s), 2 action(s), 3 ligne(s)" in capsys.readouterr().out
    app = GrantApplication.objects.get(title="Projet")
    assert app.actions.count() == 2
    assert AuditEvent.objects.filter(action="application.funding_imported").count() == 3
    # Un porteur ne peut pas importer dans l'appel.
    assert cli.main([*args[:-1], "porteur@t.invalid"]) == 3


def test_documents_sniffed_and_served_only_to_allowed(world: World) -> None:
    owner = world.users["applicant"]
    with pytest.raises(services.ServiceError, match="ni un PDF"):
        documents.add_document(owner, world.orgs["association"], "rib", "rib.pdf", b"MZ\x90\x00")
    doc = documents.add_document(
        owner, world.orgs["association"], "rib", "../../rib.pdf", b"%PDF-1.4 test"
    )
    assert doc.original_name == "rib.pdf"
    assert documents.storage_root() in (documents.storage_root() / doc.storage_path).parents
    response = _client(owner).get(f"/financements/pieces/{doc.pk}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"  # type: ignore[attr-defined]
    assert _client(world.users["outside"]).get(f"/financements/pieces/{doc.pk}").status_code == 403
    assert (
        _client(world.users["state_instructor"]).get(f"/financements/pieces/{doc.pk}").status_code
        == 403
    )  # pièce de structure sans demande : le porteur seul
    _ = io


def test_history_in_plain_french(world: World) -> None:
    app = world.advance(world.complete_draft(), "taken_charge")
    sentences = [h.sentence for h in services.history(world.users["applicant"], app)]
    assert sentences[0] == "a créé la demande"
    assert sentences[-1] == "a pris en charge la demande (statut : « Prise en charge »)"


def test_the_web_form_takes_several_actions(world: World, client: Client) -> None:
    """Plusieurs actions sous une référence : ajoutées, saisies, retirées dans la page."""
    user = world.users["applicant"]
    app = services.create_application(user, world.call, world.orgs["association"], "Multi")
    client.force_login(user)
    url = f"/financements/demandes/{app.pk}/etape/request"
    caf, ddets, year = world.orgs["caf"].pk, world.orgs["ddets"].pk, world.call.year
    one = {
        "a1-title": "Lecture", "a1-b_60": "300", "a1-b_74": "300",
        f"a1-f_{ddets}_{year}": "300",
    }  # fmt: skip
    response = client.post(
        url,
        {"version": app.version, "title": "Multi", "action_count": "1", "add_action": "1", **one},
    )
    assert response.url == f"{url}?actions=2#a2"
    page = client.get(response.url).content.decode()
    assert 'id="a2-title"' in page and "Action n° 2" in page
    app.refresh_from_db()
    two = {
        "a2-title": "Sport", "a2-b_64": "500", "a2-b_74": "500",
        f"a2-f_{caf}_{year}": "500",
    }  # fmt: skip
    client.post(url, {"version": app.version, "title": "Multi", "action_count": "2", **one, **two})
    app.refresh_from_db()
    assert [a.code for a in app.actions.all()] == [f"{app.reference}-01", f"{app.reference}-02"]
    assert app.requested_total == 800
    client.post(
        url,
        {"version": app.version, "title": "Multi", "action_count": "2", **one, **two,
         "a1-remove": "1"},
    )  # fmt: skip
    app.refresh_from_db()
    assert [a.title for a in app.actions.all()] == ["Sport"]
    assert app.requested_total == 500


def test_cli_export_xlsx_and_formulas_stay_text(world: World, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from quartiers.accounts.models import Organisation

    world.complete_draft()
    Organisation.objects.filter(pk=world.orgs["association"].pk).update(name="=HYPERLINK(1)")
    out = tmp_path / "export.xlsx"
    assert cli.main(["funding", "export", "--as", "inst@t.invalid", "-o", str(out)]) == 0
    sheet = load_workbook(out).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:4] == ["reference", "action", "intitule", "statut"]
    data = [dict(zip(header, r, strict=True)) for r in rows[1:]]
    assert sorted(r["montant_demande"] for r in data) == [1500, 3000]  # des nombres
    assert data[0]["porteur"] == "=HYPERLINK(1)"
    assert sheet.cell(row=2, column=5).data_type == "s"  # du texte, jamais une formule
    csv_out = tmp_path / "export.csv"
    assert cli.main(["funding", "export", "--as", "inst@t.invalid", "-o", str(csv_out)]) == 0
    assert "'=HYPERLINK(1)" in csv_out.read_text(encoding="utf-8")
    assert cli.main(["funding", "export", "--as", "inst@t.invalid", "--format", "xlsx"]) == 1


def test_cli_import_xlsx(world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["reference", "siret", "intitule", "theme", "action", "intitule_action", "qpv",
                  "financeur", "montant_demande"])  # fmt: skip
    # Tel qu'un tableur l'enregistre : SIRET et montants en nombres, lignes vides.
    sheet.append(["X1", 55212022200013, "Tableur", "Emploi", 1, "A", "QN01801M", "CAF 18", 1000.5])
    sheet.append([None] * 9)
    sheet.append(["X1", 55212022200013, "Tableur", "Emploi", 2, "B", "QN01802M", "DDETS 18", 250])
    path = tmp_path / "programmation.xlsx"
    workbook.save(path)
    args = ["funding", "import", str(path), "--call", str(world.call.pk), "--as", "chef@t.invalid"]
    assert cli.main(args) == 0, capsys.readouterr().err
    app = GrantApplication.objects.get(title="Tableur")
    assert app.actions.count() == 2 and str(app.requested_total) == "1250.50"
    sheet.append(["X2", 55212022200013, "Faux", "Emploi", 1, "A", "QN01801M", "CAF 18", "abc"])
    workbook.save(path)
    before = GrantApplication.objects.count()
    assert cli.main(args) == 1
    assert "ligne 5, colonne « montant_demande »" in capsys.readouterr().err
    assert GrantApplication.objects.count() == before
    broken = tmp_path / "casse.xlsx"
    broken.write_bytes(b"PK\x03\x04 pas un classeur")
    args[2] = str(broken)
    assert cli.main(args) == 1
    assert "classeur XLSX illisible" in capsys.readouterr().err
