"""Pages publiques au client de test Django, sur le territoire de démonstration."""

from __future__ import annotations

import csv
import html as html_lib
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from quartiers import demo
from quartiers.jobs.models import Job
from tests.workers import Workers, wait_for

IN_2024 = "20 avenue des Tilleuls Bellerive"
RIVES = "10 chemin des Rives Bellerive"
OUTSIDE = "10 boulevard de la Lune Bellerive"


@pytest.fixture
def demo_db(db: None) -> None:
    demo.build()


def page(client: Client, url: str, **params: str) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    return html_lib.unescape(response.content.decode()).replace("\u202f", " ").replace("\xa0", " ")


def test_every_page_answers(demo_db: None, client: Client) -> None:
    for url in ("/", "/adresse", "/adresse/lot", "/atlas", "/qpv/QN01801M"):
        html = page(client, url)
        assert 'href="/atlas"' in html and 'id="content"' in html
        assert '<a class="fr-link" href="#content">Contenu</a>' in html
    assert client.get("/qpv/QX99999").status_code == 404


def test_address_in_qpv_depends_on_date(demo_db: None, client: Client) -> None:
    html = page(client, "/adresse", q=IN_2024, date="2025-03-01")
    assert "En QPV : QN01801M" in html and "Bellerive (fictive)" in html
    assert 'data-geojson="/api/v1/qpv/QN01801M"' in html
    assert "Attestation imprimable" in html
    html = page(client, "/adresse", q=RIVES, date="2025-03-01")
    assert "En QPV : QN01803M" in html
    html = page(client, "/adresse", q=RIVES, date="2020-06-01")
    assert "Hors QPV" in html and "édition 2015" in html


def test_address_outside_gives_distance(demo_db: None, client: Client) -> None:
    html = page(client, "/adresse", q=OUTSIDE)
    assert "Hors QPV" in html and "Le plus proche, QN0180" in html and " m</strong>" in html


def test_coarse_geocoding_is_to_check_never_a_verdict(demo_db: None, client: Client) -> None:
    html = page(client, "/adresse", q="Bellerive")
    assert "À vérifier" in html and "trop imprécis" in html
    assert "En QPV" not in html and "Hors QPV" not in html
    assert "Attestation imprimable" not in html


def test_bad_date_and_no_list_in_force(demo_db: None, client: Client) -> None:
    html = page(client, "/adresse", q=IN_2024, date="31/02/2025x")
    assert "date « 31/02/2025x » invalide" in html
    html = page(client, "/adresse", q=IN_2024, date="2010-01-01")
    assert "aucune liste de QPV n'est en vigueur le 01/01/2010" in html


def test_attestation(demo_db: None, client: Client) -> None:
    html = page(client, "/adresse/attestation", q=IN_2024, date="2025-03-01")
    for text in (
        IN_2024,
        "20 Avenue des Tilleuls 18999 Bellerive (fictive)",
        "01/03/2025",
        "édition 2024",
        "En QPV</strong> : QN01801M",
        "fichier d'adresses BAN embarqué",
        "précision : numéro",
        "Vérification faite le",
        'media="print"',
    ):
        assert text in html


def test_autocompletion_uses_the_geocoding_api(demo_db: None, client: Client) -> None:
    assert 'data-suggest-url="/api/v1/geocode"' in page(client, "/adresse")
    data = client.get("/api/v1/geocode", {"q": "20 avenue des til", "limit": 6}).json()
    assert data["results"][0]["label"].startswith("20 Avenue des Tilleuls")


def test_atlas_filters_counts_and_search(demo_db: None, client: Client) -> None:
    html = page(client, "/atlas")
    assert "<strong>4</strong> quartier(s)" in html and "Centre-Val de Loire (24)" in html
    assert "<strong>10 500</strong> habitants" in html  # population des quartiers 2024
    html = page(client, "/atlas", edition="2015")
    assert "QP018903" in html and "QN01801M" not in html
    html = page(client, "/atlas", commune="18998")
    assert "<strong>1</strong> quartier(s)" in html and "QN01804M" in html
    html = page(client, "/atlas", department="18")
    assert "par commune" in html and "Saint-Aubin-sur-Lune (fictive) (18998)" in html
    html = page(client, "/atlas", region="24", q="tilleuls")
    assert "<strong>1</strong> quartier(s)" in html and "par département" in html
    geo = client.get("/atlas/perimetres.geojson", {"edition": "2015"}).json()
    assert len(geo["features"]) == 4 and geo["features"][0]["geometry"]["type"] in (
        "Polygon",
        "MultiPolygon",
    )
    assert client.get("/atlas", {"edition": "1999"}).status_code == 400


def test_fiche_names_territories_and_editions(demo_db: None, client: Client) -> None:
    html = page(client, "/qpv/QN01801M")
    for text in (
        "Les Tilleuls (territoire fictif)",
        "Bellerive (fictive) (18999, 41 250 hab.)",
        "4 420 habitants",
        "Agglomération de Bellerive (territoire fictif) (SIREN 249999999)",
        "Cher (18)",
        "Centre-Val de Loire (24)",
        "Bellerive (unité urbaine fictive)",
        "QP018901",  # même quartier dans la liste 2015, trouvé par recouvrement
        'data-geojson="/api/v1/qpv/QN01801M?edition=2024"',
    ):
        assert text in html


# --------------------------------------------------------------------------- lots


def points_csv() -> bytes:
    rows = [
        ("id", "nom", "lon", "lat"),
        ("1", "dedans", "2.388", "46.654"),
        ("2", "dehors", "2.300", "46.600"),
        ("3", "fautive", "abc", "46.65"),
        ("4", "dedans-virgule", "2,388", "46,654"),
    ]
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)
    return out.getvalue().encode("utf-8")


def upload(client: Client, content: bytes, name: str = "points.csv", **fields: str):
    data = {"kind": "coordinates", "lon_col": "lon", "lat_col": "lat", "date": "", **fields}
    data["file"] = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post("/adresse/lot", data)


def wait_done(job: Job) -> Job:
    wait_for(lambda: Job.objects.get(pk=job.pk).finished, "traitement fini")
    job.refresh_from_db()
    return job


def test_batch_upload_runs_in_background_and_downloads(client: Client, workers: Workers) -> None:
    demo.build()
    workers.start("lot-points")
    response = upload(client, points_csv())
    assert response.status_code == 302
    job = wait_done(Job.objects.get())
    assert job.state == "done", job.message
    summary = job.summary
    assert (summary["rows"], summary["in_qpv"], summary["outside"], summary["errors"]) == (
        4,
        2,
        1,
        1,
    )
    html = page(client, response["Location"])
    assert "Traitement terminé" in html and "longitude « abc » n'est pas un nombre" in html
    status = client.get(f"/traitements/{job.token}/etat").json()
    assert status["finished"] and status["percent"] == 100
    # Le traitement n'appartient qu'à qui l'a lancé : un autre visiteur ne voit rien, même avec le lien.
    stranger = Client()
    assert stranger.get(response["Location"]).status_code == 404
    assert stranger.get(response["Location"] + "/resultat.csv").status_code == 404
    assert stranger.get(f"/traitements/{job.token}/etat").status_code == 404
    download = client.get(response["Location"] + "/resultat.csv")
    assert download["Content-Disposition"].startswith('attachment; filename="points-qpv.csv"')
    text = b"".join(download.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert [r["status"] for r in rows] == ["in_qpv", "outside", "error", "in_qpv"]
    assert rows[0]["qpv_code"] == "QN01801M"


@pytest.mark.parametrize(
    ("content", "name", "fields", "expected"),
    [
        ("id;lon;lat\n1;2.38;46.65\n".encode("utf-16"), "u16.csv", {}, "encodage non reconnu"),
        (b"id;x;y\n1;2.38;46.65\n", "cols.csv", {}, "colonne de longitude « lon » absente"),
        (b"id;lon;lat\n", "vide.csv", {}, "aucune ligne de données"),
        (b"idlonlat\n1\n", "sep.csv", {}, "séparateur introuvable"),
        (b"id;lon;lat\n1;2.38;46.65\n", "d.csv", {"date": "2010-01-01"}, "aucune liste"),
        (b"id;nom\n1;Dupont\n", "a.csv", {"kind": "addresses"}, "aucune colonne d'adresse"),
        (
            b"id;adr\n1;x\n",
            "b.csv",
            {"kind": "addresses", "address_cols": "adresse"},
            "colonne d'adresse « adresse » absente",
        ),
    ],
)
def test_bad_uploads_start_nothing(
    demo_db: None, client: Client, content: bytes, name: str, fields: dict[str, str], expected: str
) -> None:
    folder = Path(settings.VAR_DIR) / "jobs"
    before = set(folder.glob("*")) if folder.exists() else set()
    response = upload(client, content, name, **fields)
    assert response.status_code == 400
    html = html_lib.unescape(response.content.decode())
    assert "Fichier refusé, aucun traitement lancé" in html and expected in html
    assert not Job.objects.exists()
    assert (set(folder.glob("*")) if folder.exists() else set()) == before


def test_too_large_upload_is_refused(demo_db: None, client: Client, settings) -> None:
    settings.QUARTIERS_BATCH_MAX_BYTES = 1000
    response = upload(client, b"id;lon;lat\n" + b"1;2.38;46.65\n" * 200, "gros.csv")
    assert response.status_code == 413  # arrêté pendant la réception (addresses/upload.py)
    assert "« gros.csv » trop volumineux, au plus 1 ko" in html_lib.unescape(
        response.content.decode()
    )
    assert not Job.objects.exists()


def test_batch_of_addresses_geocodes_then_locates(client: Client, workers: Workers) -> None:
    demo.build()
    workers.start("lot-adresses")
    content = (
        "id;numero;voie;code_postal;commune\n"
        "1;20;avenue des Tilleuls;18999;Bellerive\n"
        "2;10;bd de la Lune;18999;Bellerive\n"
        "3;;;;Bellerive\n"
    ).encode("latin-1")
    response = upload(client, content, "adresses.csv", kind="addresses")
    assert response.status_code == 302
    job = wait_done(Job.objects.get())
    assert job.state == "done", job.message
    summary = job.summary
    assert (summary["rows"], summary["in_qpv"], summary["outside"], summary["to_check"]) == (
        3,
        1,
        1,
        1,
    )
    html = page(client, response["Location"])
    assert "à vérifier" in html
    text = b"".join(client.get(response["Location"] + "/resultat.csv").streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert rows[0]["qpv_code"] == "QN01801M" and rows[0]["geocode_type"] == "housenumber"
    assert rows[2]["status"] == "to_check"


def test_atlas_and_fiche_on_real_perimeters(
    db: None, client: Client, occitanie_qp: Path, tmp_path: Path
) -> None:
    import datetime as dt

    from quartiers.territories import reference
    from quartiers.zoning import services
    from tests.apps.territories.test_reference import package_data, write_tarball

    services.import_zoning(occitanie_qp, "2015", valid_from=dt.date(2015, 1, 1))
    reference.import_decoupage(write_tarball(tmp_path / "pkg.tgz", package_data()))
    html = page(client, "/atlas", region="76", edition="2015")
    assert (
        "<strong>19</strong> quartier(s)" in html  # seul le 31 est dans le petit paquet
        and "population des quartiers non renseignée" in html
    )
    assert "Haute-Garonne (31)</td><td>19</td>" in html
    html = page(client, "/atlas", commune="Toulouse", edition="2015")
    assert "Toulouse (31555)</td><td>" in html and "QP031007" in html
    html = page(client, "/qpv/QP031007")
    assert (
        "Toulouse (31555, 511 684 hab.)" in html and "Toulouse Métropole (SIREN 243100518)" in html
    )
    assert "Occitanie (76)" in html
