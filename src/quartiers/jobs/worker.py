"""Le travailleur : la boucle de django-tasks-db, plus un pouls, la reprise, la purge et les
tâches périodiques des applications (`registry.register_periodic`).

django-tasks-db réclame une tâche (RUNNING, identifiant du travailleur) et l'exécute, mais ne
sait rien d'un travailleur tué : sa ligne reste RUNNING. Ici, un fil d'entretien donne le pouls
du travailleur et de son traitement en cours, et reprend régulièrement (`services.recover`)
les traitements des travailleurs sans pouls ; la reprise est aussi faite au démarrage.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
import time
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker as DbWorker
from django_tasks_db.models import DBTaskResult

from quartiers.core.jobs import JobState
from quartiers.jobs import registry, services
from quartiers.jobs.models import Job, Worker

logger = logging.getLogger("quartiers.jobs")
PARENT_ENV = "QUARTIERS_WORKER_PARENT_PID"


def new_worker_id() -> str:
    host = socket.gethostname().split(".")[0][:30]
    return f"{host}-{os.getpid()}-{get_random_string(8)}"


class Housekeeper(threading.Thread):
    """Fil d'entretien : pouls, reprise des traitements orphelins, purge périodique."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name=f"entretien-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.stop_event = threading.Event()
        self.beat_every = float(settings.QUARTIERS_JOBS_HEARTBEAT_SECONDS)
        self.recover_every = max(self.beat_every, float(settings.QUARTIERS_JOBS_STALE_SECONDS) / 2)
        self.purge_every = float(settings.QUARTIERS_JOBS_PURGE_SECONDS)
        parent = os.environ.get(PARENT_ENV, "")
        self.parent_pid = int(parent) if parent.isdigit() else None

    def run(self) -> None:
        last_recover = last_purge = time.monotonic()
        last_periodic = {p.name: last_purge for p in registry.periodic_tasks()}
        while not self.stop_event.wait(self.beat_every):
            try:
                beat(self.worker_id)
                now = time.monotonic()
                if now - last_recover >= self.recover_every:
                    last_recover = now
                    services.recover(actor_label=f"travailleur {self.worker_id}")
                if now - last_purge >= self.purge_every:
                    last_purge = now
                    enqueue_purge()
                for periodic in registry.periodic_tasks():
                    if now - last_periodic.get(periodic.name, 0.0) >= periodic.every():
                        last_periodic[periodic.name] = now
                        enqueue_once(periodic.task)
            except Exception:
                logger.exception("travailleur %s : entretien en échec", self.worker_id)
            finally:
                close_old_connections()
            if self.parent_pid is not None and os.getppid() != self.parent_pid:
                logger.warning("serveur parent disparu : le travailleur s'arrête")
                os.kill(os.getpid(), signal.SIGTERM)
                return
        connections.close_all()


def beat(worker_id: str) -> None:
    """Pouls du travailleur et de son traitement en cours (même si le gestionnaire est long)."""
    now = timezone.now()
    Worker.objects.filter(worker_id=worker_id).update(heartbeat_at=now)
    Job.objects.filter(state=JobState.RUNNING.value, worker_id=worker_id).update(heartbeat_at=now)


def enqueue_purge() -> None:
    """Met la purge en file, sauf si une purge attend déjà."""
    from quartiers.jobs.tasks import purge_jobs

    enqueue_once(purge_jobs)


def enqueue_once(task: Any) -> None:
    """Met une tâche sans argument en file, sauf si elle y attend déjà."""
    if not DBTaskResult.objects.ready().filter(task_path=task.module_path).exists():
        task.enqueue()


def enqueue_periodic() -> None:
    """Les tâches périodiques des applications (`registry.register_periodic`), au démarrage."""
    for periodic in registry.periodic_tasks():
        enqueue_once(periodic.task)


def run_worker(
    *,
    worker_id: str | None = None,
    interval: float = 1.0,
    batch: bool = False,
    max_tasks: int | None = None,
    housekeeping: bool = True,
) -> int:
    """Lance un travailleur (jusqu'à Ctrl+C / SIGTERM, ou file vide avec `batch`)."""
    worker_id = (worker_id or new_worker_id())[:64]
    Worker.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:200],
            "pid": os.getpid(),
            "heartbeat_at": timezone.now(),
            "stopped_at": None,
            "stop_reason": "",
        },
    )
    report = services.recover(actor_label=f"travailleur {worker_id}")
    if housekeeping:
        enqueue_purge()
        enqueue_periodic()
    keeper = Housekeeper(worker_id) if housekeeping else None
    if keeper is not None:
        keeper.start()
    loop = DbWorker(
        queue_names=["default"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    logger.info(
        "travailleur %s démarré (pid %s) ; repris au démarrage : %s",
        worker_id,
        os.getpid(),
        report.total,
    )
    reason = "arrêt normal"
    try:
        if threading.current_thread() is threading.main_thread():
            loop.configure_signals()
        loop.run()
    except SystemExit as exc:
        reason = "arrêt demandé"
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    finally:
        if keeper is not None:
            keeper.stop_event.set()
            keeper.join(timeout=5)
        Worker.objects.filter(worker_id=worker_id).update(
            stopped_at=timezone.now(), stop_reason=reason
        )
        if threading.current_thread() is threading.main_thread():
            loop.reset_signals()
    return 0


def configure_logging(verbosity: int = 1) -> None:
    """Journal du travailleur sur la sortie d'erreur (les traces ne vont jamais à l'usager)."""
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s : %(message)s"))
    for name in ("quartiers.jobs", "django_tasks_db", "django_tasks"):
        log = logging.getLogger(name)
        log.setLevel(level)
        if not log.handlers:
            log.addHandler(handler)
