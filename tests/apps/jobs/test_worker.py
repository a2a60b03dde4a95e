"""Traitements exécutés par un vrai `quartiers worker` : réussite, échecs, annulation."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from quartiers.jobs import services
from quartiers.jobs.models import Job
from quartiers.jobs.services import Owner
from tests.workers import Workers, wait_for

# Base validée : le travailleur est un autre processus (rejoué sur PostgreSQL, marque `db`).
pytestmark = pytest.mark.django_db(transaction=True)


def _run_batch(workers: Workers) -> None:
    proc = workers.start("lot", "--batch")
    assert proc.wait(timeout=180) == 0, workers.log("lot")


def test_jobs_run_to_their_outcome(workers: Workers) -> None:
    owner = Owner(session_key="k")
    echo = services.submit("test.echo", owner, {"label": "é"}, {"data": b"un\ndeux\n"})
    failing = services.submit("test.fail", owner)
    crashing = services.submit("test.crash", owner)
    cancelled = services.submit("test.slow", Owner(session_key="autre"))
    services.cancel(cancelled)
    _run_batch(workers)
    for job in (echo, failing, crashing, cancelled):
        job.refresh_from_db()
    assert echo.state == "done"
    assert echo.summary == {"lines": 2, "label": "é"}
    assert echo.result_file is not None
    assert echo.result_file.read_text(encoding="utf-8") == "UN\nDEUX\n"
    assert echo.progress == 1.0 and echo.attempts == 1 and echo.worker_id == "lot"
    assert echo.started_at is not None and echo.finished_at is not None

    assert failing.state == "failed"
    assert failing.message == "ligne 3 : colonne « lon » vide"
    assert failing.summary == {"error": {"line": 3}}

    # Erreur inattendue : message générique, la trace ne va qu'au journal du serveur.
    assert crashing.state == "failed"
    assert crashing.message.startswith("Le traitement a échoué à cause d'une erreur interne")
    assert str(crashing.token) in crashing.message
    assert "secret" not in crashing.message and "RuntimeError" not in crashing.message
    assert "RuntimeError: détail interne secret" in workers.log("lot")
    assert not crashing.events.filter(message__contains="secret").exists()
    assert DBTaskResult.objects.get(id=crashing.task_result_id).traceback == ""

    # Annulé en file : jamais démarré.
    assert cancelled.state == "cancelled" and cancelled.attempts == 0
    assert [e.event for e in cancelled.events.all()] == ["submit", "cancel"]


def test_running_job_stops_at_next_progress_point_and_drops_partial_output(
    workers: Workers,
) -> None:
    workers.start("w")
    job = services.submit("test.slow", Owner(session_key="k"), {"steps": 400, "delay": 0.05})
    wait_for(lambda: Job.objects.get(pk=job.pk).progress > 0, "traitement en cours")
    partial = job.folder / "result" / "lent.txt"
    assert partial.exists()
    services.cancel(job)
    wait_for(lambda: Job.objects.get(pk=job.pk).finished, "traitement annulé")
    job.refresh_from_db()
    assert job.state == "cancelled"
    assert job.progress < 1
    assert "les résultats partiels sont supprimés" in job.message
    assert not partial.exists() and job.result_file is None
    assert [e.event for e in job.events.all()] == ["submit", "start", "request_cancel", "cancel"]
