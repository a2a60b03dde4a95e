"""Tous les zonages (issue 9, §4) : imports ZRR et REP tout ou rien, ZFU-TE et QRR comme des
périmètres, `GET /api/v1/zonings/locate`, la page d'adresse et la fiche. Ces tests touchent la
base : `make test` les rejoue sur PostgreSQL."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import json
from pathlib import Path

import pytest
from django.test import Client

from quartiers import demo
from quartiers.cli import main
from quartiers.core.geo import ZoningFileError
from quartiers.core.geo.zonings import ZRR_PRE_FRR_REFERENCE
from quartiers.zoning import catalogue
from quartiers.zoning.models import PrioritySchool, ZoningEdition, ZrrCommune
from tests.conftest import shared

pytestmark = pytest.mark.django_db

ZRR_FIXTURE = shared("zrr_communes/ZRR_20221109.json")
TILLEULS = (2.3885, 46.6545)  # QPV Les Tilleuls, QRR fictif, école REP+ fictive
LUNE = (2.41, 46.644)  # QPV Champ-de-la-Lune et ZFU-TE fictive
AUBEPINES = (2.431, 46.659)  # Saint-Aubin-sur-Lune (fictive), classée ZRR jusqu'au 30/06/2024


@pytest.fixture
def demo_db(db: None) -> None:
    demo.build()


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _zrr_state() -> list[tuple[str, str]]:
    return sorted(ZrrCommune.objects.values_list("insee_code", "status"))


def test_zrr_fixture_of_les_emplois_imports_with_its_reference(tmp_path: Path) -> None:
    if not ZRR_FIXTURE.exists():
        pytest.skip("fixture ZRR absente de ../shared/data")
    report = catalogue.import_zrr(ZRR_FIXTURE, "2017", dt.date(2017, 7, 1), dt.date(2024, 6, 30))
    assert report.count == 34_965
    assert (
        "Classées : 17694" in report.summary() and "partiellement classées : 36" in report.summary()
    )
    edition = ZoningEdition.objects.get(zoning_kind="zrr", edition="2017")
    assert (
        edition.reference == ZRR_PRE_FRR_REFERENCE
        and "France Ruralités Revitalisation" in edition.reference
    )
    statuses = dict(
        ZrrCommune.objects.filter(insee_code__in=["48095", "75056", "02153"]).values_list(
            "insee_code", "status"
        )
    )
    assert statuses == {"48095": "C", "75056": "NC", "02153": "PC"}
    # Un point y est par sa commune (ici donnée par le géocodeur) ; PC reste « à vérifier ».
    answer = catalogue.locate_all(3.5, 44.5, dt.date(2020, 1, 1), insee_code="48095")
    assert [(z.zoning_kind, z.code, z.status) for z in answer.zonings] == [("zrr", "48095", "C")]
    answer = catalogue.locate_all(3.5, 44.5, dt.date(2020, 1, 1), insee_code="02153")
    assert (
        answer.of_kind("zrr")[0].status == "PC" and "à vérifier" in answer.of_kind("zrr")[0].detail
    )
    assert not catalogue.locate_all(2.35, 48.85, dt.date(2020, 1, 1), "75056").of_kind("zrr")
    # Après la réforme FRR du 01/07/2024, cette liste n'est plus en vigueur.
    later = catalogue.locate_all(3.5, 44.5, dt.date(2024, 7, 1), insee_code="48095")
    assert not later.of_kind("zrr") and "aucune liste FRR" in later.unavailable["zrr"]


def test_zrr_csv_imports(tmp_path: Path) -> None:
    path = _write(tmp_path, "zrr.csv", "insee_code;status\n01001;NC\n48095;C\n02153;PC\n")
    report = catalogue.import_zrr(path, "csv", dt.date(2017, 7, 1), None, reference="arrêté test")
    assert report.count == 3 and _zrr_state() == [("01001", "NC"), ("02153", "PC"), ("48095", "C")]
    assert ZoningEdition.objects.get(zoning_kind="zrr").reference == "arrêté test"


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("statut.csv", "insee_code;status\n01001;NC\n48095;X\n", "statut « X » inconnu"),
        ("code.csv", "insee_code;status\n1001;NC\n", "code INSEE « 1001 » invalide"),
        ("double.csv", "insee_code;status\n48095;C\n48095;NC\n", "en double"),
        ("colonnes.csv", "commune;zrr_x\n48095;C\n", "colonnes « insee_code » et « status »"),
        ("vide.csv", "insee_code;status\n", "aucune"),
        (
            "fixture.json",
            '[{"model": "geo.zrr", "pk": 1, "fields": {"insee_code": "48095"}}]',
            "« insee_code » et « status »",
        ),
        ("tronque.json", '[{"model": "geo.zrr", "pk": 1, "fields"', "JSON illisible"),
        (
            "objet.json",
            '[{"model": "geo.qpv", "fields": {"insee_code": "48095", "status": "C"}}]',
            "geo.zrr",
        ),
    ],
)
def test_malformed_zrr_file_leaves_edition_unchanged(
    tmp_path: Path, name: str, text: str, expected: str
) -> None:
    good = _write(tmp_path, "bon.csv", "insee_code;status\n48095;C\n75056;NC\n")
    catalogue.import_zrr(good, "2017", dt.date(2017, 7, 1), dt.date(2024, 6, 30))
    before = (
        _zrr_state(),
        list(ZoningEdition.objects.values_list("edition", "valid_from", "valid_to", "imported_at")),
    )
    bad = _write(tmp_path, name, text)
    with pytest.raises(ZoningFileError) as caught:
        catalogue.import_zrr(bad, "2017", dt.date(2020, 1, 1), None)
    assert expected in str(caught.value) and "rien n'a été importé" in str(caught.value)
    after = (
        _zrr_state(),
        list(ZoningEdition.objects.values_list("edition", "valid_from", "valid_to", "imported_at")),
    )
    assert after == before
    # Même réponse par la ligne de commande : code 1, message en français, rien de changé.
    assert main(["qpv", "import", str(bad), "--kind", "zrr", "--edition", "2017"]) == 1
    assert _zrr_state() == before[0]


SCHOOLS = "uai;nom;lon;lat;reseau\n0189901A;École A;2.3885;46.6545;REP+\n0189902B;Collège B;2.41;46.644;REP\n"


def test_rep_schools_import_and_nearest(tmp_path: Path) -> None:
    report = catalogue.import_schools(
        _write(tmp_path, "rep.csv", SCHOOLS), "2015", dt.date(2015, 9, 1)
    )
    assert report.count == 2 and "REP+ : 1, REP : 1" in report.summary()
    school = catalogue.locate_all(2.409, 46.644, dt.date(2024, 1, 1)).nearest_rep_school
    assert school is not None and school.uai == "0189902B" and school.network == "REP"
    assert 70 < school.distance_m < 80
    assert catalogue.locate_all(2.409, 46.644, dt.date(2015, 1, 1)).nearest_rep_school is None


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("189901A;École;2.38;46.65;REP", "UAI « 189901A » invalide"),
        ("0189901A;École;2.38;46.65;REP++", "réseau attendu"),
        ("0189901A;École;46.65;2.38;REP", "hors de tout territoire français"),
        ("0189901A;École;400;46.65;REP", "hors du WGS84"),
        ("0189901A;École;abc;46.65;REP", "numériques"),
        ("0189901A;;2.38;46.65;REP", "nom vide"),
        ("0189902B;Collège;2.38;46.65;REP", "en double"),
    ],
)
def test_malformed_schools_file_leaves_edition_unchanged(
    tmp_path: Path, row: str, expected: str
) -> None:
    catalogue.import_schools(_write(tmp_path, "rep.csv", SCHOOLS), "2015", dt.date(2015, 9, 1))
    before = sorted(PrioritySchool.objects.values_list("uai", "name", "lon", "lat", "network"))
    header = "uai;nom;lon;lat;reseau\n0189902B;Collège B;2.41;46.644;REP\n"
    bad = _write(tmp_path, "bad.csv", header + row + "\n")
    with pytest.raises(ZoningFileError) as caught:
        catalogue.import_schools(bad, "2015", dt.date(2015, 9, 1))
    assert expected in str(caught.value)
    assert (
        sorted(PrioritySchool.objects.values_list("uai", "name", "lon", "lat", "network")) == before
    )
    assert main(["qpv", "import", str(bad), "--kind", "rep", "--edition", "2015"]) == 1


def test_zfu_te_and_qrr_import_like_qpv(tmp_path: Path) -> None:
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "ZF0189", "nom": "ZFU-TE de test"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[2.40, 46.64], [2.42, 46.64], [2.42, 46.65], [2.40, 46.65], [2.40, 46.64]]
                    ],
                },
            }
        ],
    }
    path = _write(tmp_path, "zfu.geojson", json.dumps(doc))
    assert (
        main(
            [
                "qpv",
                "import",
                str(path),
                "--kind",
                "zfu_te",
                "--edition",
                "2015",
                "--valid-from",
                "2015-01-01",
            ]
        )
        == 0
    )
    doc["features"][0]["properties"]["code"] = "QRR1"
    path = _write(tmp_path, "qrr.geojson", json.dumps(doc))
    assert (
        main(
            [
                "qpv",
                "import",
                str(path),
                "--kind",
                "qrr",
                "--edition",
                "2018",
                "--valid-from",
                "2018-09-01",
            ]
        )
        == 0
    )
    answer = catalogue.locate_all(2.41, 46.645, dt.date(2019, 1, 1))
    assert [(z.zoning_kind, z.code) for z in answer.zonings] == [
        ("zfu_te", "ZF0189"),
        ("qrr", "QRR1"),
    ]
    assert [
        z.zoning_kind for z in catalogue.locate_all(2.41, 46.645, dt.date(2017, 1, 1)).zonings
    ] == ["zfu_te"]


def test_api_locates_every_zoning_in_one_call(demo_db: None, client: Client) -> None:
    response = client.get(
        "/api/v1/zonings/locate", {"lon": LUNE[0], "lat": LUNE[1], "date": "2024-03-01"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    kinds = {(z["zoning_kind"], z["code"], z["edition"]) for z in body["zonings"]}
    assert kinds == {("qpv", "QN01802M", "2024"), ("zfu_te", "ZF018991", "2015-demo")}
    assert all("fictif" in z["name"] for z in body["zonings"])
    assert (
        body["nearest_rep_school"]["uai"] == "0189902B"
        and body["nearest_rep_school"]["network"] == "REP"
    )
    body = client.get(
        "/api/v1/zonings/locate", {"lon": AUBEPINES[0], "lat": AUBEPINES[1], "date": "2024-03-01"}
    ).json()
    assert ("zrr", "18998", "C") in {
        (z["zoning_kind"], z["code"], z["status"]) for z in body["zonings"]
    }
    body = client.get(
        "/api/v1/zonings/locate", {"lon": AUBEPINES[0], "lat": AUBEPINES[1], "date": "2025-03-01"}
    ).json()
    assert "zrr" not in {z["zoning_kind"] for z in body["zonings"]} and "zrr" in body["unavailable"]
    body = client.get(
        "/api/v1/zonings/locate", {"lon": TILLEULS[0], "lat": TILLEULS[1], "date": "2024-03-01"}
    ).json()
    assert {z["zoning_kind"] for z in body["zonings"]} == {"qpv", "qrr"}
    assert body["nearest_rep_school"]["network"] == "REP+"
    assert client.get("/api/v1/zonings/locate", {"lon": 400, "lat": 46}).status_code == 422
    assert (
        client.get(
            "/api/v1/zonings/locate", {"lon": 2.4, "lat": 46, "date": "2024-02-31"}
        ).status_code
        == 422
    )


def _page(client: Client, url: str, **params: str) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    return html_lib.unescape(response.content.decode()).replace("\u202f", " ").replace("\xa0", " ")


def test_address_page_and_fiche_show_zonings(demo_db: None, client: Client) -> None:
    html = _page(client, "/adresse", q="10 boulevard de la Lune Bellerive", date="2024-03-01")
    assert 'data-testid="zonings"' in html
    html = _page(
        client, "/adresse", q="20 rue des Aubépines Saint-Aubin-sur-Lune", date="2024-03-01"
    )
    assert (
        "Zone de revitalisation rurale (ZRR)" in html and "Saint-Aubin-sur-Lune (fictive)" in html
    )
    assert "École primaire des Aubépines" in html
    html = _page(client, "/qpv/QN01802M")
    assert "Autres zonages au cœur du quartier" in html and "ZF018991" in html
    assert "Collège de la Lune" in html
