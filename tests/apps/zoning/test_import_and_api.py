"""Import tout-ou-rien, localisation datée, API et ligne de commande, sur base réelle."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from django.test import Client

from quartiers.cli import main
from quartiers.core.geo import ZoningFileError
from quartiers.core.geo.zoning import ZoningUnavailable
from quartiers.zoning import services
from quartiers.zoning.models import Perimeter, ZoningEdition

pytestmark = pytest.mark.django_db


def _import_occitanie(path: Path) -> services.ImportReport:
    return services.import_zoning(
        path, "2015", valid_from=dt.date(2015, 1, 1), valid_to=dt.date(2023, 12, 31)
    )


def test_occitanie_import_acceptance(occitanie_qp: Path, capsys: pytest.CaptureFixture) -> None:
    code = main(
        [
            "qpv",
            "import",
            str(occitanie_qp),
            "--edition",
            "2015",
            "--valid-from",
            "2015-01-01",
            "--valid-to",
            "2023-12-31",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "105 périmètres importés" in out
    assert "Géométries invalides réparées : 32" in out
    assert Perimeter.objects.filter(zoning_edition__edition="2015").count() == 105


def test_failed_import_changes_nothing(occitanie_qp: Path, tmp_path: Path) -> None:
    _import_occitanie(occitanie_qp)
    doc = json.loads(occitanie_qp.read_text())
    doc["features"][10]["properties"]["code_qp"] = "QP31X"
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps(doc))
    with pytest.raises(ZoningFileError, match="objet n° 11"):
        services.import_zoning(bad, "2015")
    assert Perimeter.objects.filter(zoning_edition__edition="2015").count() == 105
    assert ZoningEdition.objects.count() == 1


def test_reimport_replaces_edition(occitanie_qp: Path) -> None:
    _import_occitanie(occitanie_qp)
    report = _import_occitanie(occitanie_qp)
    assert report.replaced
    assert Perimeter.objects.count() == 105


def test_locate_depends_on_date(occitanie_qp: Path) -> None:
    _import_occitanie(occitanie_qp)
    inside = services.locate_points([1.40], [43.58], on=dt.date(2020, 6, 1))[0]
    assert inside.code == "QP031007" and inside.edition == "2015"
    with pytest.raises(ZoningUnavailable, match="aucune liste de QPV"):
        services.locate_points([1.40], [43.58], on=dt.date(2024, 1, 1))
    assert services.locate_points([1.40], [43.58], on=dt.date(2023, 12, 31))[0].in_zoning


def test_api_locate_list_feature_and_errors(occitanie_qp: Path) -> None:
    _import_occitanie(occitanie_qp)
    client = Client()
    r = client.get("/api/v1/qpv/locate", {"lon": 1.40, "lat": 43.58, "date": "2020-01-01"})
    assert r.status_code == 200 and r.json()["qpv_code"] == "QP031007"
    r = client.get("/api/v1/qpv/locate", {"lon": 2.35, "lat": 48.85, "date": "2020-01-01"})
    assert r.json()["in_qpv"] is False and r.json()["distance_m"] > 100_000
    r = client.get("/api/v1/qpv/locate", {"lon": 400, "lat": 43, "date": "2020-01-01"})
    assert r.status_code == 422 and "longitude" in r.json()["detail"]
    r = client.get("/api/v1/qpv/locate", {"lon": "abc", "lat": 43})
    assert r.status_code == 422
    r = client.post(
        "/api/v1/qpv/locate",
        {"points": [{"lon": 1.40, "lat": 43.58}, {"lon": 0.0, "lat": 0.0}], "edition": "2015"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["in_qpv"] == 1
    r = client.post(
        "/api/v1/qpv/locate",
        {"points": [{"lon": 1, "lat": 43}] * 10_001},
        content_type="application/json",
    )
    assert r.status_code == 413
    r = client.get("/api/v1/qpv", {"department": "31", "edition": "2015"})
    assert (r.status_code == 200 and r.json()["count"] == 20) or r.json()["count"] > 0
    r = client.get("/api/v1/qpv/QP031007")
    assert r.json()["type"] == "Feature" and r.json()["geometry"]["type"] == "Polygon"
    assert client.get("/api/v1/qpv/QP999999").status_code == 404
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_check_file_cli(occitanie_qp: Path, tmp_path: Path) -> None:
    _import_occitanie(occitanie_qp)
    src = tmp_path / "points.csv"
    src.write_bytes(
        "id;longitude;latitude\n1;1,40;43,58\n2;2.35;48.85\n3;abc;43\n4;1.4\n5;200;10\n".encode(
            "latin-1"
        )
    )
    out = tmp_path / "out.csv"
    assert (
        main(
            [
                "qpv",
                "check-file",
                str(src),
                "-o",
                str(out),
                "--lon-col",
                "longitude",
                "--lat-col",
                "latitude",
                "--date",
                "2020-01-01",
                "--no-progress",
            ]
        )
        == 0
    )
    rows = list(csv.DictReader(out.open(encoding="utf-8"), delimiter=";"))
    assert [r["status"] for r in rows] == ["in_qpv", "outside", "error", "error", "error"]
    assert rows[0]["qpv_code"] == "QP031007"
    assert "n'est pas un nombre" in rows[2]["status_detail"]
    assert "2 colonnes au lieu de 3" in rows[3]["status_detail"]
    assert float(rows[1]["qpv_distance_m"].replace(",", ".")) > 100_000


def test_api_locate_columnar_body(occitanie_qp: Path) -> None:
    """`{"lon": [...], "lat": [...]}` : réponse en colonnes, mêmes réponses que la forme `points`."""
    _import_occitanie(occitanie_qp)
    client = Client()
    lons = [1.40, 2.35, 400.0, 1.0]
    lats = [43.58, 48.85, 43.0]
    r = client.post(
        "/api/v1/qpv/locate",
        {"lon": lons, "lat": lats, "date": "2020-01-01"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["count"] == 4 and body["in_qpv"] == 1 and body["errors"] == 2
    cols = body["columns"]
    assert cols["qpv_code"][0] == "QP031007" and cols["in_qpv"] == [True, False, False, False]
    assert cols["status"] == ["in_qpv", "outside", "error", "error"]
    assert cols["distance_m"][1] > 100_000 and cols["nearest_qpv_code"][1]
    assert "longitude entre -180 et 180" in cols["error"][2]
    assert "même longueur" in cols["error"][3]
    rows = client.post(
        "/api/v1/qpv/locate",
        {"points": [{"lon": 2.35, "lat": 48.85}], "date": "2020-01-01"},
        content_type="application/json",
    ).json()["results"][0]
    assert rows["distance_m"] == cols["distance_m"][1]
    r = client.post(
        "/api/v1/qpv/locate",
        {"lon": [1.0] * 10_001, "lat": [43.0] * 10_001},
        content_type="application/json",
    )
    assert r.status_code == 413 and "10000" in r.json()["detail"].replace(" ", "")
    r = client.post(
        "/api/v1/qpv/locate",
        {"lon": [1.0], "lat": [43.0], "points": []},
        content_type="application/json",
    )
    assert r.status_code == 422 and "pas les deux" in r.json()["detail"]
