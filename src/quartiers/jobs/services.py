"""Cas d'usage des traitements : soumettre, annuler, lire (propriétaire seul), exécuter, reprendre.

Toute transition passe par `transition()` : elle vérifie l'événement auprès de la machine à
états du cœur, enregistre l'état et écrit le `JobEvent` (le journal), dans une transaction.
Le web, l'API, la ligne de commande et le travailleur n'écrivent jamais `state` eux-mêmes.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from quartiers.accounts import audit
from quartiers.accounts.permissions import can, rules
from quartiers.core.jobs import (
    ACTIVE_STATES,
    SUBMIT,
    InvalidTransition,
    JobCancelled,
    JobFailure,
    JobState,
    check_capacity,
    clamp_progress,
    next_state,
)
from quartiers.jobs.models import Job, JobEvent, Worker
from quartiers.jobs.registry import JobContext, get_kind

logger = logging.getLogger("quartiers.jobs")

GENERIC_FAILURE = (
    "Le traitement a échoué à cause d'une erreur interne. Réessayez ; si l'erreur revient, "
    "signalez-la en donnant le numéro du traitement ({token})."
)
SYSTEM = "système"


class JobNotFound(LookupError):
    """Traitement absent ou appartenant à quelqu'un d'autre : même réponse (404)."""


class JobLost(Exception):
    """Le traitement a été repris par un autre travailleur : celui-ci s'arrête sans rien écrire."""


class WorkerLost(Exception):
    """Inscrit sur une ligne de tâche restée « en cours » après la mort de son travailleur."""


class UploadLike(Protocol):
    name: str | None

    def chunks(self) -> Iterable[bytes]: ...


FileSource = Path | UploadLike | bytes


@dataclass(frozen=True)
class Owner:
    """Qui a lancé un traitement : un compte, ou (visiteur anonyme) une clé de session."""

    user: Any = None
    session_key: str | None = None

    @property
    def user_id(self) -> Any:
        user = self.user
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        return user.pk

    @property
    def session_hash(self) -> str:
        return session_hash(self.session_key) if self.session_key and not self.user_id else ""

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None and not self.session_hash

    @classmethod
    def from_request(cls, request: Any) -> Owner:
        """Le compte connecté, sinon la session (créée au besoin pour pouvoir revenir)."""
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return cls(user=user)
        if not request.session.session_key:
            request.session.save()
        return cls(session_key=request.session.session_key)


def session_hash(session_key: str) -> str:
    """Empreinte d'une clé de session (HMAC avec SECRET_KEY) : la clé n'est jamais stockée."""
    return salted_hmac("quartiers.jobs.owner", session_key, algorithm="sha256").hexdigest()


def _var_dir() -> Path:
    return Path(settings.VAR_DIR)


def _relative(path: Path) -> str:
    return str(path.relative_to(_var_dir()))


@contextmanager
def _write_transaction() -> Iterator[None]:
    """Transaction exclusive sur SQLite (attend le verrou au lieu d'échouer), atomique ailleurs."""
    with exclusive_transaction():
        yield


_CHANGEABLE = frozenset(
    f.name for f in Job._meta.fields if f.name not in {"id", "token", "state", "kind"}
)

# --- transitions --------------------------------------------------------------------------


def transition(
    job: Job,
    event: str,
    *,
    actor: Any = None,
    actor_label: str = "",
    message: str | None = None,
    changes: Mapping[str, Any] | None = None,
    expect: Mapping[str, Any] | None = None,
) -> Job:
    """Applique `event` au traitement, enregistre ses changements et l'écrit au journal.

    La ligne est relue sous verrou : l'état vu par l'appelant peut avoir changé (annulation
    depuis la page, reprise par un autre travailleur). `expect` : valeurs que la ligne doit
    encore avoir (sinon `JobLost`). Rend le traitement à jour et met à jour `job`.
    """
    now = timezone.now()
    with _write_transaction():
        if event == SUBMIT:
            locked, from_state = job, ""
        else:
            locked = Job.objects.select_for_update().get(pk=job.pk)
            from_state = locked.state
            for name, value in (expect or {}).items():
                if getattr(locked, name) != value:
                    raise JobLost(f"traitement {locked.token} : {name} a changé")
        to_state = next_state(from_state or None, event)
        for name, value in (changes or {}).items():
            if name not in _CHANGEABLE:
                raise ValueError(f"champ de traitement inconnu ou protégé : {name}")
            setattr(locked, name, value)
        locked.state = to_state.value
        if event == "start":
            locked.started_at, locked.finished_at = now, None
        elif event == "retry":
            locked.worker_id, locked.heartbeat_at = "", None
            locked.progress, locked.progress_label = 0.0, ""
        elif to_state.finished and from_state != to_state.value:
            locked.finished_at = now
            locked.heartbeat_at = None
        if message is not None:
            locked.message = message
        locked.save()
        actor_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
        JobEvent.objects.create(
            job=locked,
            event=event,
            from_state=from_state,
            to_state=to_state.value,
            message=message or "",
            actor_id=actor_id,
            actor_label=actor_label[:120],
        )
        # Même transaction : pas de changement d'état sans sa ligne au journal d'audit.
        audit.record(
            actor if actor_id is not None else (actor_label or SYSTEM),
            f"job.{event}",
            locked,
            changes={"state": (from_state or None, to_state.value)},
            reason=message or "",
        )
    if locked is not job:
        job.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return locked


# --- soumission ---------------------------------------------------------------------------


def active_jobs() -> QuerySet[Job]:
    return Job.objects.filter(state__in=[s.value for s in ACTIVE_STATES])


def owned_by(owner: Owner) -> Q:
    if owner.user_id is not None:
        return Q(owner_id=owner.user_id)
    if owner.session_hash:
        return Q(session_hash=owner.session_hash)
    return Q(owner__isnull=True, session_hash="")


def submit(
    kind: str,
    owner: Owner,
    parameters: Mapping[str, Any] | None = None,
    files: Mapping[str, FileSource] | None = None,
    *,
    message: str = "Traitement demandé.",
) -> Job:
    """Crée le traitement, range ses fichiers sous VAR_DIR/jobs/<jeton>/input/ et le met en file.

    `files` : clé → `Path` (copié), fichier reçu (`chunks()`), ou octets. `QueueFull` si la
    personne ou le service a déjà trop de traitements en attente ou en cours ; rien n'est créé.
    """
    entry = get_kind(kind)
    if entry is None:
        raise JobFailure(f"sorte de traitement inconnue : « {kind} »", {"kind": kind})
    params = dict(parameters or {})
    try:
        json.dumps(params)
    except (TypeError, ValueError) as exc:
        raise JobFailure(f"paramètres non enregistrables : {exc}") from exc
    job = Job(
        kind=kind,
        owner_id=owner.user_id,
        session_hash=owner.session_hash,
        parameters=params,
    )
    try:
        with _write_transaction():
            check_capacity(
                owner_active=active_jobs().filter(owned_by(owner)).count(),
                total_active=active_jobs().count(),
                max_per_owner=int(settings.QUARTIERS_JOBS_MAX_PER_OWNER),
                max_total=int(settings.QUARTIERS_JOBS_MAX_TOTAL),
            )
            job.input_files = _store_files(job.folder / "input", files or {})
            if entry.result_name:
                job.result_path = _relative(job.folder / "result" / entry.result_name)
            transition(
                job, SUBMIT, actor=owner.user, actor_label=_owner_label(owner), message=message
            )
            _enqueue(job)
    except BaseException:
        shutil.rmtree(job.folder, ignore_errors=True)
        raise
    return job


def _owner_label(owner: Owner) -> str:
    if owner.user_id is not None:
        return str(owner.user)
    return "visiteur" if owner.session_hash else SYSTEM


def _store_files(folder: Path, files: Mapping[str, FileSource]) -> dict[str, str]:
    stored: dict[str, str] = {}
    for key, source in files.items():
        folder.mkdir(parents=True, exist_ok=True)
        if isinstance(source, Path):
            name = source.name
        elif isinstance(source, bytes):
            name = key
        else:
            name = Path(source.name or key).name
        target = folder / f"{len(stored):02d}-{_safe_name(name) or key}"
        if isinstance(source, Path):
            shutil.copyfile(source, target)
        elif isinstance(source, bytes):
            target.write_bytes(source)
        else:
            with open(target, "wb") as out:
                for chunk in source.chunks():
                    out.write(chunk)
        stored[key] = _relative(target)
    return stored


def _safe_name(name: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name)
    return keep.strip("._")[:120]


def _enqueue(job: Job) -> None:
    """Met la tâche en file (même base, même transaction que le traitement)."""
    from quartiers.jobs.tasks import run_job

    result = run_job.enqueue(str(job.token))
    job.task_result_id = str(result.id)
    Job.objects.filter(pk=job.pk).update(task_result_id=job.task_result_id)


# --- lecture, annulation ------------------------------------------------------------------


VIEW_JOB = "jobs.view_job"


@rules.predicate
def _is_job_owner(user: Any, job: Job) -> bool:
    return job.owner_id is not None and user.pk == job.owner_id


# Règle d'objet (django-rules, comme toutes les autres) : un traitement n'est visible que de son
# propriétaire ; aucun rôle, même administrateur, n'y voit ceux des autres par ces portes.
rules.set_perm(VIEW_JOB, _is_job_owner)


def job_for(token: Any, user: Any = None, session_key: str | None = None) -> Job:
    """Le traitement `token` s'il appartient à `user` (ou à la session) ; `JobNotFound` sinon.

    Même réponse pour un jeton inconnu et pour le traitement d'un autre : un lien transmis
    ne révèle rien. Seule règle d'accès, pour le web comme pour l'API.
    """
    try:
        key = uuid.UUID(str(token))
    except ValueError:
        raise JobNotFound(str(token)) from None
    job = Job.objects.filter(token=key).first()
    if job is None:
        raise JobNotFound(str(token))
    if job.owner_id is not None:
        if can(user, VIEW_JOB, job):
            return job
    elif job.session_hash and session_key and session_hash(session_key) == job.session_hash:
        return job
    raise JobNotFound(str(token))


def cancel(job: Job, *, actor: Any = None, actor_label: str = "") -> Job:
    """En attente : annulé tout de suite. En cours : annulation demandée, vue à l'étape suivante."""
    label = actor_label or (str(actor) if getattr(actor, "is_authenticated", False) else "visiteur")
    with _write_transaction():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.state == JobState.QUEUED:
            transition(
                locked,
                "cancel",
                actor=actor,
                actor_label=label,
                message="Traitement annulé avant son début.",
            )
            _remove_output(locked)
        elif locked.state == JobState.RUNNING:
            if not locked.cancel_requested:
                transition(
                    locked,
                    "request_cancel",
                    actor=actor,
                    actor_label=label,
                    message="Annulation demandée : le traitement s'arrête à sa prochaine étape.",
                    changes={"cancel_requested": True},
                )
        else:
            raise InvalidTransition(
                f"ce traitement ne peut plus être annulé : il est {locked.job_state.label}"
            )
    job.refresh_from_db()
    return job


def _remove_output(job: Job) -> None:
    shutil.rmtree(job.folder / "result", ignore_errors=True)


# --- exécution (dans le travailleur) ------------------------------------------------------


@dataclass
class _Reporter:
    """Écrit l'avancement et le pouls (au plus toutes les `every` secondes), lit l'annulation."""

    job_pk: int
    worker_id: str
    attempt: int
    every: float = 0.3
    last: float = field(default=-1.0)
    cancelled: bool = False

    def report(self, fraction: float, label: str) -> bool:
        import time

        now = time.monotonic()
        if self.last >= 0 and now - self.last < self.every and fraction < 1:
            return self.cancelled
        self.last = now
        updated = Job.objects.filter(
            pk=self.job_pk,
            state=JobState.RUNNING.value,
            worker_id=self.worker_id,
            attempts=self.attempt,
        ).update(
            progress=clamp_progress(fraction),
            progress_label=label[:300],
            heartbeat_at=timezone.now(),
        )
        if not updated:
            raise JobLost(f"traitement {self.job_pk} repris par un autre travailleur")
        self.cancelled = self.check()
        return self.cancelled

    def check(self) -> bool:
        flag = Job.objects.filter(pk=self.job_pk).values_list("cancel_requested", flat=True).first()
        return bool(flag)


def execute(token: str, worker_id: str) -> dict[str, Any]:
    """Exécute un traitement en file : démarrage, gestionnaire de sa sorte, issue au journal."""
    job = Job.objects.filter(token=token).first()
    if job is None:
        logger.warning("traitement %s introuvable : tâche ignorée", token)
        return {"skipped": "absent"}
    if job.state != JobState.QUEUED:
        return {"skipped": job.state}
    who = f"travailleur {worker_id}"
    entry = get_kind(job.kind)
    if entry is None:
        transition(
            job, "fail", actor_label=who, message=f"Sorte de traitement inconnue : « {job.kind} »."
        )
        return {"state": job.state}
    attempt = job.attempts + 1
    try:
        job = transition(
            job,
            "start",
            actor_label=who,
            message=f"Tentative {attempt} sur {max_attempts()}.",
            changes={
                "attempts": attempt,
                "worker_id": worker_id,
                "heartbeat_at": timezone.now(),
                "progress": 0.0,
                "progress_label": "",
            },
            expect={"state": JobState.QUEUED.value, "attempts": job.attempts},
        )
    except (InvalidTransition, JobLost):
        return {"skipped": "déjà pris"}
    own = {"worker_id": worker_id, "attempts": attempt}
    reporter = _Reporter(job.pk, worker_id, attempt)
    _remove_output(job)
    var = _var_dir()
    context = JobContext(
        token=str(job.token),
        kind=job.kind,
        parameters=job.parameters,
        folder=job.folder,
        inputs={k: var / v for k, v in job.input_files.items()},
        result_path=var / job.result_path if job.result_path else None,
        attempt=attempt,
        _report=reporter.report,
        _cancel_check=reporter.check,
    )
    try:
        summary = dict(entry.handler(context) or {})
        json.dumps(summary)
    except JobLost:
        logger.warning("traitement %s repris ailleurs : %s s'arrête", token, worker_id)
        return {"lost": True}
    except JobCancelled:
        _remove_output(job)
        _finish(
            job,
            "cancel",
            who,
            "Traitement annulé à la demande ; les résultats partiels sont supprimés.",
            {},
            own,
        )
    except JobFailure as exc:
        _remove_output(job)
        _finish(job, "fail", who, exc.message, {"summary": {"error": exc.data}}, own)
    except Exception:
        logger.exception("traitement %s (%s) : erreur interne", token, job.kind)
        _remove_output(job)
        _finish(job, "fail", who, GENERIC_FAILURE.format(token=job.token), {}, own)
    except BaseException:
        # Arrêt du travailleur en plein traitement (second Ctrl+C, SIGTERM forcé).
        logger.warning("traitement %s interrompu par l'arrêt du travailleur", token)
        requeue_or_fail(job, "Le travailleur a été arrêté pendant le traitement", who)
        raise
    else:
        text = str(summary.pop("message", "") or "Traitement terminé.")
        _finish(
            job,
            "finish",
            who,
            text,
            {"summary": summary, "progress": 1.0, "progress_label": ""},
            own,
        )
    job.refresh_from_db()
    return {"state": job.state}


def _finish(
    job: Job, event: str, who: str, message: str, changes: Mapping[str, Any], own: Mapping[str, Any]
) -> None:
    try:
        transition(job, event, actor_label=who, message=message, changes=changes, expect=own)
    except (JobLost, InvalidTransition):
        logger.warning(
            "traitement %s : issue « %s » ignorée (repris ou fini ailleurs)", job.token, event
        )


# --- reprise après un arrêt brutal --------------------------------------------------------


def max_attempts() -> int:
    return max(1, int(settings.QUARTIERS_JOBS_MAX_ATTEMPTS))


def _stale_before(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=float(settings.QUARTIERS_JOBS_STALE_SECONDS))


def _fail_task_row(task_result_id: str, reason: str) -> int:
    """La ligne de django-tasks-db restée RUNNING (son travailleur est mort) passe FAILED."""
    if not task_result_id:
        return 0
    return DBTaskResult.objects.filter(id=task_result_id, status="RUNNING").update(
        status="FAILED",
        finished_at=timezone.now(),
        exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
        traceback=reason,
    )


def requeue_or_fail(job: Job, reason: str, actor_label: str = SYSTEM) -> str:
    """Remet en file un traitement interrompu (tentatives restantes) ou le dit échoué, avec la raison."""
    with _write_transaction():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.state != JobState.RUNNING:
            return locked.state
        _fail_task_row(locked.task_result_id, f"{reason} (traitement {locked.token}).")
        _remove_output(locked)
        if locked.cancel_requested:
            transition(
                locked,
                "cancel",
                actor_label=actor_label,
                message=f"{reason} ; l'annulation demandée est appliquée.",
            )
        elif locked.attempts < max_attempts():
            transition(
                locked,
                "retry",
                actor_label=actor_label,
                message=f"{reason} : le traitement reprend depuis le début "
                f"(tentative {locked.attempts + 1} sur {max_attempts()}).",
            )
            _enqueue(locked)
        else:
            transition(
                locked,
                "fail",
                actor_label=actor_label,
                message=f"{reason} : abandonné après {locked.attempts} tentative(s).",
            )
        return locked.state


@dataclass
class RecoveryReport:
    requeued: int = 0
    failed: int = 0
    cancelled: int = 0
    task_rows: int = 0
    dead_workers: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.requeued + self.failed + self.cancelled + self.task_rows


def recover(now: dt.datetime | None = None, actor_label: str = SYSTEM) -> RecoveryReport:
    """Reprend les traitements dont le travailleur ne donne plus de pouls, et leurs tâches.

    django-tasks-db ne le fait pas : un travailleur tué (SIGKILL, coupure) laisse sa ligne de
    tâche RUNNING pour toujours, et rien ne la reprend. Appelée au démarrage de chaque
    travailleur, puis régulièrement par son fil d'entretien.
    """
    now = now or timezone.now()
    stale = _stale_before(now)
    report = RecoveryReport()
    dead = list(
        Worker.objects.filter(stopped_at__isnull=True, heartbeat_at__lt=stale).values_list(
            "worker_id", flat=True
        )
    )
    if dead:
        Worker.objects.filter(worker_id__in=dead).update(stopped_at=now, stop_reason="pouls perdu")
    report.dead_workers = dead
    stopped = set(
        Worker.objects.filter(stopped_at__isnull=False).values_list("worker_id", flat=True)
    )
    candidates = Job.objects.filter(state=JobState.RUNNING.value).filter(
        Q(heartbeat_at__lt=stale)
        | Q(heartbeat_at__isnull=True, started_at__lt=stale)
        | Q(worker_id__in=stopped)
    )
    for job in candidates:
        state = requeue_or_fail(
            job, "Le travailleur qui exécutait ce traitement s'est arrêté brutalement", actor_label
        )
        if state == JobState.QUEUED:
            report.requeued += 1
        elif state == JobState.FAILED:
            report.failed += 1
        elif state == JobState.CANCELLED:
            report.cancelled += 1
    # Lignes de tâches sans traitement (purge…) laissées RUNNING par un travailleur mort.
    for row in DBTaskResult.objects.filter(status="RUNNING").only("id", "worker_ids"):
        if row.worker_ids and row.worker_ids[-1] in stopped:
            report.task_rows += _fail_task_row(str(row.id), "Travailleur arrêté brutalement.")
    # Traitement en file dont la tâche n'existe plus ou est finie : remis en file.
    for job in Job.objects.filter(state=JobState.QUEUED.value, created_at__lt=stale):
        task_status = (
            DBTaskResult.objects.filter(id=job.task_result_id)
            .values_list("status", flat=True)
            .first()
        )
        if task_status not in ("READY", "RUNNING"):
            with _write_transaction():
                _enqueue(job)
            report.requeued += 1
    if report.total:
        logger.warning("reprise : %s", report)
    return report


# --- conservation -------------------------------------------------------------------------


def retention() -> dt.timedelta:
    return dt.timedelta(days=float(settings.QUARTIERS_JOBS_RETENTION_DAYS))


def purge_expired(now: dt.datetime | None = None) -> int:
    """Supprime les fichiers des traitements finis depuis plus que la durée de conservation.

    La fiche et le journal restent ; la page dit que les fichiers ne sont plus disponibles.
    Les lignes de tâches finies aussi anciennes sont supprimées.
    """
    now = now or timezone.now()
    cutoff = now - retention()
    days = settings.QUARTIERS_JOBS_RETENTION_DAYS
    count = 0
    expired = Job.objects.filter(
        state__in=[JobState.DONE.value, JobState.FAILED.value, JobState.CANCELLED.value],
        finished_at__lt=cutoff,
        files_purged_at__isnull=True,
    )
    for job in expired:
        shutil.rmtree(job.folder, ignore_errors=True)
        transition(
            job,
            "purge",
            actor_label=SYSTEM,
            message=f"Fichiers supprimés (conservation de {days:g} jours).",
            changes={"files_purged_at": now},
        )
        count += 1
    DBTaskResult.objects.filter(
        status__in=["SUCCESSFUL", "FAILED"], finished_at__lt=cutoff
    ).delete()
    Worker.objects.filter(stopped_at__lt=cutoff).delete()
    return count
