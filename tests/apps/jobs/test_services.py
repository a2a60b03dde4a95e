"""Soumission, limites, propriété, reprise et purge (services), sur une vraie base."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from quartiers.core.jobs import InvalidTransition, JobFailure, QueueFull
from quartiers.jobs import services
from quartiers.jobs.models import Job, Worker
from quartiers.jobs.services import JobNotFound, Owner

pytestmark = pytest.mark.django_db


def test_submit_stores_files_logs_and_enqueues_the_task(tmp_path: Path) -> None:
    source = tmp_path / "adresses.csv"
    source.write_text("a\nb\n", encoding="utf-8")
    job = services.submit("test.echo", Owner(session_key="k"), {"label": "x"}, {"data": source})
    assert job.state == "queued"
    assert job.session_hash and job.session_hash != "k" and job.owner_id is None
    stored = Path(job.folder / "input").iterdir()
    assert [p.read_text(encoding="utf-8") for p in stored] == ["a\nb\n"]
    assert job.input_files["data"].startswith(f"jobs/{job.token}/input/")
    assert job.result_path == f"jobs/{job.token}/result/echo.txt"
    task = DBTaskResult.objects.get(id=job.task_result_id)
    assert task.status == "READY"
    assert task.task_path == "quartiers.jobs.tasks.run_job"
    assert task.args_kwargs == {"args": [str(job.token)], "kwargs": {}}
    assert [(e.event, e.to_state, e.actor_label) for e in job.events.all()] == [
        ("submit", "queued", "visiteur")
    ]


def test_unknown_kind_is_refused_in_french() -> None:
    with pytest.raises(JobFailure, match="sorte de traitement inconnue : « nope »"):
        services.submit("nope", Owner(session_key="k"))
    assert not Job.objects.exists()


def test_queue_full_per_owner_and_in_total(settings: object) -> None:
    settings.QUARTIERS_JOBS_MAX_PER_OWNER = 2  # type: ignore[attr-defined]
    settings.QUARTIERS_JOBS_MAX_TOTAL = 3  # type: ignore[attr-defined]
    alice = Owner(session_key="alice")
    services.submit("test.slow", alice)
    services.submit("test.slow", alice)
    with pytest.raises(QueueFull, match="vous avez déjà 2 traitement"):
        services.submit("test.slow", alice)
    services.submit("test.slow", Owner(session_key="bob"))
    with pytest.raises(QueueFull, match="le service traite déjà 3"):
        services.submit("test.slow", Owner(session_key="carol"))
    assert Job.objects.count() == 3
    # Un traitement fini libère sa place.
    services.cancel(Job.objects.filter(session_hash=services.session_hash("alice")).first())  # type: ignore[arg-type]
    services.submit("test.slow", Owner(session_key="carol"))


def test_only_the_owner_can_read_a_job() -> None:
    users = get_user_model().objects
    ann = users.create_user("ann", password="x")
    ben = users.create_user("ben", password="x")
    by_ann = services.submit("test.echo", Owner(user=ann))
    anonymous = services.submit("test.echo", Owner(session_key="sess-1"))
    assert services.job_for(by_ann.token, ann).pk == by_ann.pk
    assert services.job_for(str(anonymous.token), None, "sess-1").pk == anonymous.pk
    for token, user, key in [
        (by_ann.token, ben, None),
        (by_ann.token, None, "sess-1"),
        (anonymous.token, ann, "autre"),
        (anonymous.token, None, None),
        ("pas-un-uuid", ann, "sess-1"),
        ("00000000-0000-0000-0000-000000000000", ann, None),
    ]:
        with pytest.raises(JobNotFound):
            services.job_for(token, user, key)


def test_cancel_queued_at_once_running_on_request() -> None:
    queued = services.submit("test.slow", Owner(session_key="k"))
    services.cancel(queued)
    assert queued.state == "cancelled" and queued.finished_at is not None
    with pytest.raises(InvalidTransition, match="ne peut plus être annulé : il est annulé"):
        services.cancel(queued)
    running = services.submit("test.slow", Owner(session_key="k"))
    services.transition(running, "start")
    services.cancel(running)
    assert running.state == "running" and running.cancel_requested
    assert [e.event for e in running.events.all()] == ["submit", "start", "request_cancel"]


def _running_job(heartbeat_age: float, worker_id: str = "mort") -> Job:
    job = services.submit("test.slow", Owner(session_key="k"))
    services.transition(
        job,
        "start",
        changes={
            "attempts": 1,
            "worker_id": worker_id,
            "heartbeat_at": timezone.now() - dt.timedelta(seconds=heartbeat_age),
        },
    )
    DBTaskResult.objects.filter(id=job.task_result_id).update(status="RUNNING")
    return job


def test_recover_requeues_a_job_without_heartbeat(settings: object) -> None:
    settings.QUARTIERS_JOBS_STALE_SECONDS = 30  # type: ignore[attr-defined]
    alive = _running_job(heartbeat_age=1, worker_id="vivant")
    dead = _running_job(heartbeat_age=120)
    old_task = dead.task_result_id
    report = services.recover()
    assert report.requeued == 1
    alive.refresh_from_db()
    dead.refresh_from_db()
    assert alive.state == "running"
    assert dead.state == "queued" and dead.worker_id == "" and dead.progress == 0
    assert DBTaskResult.objects.get(id=old_task).status == "FAILED"
    assert DBTaskResult.objects.get(id=dead.task_result_id).status == "READY"
    assert services.recover().total == 0


def test_recover_closes_task_rows_of_dead_workers(settings: object) -> None:
    settings.QUARTIERS_JOBS_STALE_SECONDS = 30  # type: ignore[attr-defined]
    from quartiers.jobs.tasks import purge_jobs

    row = purge_jobs.enqueue().db_result
    row.claim("disparu")
    Worker.objects.create(
        worker_id="disparu", heartbeat_at=timezone.now() - dt.timedelta(minutes=5)
    )
    report = services.recover()
    assert report.dead_workers == ["disparu"]
    assert report.task_rows == 1
    row.refresh_from_db()
    assert row.status == "FAILED"


def test_purge_removes_files_but_keeps_the_job_and_its_log(settings: object) -> None:
    settings.QUARTIERS_JOBS_RETENTION_DAYS = 7  # type: ignore[attr-defined]
    job = services.submit("test.echo", Owner(session_key="k"), files={"data": b"x"})
    services.transition(job, "start")
    services.transition(job, "finish")
    recent = services.submit("test.echo", Owner(session_key="k"), files={"data": b"y"})
    services.cancel(recent)
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - dt.timedelta(days=8))
    assert services.purge_expired() == 1
    job.refresh_from_db()
    assert not job.folder.exists()
    assert recent.folder.exists()
    assert job.files_purged_at is not None and job.state == "done"
    purge = job.events.last()
    assert purge is not None and purge.event == "purge"
    assert re.search(r"Fichiers supprimés \(conservation de 7 jours\)", purge.message)
    assert services.purge_expired() == 0
