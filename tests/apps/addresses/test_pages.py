"""Pages publiques au client de test Django, sur le territoire de démonstration."""

from __future__ import annotations

import csv
import datetime as dt
import html as html_lib
import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from quartiers import demo
from quartiers.jobs.models import Job
from quartiers.zoning.models import ZoningEdition
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


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    return html_lib.unescape(response.content.decode()).replace("\u202f", " ").replace("\xa0", " ")


def test_bad_date_is_refused_on_its_field_never_replaced_by_today(
    demo_db: None, client: Client
) -> None:
    for url in ("/adresse", "/adresse/attestation"):
        response = client.get(url, {"q": IN_2024, "date": "31/02/2025x"})
        assert response.status_code == 400
        html = text_of(response)
        assert "date « 31/02/2025x » invalide" in html
        assert "la date du jour est utilisée" not in html
        assert (
            "En QPV" not in html and "Hors QPV" not in html and "/attestation/verifier/" not in html
        )
    html = text_of(client.get("/adresse", {"q": IN_2024, "date": "31/02/2025x"}))
    assert 'aria-describedby="date-error"' in html and "fr-input--error" in html


def test_bad_date_and_no_list_in_force(demo_db: None, client: Client) -> None:
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


# --------------------------------------------------------------------------- attestation vérifiable


def test_result_numbers_for_machines_are_never_localised(demo_db: None, client: Client) -> None:
    raw = client.get("/adresse", {"q": IN_2024, "date": "2025-03-01"}).content.decode()
    lon = re.search(r'data-lon="([^"]*)"', raw)
    lat = re.search(r'data-lat="([^"]*)"', raw)
    assert lon and lat, raw
    assert float(lon.group(1)) == pytest.approx(2.388, abs=0.01)
    assert float(lat.group(1)) == pytest.approx(46.654, abs=0.01)


def test_result_links_to_fiche_and_simulator_with_the_address(
    demo_db: None, client: Client
) -> None:
    html = page(client, "/adresse", q=IN_2024, date="2025-03-01")
    assert 'href="/qpv/QN01801M"' in html and "Fiche du quartier QN01801M" in html
    link = re.search(r'href="(/dispositifs/personne/\?[^"]+)"', html)
    assert link, html
    params = parse_qs(urlsplit(link.group(1)).query)
    assert params["adresse"] == [IN_2024] and params["date"] == ["2025-03-01"]
    assert float(params["lon"][0]) == pytest.approx(2.388, abs=0.01)
    assert 'id="resultat"' in html and "data-focus" in html
    # Le simulateur reçoit le point : il n'a plus à demander « habitez-vous en QPV ? ».
    assert client.get(link.group(1)).status_code == 200


def test_plain_french_reasons_and_no_attestation_to_check(demo_db: None, client: Client) -> None:
    html = page(client, "/adresse", q="Bellerive")
    assert "adresse trop imprécise : seule la commune" in html
    assert "précisez le numéro et la voie" in html
    for jargon in ("plus grossier", "score", "seuil"):
        assert jargon not in html.split('id="resultat"')[1].split("</section>")[0]
    html = page(client, "/adresse/attestation", q="Bellerive")
    assert "Pas d'attestation pour cette adresse" in html and "à vérifier" in html
    assert "/attestation/verifier/" not in html and "data-print" not in html


def verify_link(client: Client, **params: str) -> str:
    html = page(client, "/adresse/attestation", **params)
    found = re.search(r'href="http://testserver(/attestation/verifier/[^"]+)"', html)
    assert found, html
    return found.group(1)


def test_attestation_is_verifiable(demo_db: None, client: Client) -> None:
    html = page(client, "/adresse/attestation", q=IN_2024, date="2025-03-01")
    for text in (
        "Délivrée par",
        "Quartiers, plateforme ouverte de la politique de la ville (testserver)",
        "liste fictive de démonstration",
        "importé le",
        'src="data:image/svg+xml',
        'id="attestation-map"',
        "Vérifier cette attestation",
    ):
        assert text in html, text
    url = verify_link(client, q=IN_2024, date="2025-03-01")
    html = page(client, url)
    assert "Attestation valide" in html and "QN01801M" in html and "01/03/2025" in html

    # Un caractère changé dans le jeton : altérée.
    token = url.rsplit("/", 1)[1]
    i = len(token) // 2
    forged = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
    response = client.get(f"/attestation/verifier/{forged}")
    assert response.status_code == 400 and "Attestation altérée" in text_of(response)
    # Un jeton signé pour autre chose (autre sel) : altéré aussi.
    other = signing.dumps({"a": IN_2024}, salt="autre")
    assert client.get(f"/attestation/verifier/{other}").status_code == 400

    # La liste est réimportée depuis : l'attestation est authentique mais plus à jour.
    ZoningEdition.objects.filter(edition="2024").update(
        imported_at=timezone.now() + dt.timedelta(days=1)
    )
    html = page(client, url)
    assert "La liste a changé depuis l'attestation" in html
    assert "la liste 2024 a été réimportée depuis" in html


def test_attestation_outside_is_verifiable(demo_db: None, client: Client) -> None:
    html = page(client, verify_link(client, q=OUTSIDE))
    assert "Attestation valide" in html and "Hors QPV" in html


def test_old_simulator_urls_redirect_to_french_ones(db: None, client: Client) -> None:
    response = client.get("/dispositifs/simulateur/person/", {"date": "2025-06-01"})
    assert response.status_code == 301
    assert response["Location"] == "/dispositifs/personne/?date=2025-06-01"
    assert client.get("/dispositifs/simulateur/employer/")["Location"] == "/dispositifs/employeur/"
    assert client.get("/dispositifs/simulateur/inconnu/").status_code == 404


def test_atlas_search_proposes_the_edition_of_a_code(demo_db: None, client: Client) -> None:
    html = page(client, "/atlas", q="QP018901")
    assert "<strong>0</strong> quartier(s)" in html
    assert "« QP018901 » figure dans une autre édition" in html
    assert 'href="/atlas?q=QP018901&edition=2015"' in html
    assert 'href="/qpv/QP018901?edition=2015"' in html
    html = page(client, "/atlas", q="QP018901", edition="2015")
    assert "<strong>1</strong> quartier(s)" in html and "autre édition" not in html
