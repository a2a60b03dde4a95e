"""Fichiers d'adresses ou de points traités en arrière-plan, suivis par leur page."""

from __future__ import annotations

import uuid

from django.db import models


class JobStatus(models.TextChoices):
    PENDING = "pending", "en attente"
    RUNNING = "running", "en cours"
    DONE = "done", "terminé"
    FAILED = "failed", "échoué"


class Job(models.Model):
    """Un traitement long (fichier d'adresses ou de points) suivi par sa page."""

    token = models.UUIDField("jeton", default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField("traitement", max_length=30)
    status = models.CharField(
        "état", max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    input_name = models.CharField("fichier reçu", max_length=300)
    input_path = models.CharField("chemin d'entrée", max_length=500)
    result_path = models.CharField("chemin du résultat", max_length=500, blank=True)
    parameters = models.JSONField("paramètres", default=dict)
    progress = models.FloatField("avancement (0 à 1)", default=0)
    rows = models.PositiveIntegerField("lignes traitées", default=0)
    in_qpv = models.PositiveIntegerField("en QPV", default=0)
    outside = models.PositiveIntegerField("hors QPV", default=0)
    to_check = models.PositiveIntegerField("à vérifier", default=0)
    errors = models.PositiveIntegerField("en erreur", default=0)
    error_rows = models.JSONField("lignes en erreur (extraits)", default=list)
    message = models.TextField("message", blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)

    class Meta:
        verbose_name = "traitement"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.input_name} ({self.get_status_display()})"
