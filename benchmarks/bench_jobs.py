"""Banc d'essai des traitements durables (issue 8 §2) : ce que coûte la file.

Le même fichier de points est localisé deux fois dans le même passage : directement (le service
de `quartiers qpv check-file`, base de référence) puis comme traitement de la file — fichier
reçu et contrôlé, mis en file, pris par un vrai `quartiers worker` (autre processus), avancement
écrit en base, journal et audit, résumé. Affiche les deux durées, leur rapport, et l'attente
entre la mise en file et le démarrage. Base SQLite dans un dossier temporaire.

    python benchmarks/bench_jobs.py [--rows 400000] [--runs 3]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def points_file(path: Path, rows: int) -> Path:
    rng = random.Random(3)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["id", "lon", "lat"])
        for i in range(rows):
            writer.writerow(
                [i, f"{2.35 + rng.random() * 0.1:.6f}", f"{46.62 + rng.random() * 0.06:.6f}"]
            )
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="quartiers-bench-jobs-"))
    os.environ.update(
        {
            "QUARTIERS_VAR_DIR": str(var),
            "DJANGO_SETTINGS_MODULE": "quartiers.settings",
            "QUARTIERS_JOBS_MAX_PER_OWNER": "1000",
            "QUARTIERS_JOBS_MAX_TOTAL": "1000",
        }
    )
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    from quartiers import demo
    from quartiers.addresses.batch import KIND_COORDINATES, BatchRequest, submit_batch_file
    from quartiers.jobs.models import Job
    from quartiers.jobs.services import Owner
    from quartiers.zoning.services import check_coordinates

    call_command("migrate", verbosity=0)
    demo.build()
    source = points_file(var / "points.csv", args.rows)
    size_mb = source.stat().st_size / 1e6
    direct, queued, waits = [], [], []
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from quartiers.cli import main; sys.exit(main(['worker', '--interval', '0.05', '-q']))",
        ],
        env=os.environ.copy(),
        cwd=ROOT,
    )
    try:
        for _ in range(args.runs):
            start = time.perf_counter()
            summary = check_coordinates(source, var / "direct.csv", "lon", "lat")
            direct.append(time.perf_counter() - start)
            assert summary.rows == args.rows
            start = time.perf_counter()
            with open(source, "rb") as handle:
                job = submit_batch_file(
                    iter(lambda: handle.read(1 << 20), b""),
                    "points.csv",
                    BatchRequest(kind=KIND_COORDINATES),
                    None,
                    Owner(session_key="banc"),
                )
            while True:
                job.refresh_from_db()
                if job.finished:
                    break
                time.sleep(0.02)
            queued.append(time.perf_counter() - start)
            assert job.state == "done" and job.summary["rows"] == args.rows, job.message
            assert job.started_at is not None
            waits.append((job.started_at - job.created_at).total_seconds())
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    d, q = statistics.median(direct), statistics.median(queued)
    print(f"Fichier : {args.rows} points ({size_mb:.1f} Mo), {args.runs} passages, médianes")
    print(f"  direct (check-file, base de référence) : {d:.2f} s ({args.rows / d:,.0f} points/s)")
    print(
        f"  par la file (réception, contrôle, travailleur, journal) : {q:.2f} s ({args.rows / q:,.0f} points/s)"
    )
    print(f"  attente mise en file → démarrage : {statistics.median(waits):.2f} s")
    print(f"  rapport file / direct : {q / d:.2f}× (surcoût {100 * (q - d) / d:.0f} %)")
    print(f"Traitements en base : {Job.objects.count()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
