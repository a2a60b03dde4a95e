"""Page d'un traitement, état JSON, annulation, résultat, API : au seul propriétaire (404 sinon)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from quartiers.jobs import services
from quartiers.jobs.models import Job
from quartiers.jobs.services import Owner

pytestmark = pytest.mark.django_db


def _anonymous_job(client: Client, **params: object) -> Job:
    client.get("/")  # la session existe
    session = client.session
    session.save()
    client.cookies["sessionid"] = session.session_key  # type: ignore[assignment]
    return services.submit("test.echo", Owner(session_key=session.session_key), params)


def _finish(job: Job, text: str = "résultat") -> None:
    services.transition(job, "start")
    path = job.folder / "result" / "echo.txt"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    services.transition(job, "finish", message="2 lignes traitées.", changes={"progress": 1.0})


def test_job_page_shows_state_log_cancel_button_without_inline_script() -> None:
    client = Client()
    job = _anonymous_job(client)
    page = client.get(f"/traitements/{job.token}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Écho (test)" in html and "en attente" in html
    assert "Journal du traitement" in html and "Traitement demandé." in html
    assert 'id="job-cancel"' in html and "csrfmiddlewaretoken" in html
    assert f'data-job-status-url="/traitements/{job.token}/etat"' in html
    assert "jobs/jobs.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "script en ligne"
    assert "style=" not in html.split('id="job-')[1]


def test_status_json_and_api_give_the_same_view() -> None:
    client = Client()
    job = _anonymous_job(client)
    status = client.get(f"/traitements/{job.token}/etat").json()
    api = client.get(f"/api/v1/jobs/{job.token}").json()
    assert status == api
    assert status["state"] == "queued" and status["state_label"] == "en attente"
    assert status["can_cancel"] is True and status["result_url"] is None
    assert [e["event"] for e in status["events"]] == ["submit"]
    assert "session" not in str(status) and "input" not in status


def test_nobody_else_sees_a_job_even_with_the_link() -> None:
    owner = Client()
    job = _anonymous_job(owner)
    _finish(job)
    stranger = Client()
    stranger.get("/")
    user = get_user_model().objects.create_user("zoe", password="x")
    logged = Client()
    logged.force_login(user)
    for client in (stranger, logged, Client()):
        for url in ("", "/etat", "/resultat"):
            assert client.get(f"/traitements/{job.token}{url}").status_code == 404
        assert client.post(f"/traitements/{job.token}/annuler").status_code == 404
        response = client.get(f"/api/v1/jobs/{job.token}")
        assert response.status_code == 404
        assert response.json() == {"detail": "traitement introuvable"}
    assert owner.get(f"/traitements/{job.token}/resultat").status_code == 200
    assert Client().get("/api/v1/jobs/pas-un-jeton").status_code == 404


def test_account_owner_reads_its_job() -> None:
    user = get_user_model().objects.create_user("ann", password="x")
    job = services.submit("test.echo", Owner(user=user))
    client = Client()
    client.force_login(user)
    assert client.get(f"/api/v1/jobs/{job.token}").json()["token"] == str(job.token)
    assert client.get(f"/traitements/{job.token}").status_code == 200


def test_cancel_button_posts_with_csrf() -> None:
    client = Client(enforce_csrf_checks=True)
    job = _anonymous_job(client)
    assert client.post(f"/traitements/{job.token}/annuler").status_code == 403
    page = client.get(f"/traitements/{job.token}").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    response = client.post(
        f"/traitements/{job.token}/annuler", {"csrfmiddlewaretoken": token.group(1)}, follow=True
    )
    assert response.status_code == 200
    job.refresh_from_db()
    assert job.state == "cancelled"
    html = response.content.decode()
    assert "Traitement annulé" in html and 'id="job-cancel"' not in html
    assert client.get(f"/traitements/{job.token}").status_code == 200


def test_result_download_then_purged_page_says_files_are_gone() -> None:
    client = Client()
    job = _anonymous_job(client)
    _finish(job, "contenu")
    page = client.get(f"/traitements/{job.token}").content.decode()
    assert 'id="job-result"' in page and "2 lignes traitées." in page
    download = client.get(f"/traitements/{job.token}/resultat")
    assert b"".join(download.streaming_content) == b"contenu"  # type: ignore[attr-defined]
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - dt.timedelta(days=30))
    assert services.purge_expired() == 1
    page = client.get(f"/traitements/{job.token}").content.decode()
    assert 'id="job-purged"' in page and 'id="job-result"' not in page
    assert "Fichiers supprimés" in page
    assert client.get(f"/traitements/{job.token}/resultat").status_code == 404
    assert client.get(f"/api/v1/jobs/{job.token}").json()["files_purged"] is True
