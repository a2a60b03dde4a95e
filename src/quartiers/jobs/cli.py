"""Sous-commandes `quartiers worker` et `quartiers jobs …`, et le travailleur de `quartiers serve`."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

WORKER_COMMAND = "import sys; from quartiers.cli import main; sys.exit(main(['worker']))"


def register(sub: Any) -> None:
    worker = sub.add_parser(
        "worker", help="exécuter les traitements en arrière-plan (file de tâches)"
    )
    worker.add_argument(
        "--worker-id", help="identifiant unique du travailleur (défaut : tiré au sort)"
    )
    worker.add_argument(
        "--interval",
        type=float,
        default=1.0,
        help="attente entre deux lectures de la file vide (1 s)",
    )
    worker.add_argument("--batch", action="store_true", help="vider la file puis s'arrêter")
    worker.add_argument("--max-tasks", type=int, help="s'arrêter après N tâches")
    worker.add_argument("-q", "--quiet", action="store_true", help="n'écrire que les alertes")
    worker.set_defaults(handler=_worker)

    jobs = sub.add_parser("jobs", help="traitements en arrière-plan : liste, reprise, purge")
    jsub = jobs.add_subparsers(dest="jobs_command", metavar="ACTION")
    jsub.required = True
    purge = jsub.add_parser("purge", help="supprimer les fichiers des traitements expirés")
    purge.set_defaults(handler=_purge)
    recover = jsub.add_parser(
        "recover", help="reprendre les traitements dont le travailleur ne répond plus"
    )
    recover.set_defaults(handler=_recover)
    lst = jsub.add_parser("list", help="lister les derniers traitements (exploitation)")
    lst.add_argument("--limit", type=int, default=20, help="nombre de traitements (20)")
    lst.set_defaults(handler=_list)
    show = jsub.add_parser("show", help="état et journal d'un traitement (son propriétaire seul)")
    show.add_argument("token", metavar="JETON", help="jeton du traitement")
    show.add_argument(
        "--as", dest="acting", required=True, metavar="COURRIEL", help="compte qui agit"
    )
    show.set_defaults(handler=_show)
    stop = jsub.add_parser("cancel", help="annuler un traitement (son propriétaire seul)")
    stop.add_argument("token", metavar="JETON", help="jeton du traitement")
    stop.add_argument(
        "--as", dest="acting", required=True, metavar="COURRIEL", help="compte qui agit"
    )
    stop.set_defaults(handler=_cancel)


def _worker(args: argparse.Namespace) -> int:
    from quartiers.jobs.worker import configure_logging, run_worker

    configure_logging(0 if args.quiet else 1)
    return run_worker(
        worker_id=args.worker_id,
        interval=args.interval,
        batch=args.batch,
        max_tasks=args.max_tasks,
    )


def _purge(args: argparse.Namespace) -> int:
    from quartiers.jobs import services

    count = services.purge_expired()
    days = services.retention().days
    print(f"{count} traitement(s) expiré(s) (plus de {days} jours) : fichiers supprimés.")
    return 0


def _recover(args: argparse.Namespace) -> int:
    from quartiers.jobs import services

    report = services.recover()
    print(
        f"Remis en file : {report.requeued} ; échoués : {report.failed} ; "
        f"annulés : {report.cancelled} ; tâches orphelines closes : {report.task_rows}."
    )
    return 0


def _list(args: argparse.Namespace) -> int:
    from django.utils import timezone

    from quartiers.jobs.models import Job
    from quartiers.jobs.registry import kind_label

    for job in Job.objects.all()[: args.limit]:
        percent = round(job.progress * 100)
        print(
            f"{job.token}  {job.get_state_display():<10} {percent:>3} %  "
            f"{kind_label(job.kind)}  {timezone.localtime(job.created_at):%d/%m/%Y %H:%M}  {job.message[:60]}"
        )
    return 0


NOT_FOUND_EXIT = 4


def _owned_job(args: argparse.Namespace) -> Any:
    """Le traitement, par la même règle que les pages et l'API (`services.job_for`)."""
    from quartiers.accounts.models import User
    from quartiers.jobs import services

    user = User.objects.filter(email__iexact=args.acting.strip(), is_active=True).first()
    if user is None:
        print(f"Erreur : aucun compte actif « {args.acting} »", file=sys.stderr)
        return None
    try:
        return services.job_for(args.token, user)
    except services.JobNotFound:
        print(f"Introuvable : aucun traitement « {args.token} » pour ce compte", file=sys.stderr)
        return None


def _show(args: argparse.Namespace) -> int:
    from quartiers.jobs.registry import kind_label

    job = _owned_job(args)
    if job is None:
        return NOT_FOUND_EXIT
    print(f"{kind_label(job.kind)} — {job.get_state_display()} ({round(job.progress * 100)} %)")
    if job.message:
        print(job.message)
    for event in job.events.all():
        print(f"  {event.at:%d/%m/%Y %H:%M:%S}  {event.to_state:<10} {event.message}")
    return 0


def _cancel(args: argparse.Namespace) -> int:
    from quartiers.core.jobs import InvalidTransition
    from quartiers.jobs import services

    job = _owned_job(args)
    if job is None:
        return NOT_FOUND_EXIT
    try:
        job = services.cancel(job, actor=job.owner)
    except InvalidTransition as exc:
        print(f"Erreur : {exc.message}", file=sys.stderr)
        return 1
    print("Traitement annulé." if job.state == "cancelled" else "Annulation demandée.")
    return 0


def _raise_exit(signum: int, frame: object) -> None:
    raise SystemExit(0)


@contextmanager
def worker_alongside(enabled: bool = True) -> Iterator[subprocess.Popen[bytes] | None]:
    """Un travailleur enfant pour `quartiers serve`, arrêté avec le serveur."""
    if not enabled:
        yield None
        return
    env = {**os.environ, "QUARTIERS_WORKER_PARENT_PID": str(os.getpid())}
    child = subprocess.Popen([sys.executable, "-c", WORKER_COMMAND], env=env)
    print(f"Travailleur des traitements en arrière-plan lancé (pid {child.pid}).")
    # SIGTERM (systemd, docker stop) arrête le serveur comme Ctrl+C : le travailleur suit.
    previous = signal.signal(signal.SIGTERM, _raise_exit)
    try:
        yield child
    finally:
        signal.signal(signal.SIGTERM, previous)
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
