"""Vérification d'adresses par un VRAI serveur addok (HTTP) et par le géocodeur embarqué :
protocole BAN, politique « à vérifier », fichiers CSV, API."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from quartiers import demo
from quartiers.addresses import services as addresses
from quartiers.cli import main
from quartiers.core.geo.geocoding import (
    GeocoderUnavailable,
    HttpGeocoder,
    ResultType,
    assess,
)
from tests.addok_server import AddokServer, free_port

IN_QPV = "12 Rue Saint-Éloi 18999 Bellerive"  # dans « Les Tilleuls » (liste 2024)
OUTSIDE = "4 Place de la Mairie 18999 Bellerive"


@pytest.fixture
def demo_geography(db: Any) -> None:
    demo.build_geography()


@pytest.fixture
def use_addok(settings: Any, addok_server: AddokServer) -> AddokServer:
    settings.QUARTIERS_GEOCODER_URL = addok_server.url
    return addok_server


@pytest.fixture
def use_embedded(settings: Any, tmp_path: Path) -> Path:
    path = tmp_path / "adresses.csv"
    demo.write_demo_ban_file(path)
    settings.QUARTIERS_GEOCODER_URL = ""
    settings.QUARTIERS_BAN_FILE = str(path)
    return path


# -- protocole HTTP, serveur addok réel ------------------------------------------------------


@pytest.mark.addok
def test_search_reverse_and_csv_through_real_addok(addok_server: AddokServer) -> None:
    geocoder = HttpGeocoder(addok_server.url)
    found = geocoder.search(IN_QPV, limit=3)
    assert found[0].label == "12 Rue Saint-Éloi 18999 Bellerive (fictive)"
    assert found[0].result_type == ResultType.HOUSENUMBER
    assert found[0].insee_code == "18999" and found[0].postcode == "18999"
    assert assess(found[0], 0.6).confident
    near = geocoder.reverse(found[0].lon, found[0].lat)
    assert near and near[0].label == found[0].label
    batch = geocoder.search_many([IN_QPV, "zzqx wwkj", OUTSIDE, "Bellerive"])
    assert len(batch) == 4
    assert batch[0] is not None and batch[0].label == found[0].label
    assert batch[0].insee_code == "18999" and batch[0].city == "Bellerive (fictive)"
    assert batch[2] is not None and batch[2].label.startswith("4 Place de la Mairie")
    assert batch[1] is None or not assess(batch[1], 0.6).confident
    assert batch[3] is not None and batch[3].result_type == ResultType.MUNICIPALITY


@pytest.mark.addok
def test_low_score_and_municipality_are_to_check_with_addok(addok_server: AddokServer) -> None:
    geocoder = HttpGeocoder(addok_server.url)
    vague = geocoder.search("rue inconnue paris", limit=1)
    assert vague and vague[0].score < 0.6
    verdict = assess(vague[0], 0.6)
    assert not verdict.confident and "avec un doute" in verdict.reason
    assert "score" not in verdict.reason and "seuil" not in verdict.reason
    town = geocoder.search("Bellerive", limit=1)[0]
    assert town.result_type == ResultType.MUNICIPALITY
    verdict = assess(town, 0.6)
    assert not verdict.confident and "commune" in verdict.reason


def test_unreachable_server_is_a_clear_french_error() -> None:
    geocoder = HttpGeocoder(f"http://127.0.0.1:{free_port()}", timeout=2)
    with pytest.raises(GeocoderUnavailable, match="injoignable"):
        geocoder.search("1 rue de la paix paris")
    with pytest.raises(GeocoderUnavailable):
        geocoder.search_many(["1 rue de la paix paris"])


# -- services, fichier CSV, API ----------------------------------------------------------------


@pytest.mark.addok
def test_check_file_geocodes_concurrently_through_addok(
    demo_geography: None, use_addok: AddokServer, tmp_path: Path
) -> None:
    src = tmp_path / "beneficiaires.csv"
    rows = ["id;numero;voie;code_postal;commune"]
    rows += [f"{i};12;Rue Saint-Éloi;18999;Bellerive" for i in range(1, 31)]
    rows += ["31;4;Place de la Mairie;18999;Bellerive", "32;;;18999;Bellerive", "33;;;;"]
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "resultat.csv"
    code = main(
        [
            "qpv",
            "check-file",
            str(src),
            "-o",
            str(out),
            "--chunk-size",
            "4",
            "--workers",
            "3",
            "--no-progress",
        ]
    )
    assert code == 0
    result = list(csv.DictReader(out.open(encoding="utf-8"), delimiter=";"))
    assert [r["id"] for r in result] == [str(i) for i in range(1, 34)]
    assert {r["status"] for r in result[:30]} == {"in_qpv"}
    assert result[0]["qpv_code"] == "QN01801M" and result[0]["geocode_type"] == "housenumber"
    assert (
        result[30]["status"] == "outside"
        and float(result[30]["qpv_distance_m"].replace(",", ".")) > 0
    )
    assert result[31]["status"] == "to_check" and result[31]["geocode_type"] == "municipality"
    assert result[32]["status"] == "error" and result[32]["status_detail"] == "adresse vide"


def test_check_file_with_geocoder_down_marks_rows_in_error(
    demo_geography: None, settings: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.QUARTIERS_GEOCODER_URL = f"http://127.0.0.1:{free_port()}"
    src = tmp_path / "a.csv"
    src.write_text("adresse\n" + f"{IN_QPV}\n" * 3, encoding="utf-8")
    out = tmp_path / "b.csv"
    assert (
        main(
            [
                "qpv",
                "check-file",
                str(src),
                "-o",
                str(out),
                "--address-col",
                "adresse",
                "--no-progress",
            ]
        )
        == 0
    )
    result = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {r["status"] for r in result} == {"error"}
    assert "injoignable" in result[0]["status_detail"]
    assert "en erreur : 3" in capsys.readouterr().out


def _api_checks(client: Client) -> None:
    r = client.get("/api/v1/qpv/locate", {"address": IN_QPV})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "in_qpv" and body["qpv_code"] == "QN01801M"
    assert body["geocode"]["type"] == "housenumber" and body["geocode"]["score"] >= 0.6
    r = client.get("/api/v1/qpv/locate", {"address": "Bellerive"})
    assert r.json()["status"] == "to_check" and "commune" in r.json()["status_detail"]
    assert r.json()["qpv_code"] is None
    r = client.get("/api/v1/qpv/locate", {"address": OUTSIDE, "date": "2020-06-01"})
    assert r.json()["status"] == "outside" and r.json()["edition"] is None
    r = client.post(
        "/api/v1/qpv/locate",
        {
            "points": [
                {"address": IN_QPV},
                {"lon": body["lon"], "lat": body["lat"]},
                {"address": "Bellerive"},
                {"lon": 2.0},
                {"address": " "},
            ]
        },
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    batch = r.json()
    assert [x["status"] for x in batch["results"]] == [
        "in_qpv",
        "in_qpv",
        "to_check",
        "error",
        "error",
    ]
    assert (batch["in_qpv"], batch["to_check"], batch["errors"]) == (2, 1, 2)
    r = client.get("/api/v1/geocode", {"q": IN_QPV, "limit": 3})
    assert r.status_code == 200
    assert r.json()["results"][0]["label"].startswith("12 Rue Saint-Éloi")
    assert r.json()["results"][0]["confident"] is True and r.json()["min_score"] == 0.6
    # Mauvaises demandes : 4xx en français.
    assert client.get("/api/v1/geocode", {"q": "", "limit": 3}).status_code == 422
    r = client.get("/api/v1/geocode", {"q": IN_QPV, "limit": 50})
    assert r.status_code == 422 and "limit" in r.json()["detail"]
    r = client.get("/api/v1/qpv/locate", {"address": IN_QPV, "lon": 2, "lat": 46})
    assert r.status_code == 422 and "soit une adresse" in r.json()["detail"]
    assert client.get("/api/v1/qpv/locate").status_code == 422


@pytest.mark.addok
def test_api_through_real_addok(demo_geography: None, use_addok: AddokServer) -> None:
    _api_checks(Client())
    assert "addok" in Client().get("/api/v1/geocode", {"q": IN_QPV}).json()["geocoder"]


def test_api_through_embedded_ban_file(demo_geography: None, use_embedded: Path) -> None:
    _api_checks(Client())
    assert "embarqué" in Client().get("/api/v1/geocode", {"q": IN_QPV}).json()["geocoder"]


def test_api_geocoder_down_is_503_never_500(demo_geography: None, settings: Any) -> None:
    settings.QUARTIERS_GEOCODER_URL = f"http://127.0.0.1:{free_port()}"
    client = Client()
    for r in (
        client.get("/api/v1/qpv/locate", {"address": IN_QPV}),
        client.get("/api/v1/geocode", {"q": IN_QPV}),
        client.post(
            "/api/v1/qpv/locate", {"points": [{"address": IN_QPV}]}, content_type="application/json"
        ),
    ):
        assert r.status_code == 503
        assert "service de géocodage indisponible" in r.json()["detail"]
    # Sans adresse, la localisation par coordonnées marche toujours.
    r = client.get("/api/v1/qpv/locate", {"lon": 2.3881, "lat": 46.6517})
    assert r.status_code == 200 and r.json()["status"] == "in_qpv"


def test_services_for_web_pages(demo_geography: None, use_embedded: Path) -> None:
    check = addresses.locate_address("12 r st eloi bellerive")
    assert check.in_qpv and check.location is not None and check.location.code == "QN01801M"
    assert check.geocode is not None and check.min_score == 0.6
    assert check.as_dict()["checked_at"] and "embarqué" in check.geocoder
    with pytest.raises(addresses.AddressError, match="trop courte"):
        addresses.locate_address(" ")
    proposals = addresses.geocode("rue saint", limit=5)
    assert proposals and all(p.result.result_type == ResultType.STREET for p in proposals[:1])


def test_min_score_setting_overrides_parameter(
    demo_geography: None, use_embedded: Path, settings: Any
) -> None:
    settings.QUARTIERS_GEOCODER_MIN_SCORE = 0.99
    check = addresses.locate_address("12 rue saint eloy bellerive")  # faute de frappe : 0,9
    assert check.status == "to_check" and "reconnue avec un doute" in check.status_detail
