"""Durabilité : un travailleur tué (SIGKILL) en plein traitement ; un autre le reprend.

django-tasks-db laisse alors sa ligne de tâche RUNNING et notre traitement « en cours » : sans
reprise, il le resterait pour toujours. Ces tests lancent de vrais `quartiers worker`.
"""

from __future__ import annotations

import signal

import pytest
from django_tasks_db.models import DBTaskResult

from quartiers.jobs import services
from quartiers.jobs.models import Job
from tests.workers import Workers, wait_for

# Base validée : le travailleur est un autre processus (rejoué sur PostgreSQL, marque `db`).
pytestmark = pytest.mark.django_db(transaction=True)


def _state(job: Job) -> Job:
    job.refresh_from_db()
    return job


def _kill_while_running(workers: Workers) -> tuple[Job, str]:
    first = workers.start("premier")
    job = services.submit(
        "test.slow", services.Owner(session_key="s1"), {"steps": 25, "delay": 0.15}
    )
    wait_for(
        lambda: _state(job).state == "running" and job.progress > 0,
        "traitement en cours avec avancement",
    )
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    job.refresh_from_db()
    # Ce que laisse un arrêt brutal : tout reste « en cours ».
    assert job.state == "running"
    assert job.worker_id == "premier"
    first_task = job.task_result_id
    assert DBTaskResult.objects.get(id=first_task).status == "RUNNING"
    return job, first_task


def test_job_of_a_killed_worker_is_completed_by_the_next_one(workers: Workers) -> None:
    job, first_task = _kill_while_running(workers)
    workers.start("second")
    wait_for(lambda: _state(job).finished, "traitement repris et fini", timeout=180)
    assert job.state == "done", (job.message, workers.log("second"))
    assert job.worker_id == "second"
    assert job.attempts == 2
    assert job.summary == {"steps": 25, "attempt": 2}
    assert job.message == "25 étapes faites."
    # Le résultat partiel de la première tentative a été effacé : un seul passage complet.
    assert job.result_file is not None
    assert job.result_file.read_text(encoding="utf-8").count("étape ") == 25
    # Les deux lignes de tâches sont closes : l'ancienne en échec (travailleur perdu).
    old = DBTaskResult.objects.get(id=first_task)
    assert old.status == "FAILED"
    assert old.exception_class_path == "quartiers.jobs.services.WorkerLost"
    assert job.task_result_id != first_task
    assert DBTaskResult.objects.get(id=job.task_result_id).status == "SUCCESSFUL"
    events = list(job.events.values_list("event", "from_state", "to_state"))
    assert events == [
        ("submit", "", "queued"),
        ("start", "queued", "running"),
        ("retry", "running", "queued"),
        ("start", "queued", "running"),
        ("finish", "running", "done"),
    ]
    retry = job.events.get(event="retry")
    assert "arrêté brutalement" in retry.message
    assert "tentative 2 sur 3" in retry.message


def test_job_is_failed_with_its_reason_when_attempts_are_exhausted(workers: Workers) -> None:
    job, first_task = _kill_while_running(workers)
    workers.start("second", QUARTIERS_JOBS_MAX_ATTEMPTS="1")
    wait_for(lambda: _state(job).finished, "traitement déclaré échoué", timeout=180)
    assert job.state == "failed"
    assert "arrêté brutalement" in job.message
    assert "abandonné après 1 tentative" in job.message
    assert job.attempts == 1
    assert job.result_file is None
    assert DBTaskResult.objects.get(id=first_task).status == "FAILED"
    assert [e.event for e in job.events.all()][-1] == "fail"
