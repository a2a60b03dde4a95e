"""Un vrai fichier de points survit à l'arrêt brutal de son travailleur (SIGKILL en plein calcul) :
le travailleur suivant le reprend du début et rend un résultat complet, une ligne par ligne reçue.
"""

from __future__ import annotations

import csv
import random
import signal
from pathlib import Path

import pytest

from quartiers import demo
from quartiers.addresses.batch import KIND_COORDINATES, BatchRequest, submit_batch_file
from quartiers.jobs.models import Job
from quartiers.jobs.services import Owner
from tests.workers import Workers, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
ROWS = 400_000  # quelques secondes de calcul : le travailleur est tué bien avant la fin


def _points_file(path: Path) -> Path:
    rng = random.Random(7)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["id", "lon", "lat"])
        for i in range(ROWS):
            lon, lat = 2.35 + rng.random() * 0.1, 46.62 + rng.random() * 0.06
            writer.writerow([i, f"{lon:.6f}", f"{lat:.6f}"])
    return path


def test_batch_file_of_a_killed_worker_is_completed_by_the_next_one(
    workers: Workers, tmp_path: Path
) -> None:
    demo.build()
    source = _points_file(tmp_path / "points.csv")
    with open(source, "rb") as handle:
        job = submit_batch_file(
            iter(lambda: handle.read(1 << 20), b""),
            "points.csv",
            BatchRequest(kind=KIND_COORDINATES),
            None,
            Owner(session_key="visiteur-1"),
        )
    first = workers.start("premier")
    wait_for(
        lambda: Job.objects.filter(pk=job.pk, state="running", progress__gt=0).exists(),
        "fichier en cours de traitement",
    )
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    job.refresh_from_db()
    assert job.state == "running" and job.progress < 1  # ce qu'un arrêt brutal laisse
    workers.start("second")
    wait_for(lambda: Job.objects.get(pk=job.pk).finished, "fichier repris et fini", timeout=240)
    job.refresh_from_db()
    assert job.state == "done", (job.message, workers.log("second"))
    assert job.attempts == 2 and job.worker_id == "second"
    assert job.summary["rows"] == ROWS
    assert job.summary["in_qpv"] + job.summary["outside"] == ROWS
    assert job.result_file is not None
    with open(job.result_file, encoding="utf-8") as handle:
        assert sum(1 for _ in handle) == ROWS + 1  # en-tête + chaque ligne, une seule fois
    assert [e.event for e in job.events.order_by("at", "pk")] == [
        "submit",
        "start",
        "retry",
        "start",
        "finish",
    ]
