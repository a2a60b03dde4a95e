"""Pages de l'identification : lancer sur le jeu réel, explorer, enregistrer l'édition."""

from __future__ import annotations

import pytest
from django.test import Client

from quartiers.identification.models import IdentificationRun
from quartiers.jobs.models import Job
from quartiers.zoning.models import ZoningEdition
from tests.conftest import shared
from tests.workers import Workers, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_run_reunion_explore_and_save_edition(client, workers: Workers):
    shared("grid_rfl2010_reunion/reunion_rfl2010_200m.csv")
    page = client.get("/identification/")
    assert page.status_code == 200
    assert "Lancer sur La Réunion" in page.content.decode()
    response = client.post("/identification/", {"source": "reunion", "contiguity": "4"})
    assert response.status_code == 302
    # La requête rend la main tout de suite : le calcul tourne dans un vrai travailleur.
    job = Job.objects.get()
    assert response["Location"] == f"/identification/traitements/{job.token}"
    waiting = client.get(response["Location"] + "?suivre=0").content.decode()
    assert "Identification des quartiers" in waiting and "Journal du traitement" in waiting
    workers.start("identification")
    wait_for(lambda: Job.objects.get(pk=job.pk).finished, "identification finie", timeout=240)
    job.refresh_from_db()
    assert job.state == "done", (job.message, workers.log("identification"))
    run = IdentificationRun.objects.get()
    assert job.summary["run_id"] == run.pk
    response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"] == f"/identification/{run.pk}/"
    # Le suivi n'appartient qu'à qui l'a lancé.
    assert Client().get(f"/identification/traitements/{job.token}").status_code == 404
    assert run.quartier_count >= 10 and run.estimated
    detail = client.get(response["Location"]).content.decode()
    assert "<svg" in detail and "agg-quartier" in detail and "data-explanation" in detail
    assert "Quartier retenu" in detail and "estimation" in detail
    saved = client.post(
        f"/identification/{run.pk}/edition/", {"edition": "SIM-974-WEB"}, follow=True
    )
    assert "Édition SIM-974-WEB (qpv) créée" in saved.content.decode()
    layer = ZoningEdition.objects.get(edition="SIM-974-WEB")
    assert layer.is_simulated and layer.perimeters.count() == run.quartier_count
    # La même identification par l'API.
    listed = client.get("/api/v1/identification/runs").json()
    assert listed[0]["id"] == run.pk and listed[0]["quartier_count"] == run.quartier_count
    detail_api = client.get(f"/api/v1/identification/runs/{run.pk}").json()
    assert detail_api["aggregates"][0]["explanation"].startswith("Quartier retenu")
    geojson = client.get(f"/api/v1/identification/runs/{run.pk}/quartiers.geojson").json()
    assert len(geojson["features"]) == run.quartier_count
    missing = client.get("/api/v1/identification/runs/999999")
    assert missing.status_code == 404 and "inconnue" in missing.json()["detail"]


@pytest.mark.django_db
def test_bad_upload_gives_french_error_and_stores_nothing(client, tmp_path):
    bad = tmp_path / "grille.csv"
    bad.write_text("idcar_200m;ind\nPAS-UN-CARREAU;12\n", encoding="utf-8")
    with open(bad, "rb") as handle:
        response = client.post("/identification/", {"grid": handle, "criterion": "median"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "ligne 2" in text and "idcar_200m" in text and "PAS-UN-CARREAU" in text
    assert "grille.csv" in text and "quartiers-ident-" not in text  # le nom envoyé, pas le disque
    assert IdentificationRun.objects.count() == 0 and not Job.objects.exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_click_a_quartier_shows_its_explanation(page, live_server, workers: Workers):
    shared("grid_rfl2010_reunion/reunion_rfl2010_200m.csv")
    workers.start("navigateur-identification")
    page.goto(live_server.url + "/identification/")
    page.click("#run-reunion")
    # La page de suivi se recharge seule et mène au résultat dès qu'il est prêt.
    page.wait_for_selector("#ident-map svg", timeout=120_000)
    assert "Cliquez sur un quartier" in page.inner_text("#explanation-panel")
    page.locator("#ident-map").scroll_into_view_if_needed()
    # Un point du quartier qui est bien sous la souris (pas masqué par un autre tracé).
    point = page.evaluate(
        """() => {
          for (const el of document.querySelectorAll('#ident-map .agg-quartier')) {
            const r = el.getBoundingClientRect();
            const x = r.left + r.width / 2, y = r.top + r.height / 2;
            if (document.elementFromPoint(x, y) === el) {
              return {x: x, y: y, code: el.getAttribute('data-code')};
            }
          }
          return null;
        }"""
    )
    assert point is not None
    page.mouse.click(point["x"], point["y"])
    assert page.inner_text("#explanation-code") == point["code"]
    text = page.inner_text("#explanation-text")
    assert text.startswith("Quartier retenu")
    assert "part de ménages pauvres" in text and "population" in text
