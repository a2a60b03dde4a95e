"""La fiche quartier et le rapport dans un vrai Chromium (sous la CSP), et le PDF du rapport produit
par un vrai travailleur (traitement `observatory_report`)."""

from __future__ import annotations

from typing import Any

import pytest

from quartiers.jobs.models import Job
from quartiers.observatory import report as reports
from tests.apps.observatory.conftest import load_observatory
from tests.browser import page_problems
from tests.workers import Workers, wait_for

PDF_MISSING = reports.weasyprint_missing()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_opens_a_qpv_profile_and_the_report(page: Any, live_server: Any) -> None:
    load_observatory()
    page.goto(live_server.url + "/observatoire/qpv/QP031007")
    page.wait_for_selector("#qpv-map[data-ready='1']")
    assert page.get_attribute("#qpv-map", "data-features") == "1"
    assert page.locator("#qpv-map path.leaflet-interactive").count() >= 1
    assert page.locator("svg.q-chart").count() >= 2
    assert "Grand Mirail" in page.content()
    assert not page_problems(page), page_problems(page)
    page.goto(live_server.url + "/observatoire/rapport?territoire=dep:31&annee=2024")
    page.wait_for_load_state("networkidle")
    assert page.locator("svg.q-chart--map path.q-map-qpv").count() >= 19
    assert "Les quartiers classés" in page.content()
    assert not page_problems(page), page_problems(page)


@pytest.mark.skipif(PDF_MISSING is not None, reason=PDF_MISSING or "")
def test_report_pdf_is_a_background_job(client: Any, workers: Workers) -> None:
    load_observatory()
    response = client.post("/observatoire/rapport.pdf", {"territoire": "dep:31", "annee": "2024"})
    assert response.status_code == 302
    job = Job.objects.get()
    assert job.kind == "observatory_report" and response["Location"].endswith(str(job.token))
    workers.start("rapport")
    wait_for(lambda: Job.objects.get(pk=job.pk).finished, "rapport fini", timeout=240)
    job.refresh_from_db()
    assert job.state == "done", (job.message, workers.log("rapport"))
    assert job.summary["qpv"] == 19
    pdf = client.get(f"/traitements/{job.token}/resultat")
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
