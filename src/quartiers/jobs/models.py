"""Un traitement tel que l'usager le voit (`Job`), son journal (`JobEvent`), les travailleurs.

La tâche de django-tasks-db n'est que le moyen d'exécution (`task_result_id`) ; l'état, la
progression, le propriétaire et le journal vivent ici, pour survivre aux reprises.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models

from quartiers.core.jobs import JobLifecycle, JobState, allowed_events


class Job(models.Model):
    """Un traitement en arrière-plan : sorte, état, avancement, fichiers, résumé, propriétaire."""

    State = models.TextChoices(  # type: ignore[call-overload]  # choix construits depuis le cœur
        "State", [(s.name, (s.value, s.label)) for s in JobState]
    )

    token = models.UUIDField("jeton", default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField("sorte", max_length=60)
    state = models.CharField(
        "état", max_length=10, choices=State.choices, default=JobState.QUEUED.value
    )
    progress = models.FloatField("avancement (0 à 1)", default=0)
    progress_label = models.CharField("étape", max_length=300, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="propriétaire",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    # Empreinte (HMAC) de la clé de session d'un visiteur anonyme, jamais la clé elle-même.
    session_hash = models.CharField("session (empreinte)", max_length=64, blank=True)
    parameters = models.JSONField("paramètres", default=dict)
    input_files = models.JSONField("fichiers reçus", default=dict)
    result_path = models.CharField("résultat", max_length=500, blank=True)
    summary = models.JSONField("résumé", default=dict)
    message = models.TextField("message", blank=True)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    cancel_requested = models.BooleanField("annulation demandée", default=False)
    task_result_id = models.CharField("tâche (django-tasks)", max_length=64, blank=True)
    worker_id = models.CharField("travailleur", max_length=64, blank=True)
    heartbeat_at = models.DateTimeField("dernier pouls", null=True, blank=True)
    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("fini le", null=True, blank=True)
    files_purged_at = models.DateTimeField("fichiers supprimés le", null=True, blank=True)

    class Meta:
        verbose_name = "traitement"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state"]),
            models.Index(fields=["owner", "state"]),
            models.Index(fields=["session_hash", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.token} ({self.get_state_display()})"

    @property
    def job_state(self) -> JobState:
        return JobState(self.state)

    def lifecycle(self) -> JobLifecycle:
        """La machine à états du cœur liée à ce traitement (elle écrit `state`)."""
        return JobLifecycle(model=self)

    @property
    def finished(self) -> bool:
        return self.job_state.finished

    @property
    def can_cancel(self) -> bool:
        return "cancel" in allowed_events(self.state)

    @property
    def folder(self) -> Path:
        return Path(settings.VAR_DIR) / "jobs" / str(self.token)

    @property
    def download_name(self) -> str:
        """Le nom proposé au téléchargement : celui que la sorte a donné à la soumission
        (paramètre `download_name`, ex. « points-qpv.csv »), sinon celui du fichier résultat."""
        path = self.result_file
        return str(self.parameters.get("download_name") or (path.name if path else "resultat"))

    @property
    def result_file(self) -> Path | None:
        """Le fichier résultat s'il existe encore (ni purgé, ni partiel)."""
        if not self.result_path or self.files_purged_at is not None:
            return None
        path = Path(settings.VAR_DIR) / self.result_path
        return path if path.is_file() else None


class JobEvent(models.Model):
    """Une ligne du journal d'un traitement : chaque changement, qui, quand, pourquoi."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("le", auto_now_add=True)
    event = models.CharField("événement", max_length=30)
    from_state = models.CharField("état de départ", max_length=10, blank=True)
    to_state = models.CharField("état d'arrivée", max_length=10)
    message = models.TextField("message", blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField("auteur (libellé)", max_length=120, blank=True)

    class Meta:
        verbose_name = "événement de traitement"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.job_id} {self.from_state or '∅'} → {self.to_state} ({self.event})"


class Worker(models.Model):
    """Un processus `quartiers worker` et son pouls : sans pouls récent, il est tenu pour mort."""

    worker_id = models.CharField("identifiant", max_length=64, unique=True)
    hostname = models.CharField("machine", max_length=200, blank=True)
    pid = models.PositiveIntegerField("processus", default=0)
    started_at = models.DateTimeField("démarré le", auto_now_add=True)
    heartbeat_at = models.DateTimeField("dernier pouls")
    stopped_at = models.DateTimeField("arrêté le", null=True, blank=True)
    stop_reason = models.CharField("raison de l'arrêt", max_length=200, blank=True)

    class Meta:
        verbose_name = "travailleur"

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"
