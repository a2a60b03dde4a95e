"""Travailleurs réels (`quartiers worker` en sous-processus) sur la base de test, pour tous les
tests qui lancent un traitement (fixture `workers`).

La base de test doit être validée (`transactional_db`) pour qu'un autre processus la voie :
SQLite, fichier sous VAR_DIR (voir settings) ; PostgreSQL, la base `test_…`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
WORKER = "import sys; from quartiers.cli import main; sys.exit(main({args!r}))"


def test_database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{db['NAME']}"


def wait_for(predicate: Callable[[], bool], what: str, timeout: float = 120) -> None:
    """Attend une condition (borné : un test ne doit jamais pendre), sans mesurer de durée."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"jamais atteint : {what}")


class Workers:
    def __init__(self, log_dir: Path) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []
        self.log_dir = log_dir

    def start(self, worker_id: str, *extra: str, **env: str) -> subprocess.Popen[bytes]:
        full_env = {
            **os.environ,
            "DATABASE_URL": test_database_url(),
            "QUARTIERS_VAR_DIR": str(settings.VAR_DIR),
            "QUARTIERS_JOB_EXTRA_MODULES": "tests.apps.jobs.kinds",
            "QUARTIERS_JOBS_HEARTBEAT_SECONDS": "0.2",
            "QUARTIERS_JOBS_STALE_SECONDS": "2",
            "QUARTIERS_DEBUG": "0",
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
            **env,
        }
        log = open(self.log_dir / f"worker-{worker_id}.log", "wb")  # noqa: SIM115
        args = ["worker", "--worker-id", worker_id, "--interval", "0.2", *extra]
        command = WORKER.format(args=args)
        proc = subprocess.Popen(
            [sys.executable, "-c", command], env=full_env, cwd=ROOT, stdout=log, stderr=log
        )
        self.procs.append(proc)
        return proc

    def log(self, worker_id: str) -> str:
        return (self.log_dir / f"worker-{worker_id}.log").read_text(errors="replace")

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)


@pytest.fixture
def workers(transactional_db: None, tmp_path: Path) -> Iterator[Workers]:
    pool = Workers(tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()
