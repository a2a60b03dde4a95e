"""Une identification enregistrée : paramètres, résumé, carte et quartiers (GeoJSON WGS84)."""

from __future__ import annotations

from django.db import models


class IdentificationRun(models.Model):
    name = models.CharField("nom", max_length=200)
    created_at = models.DateTimeField("lancée le", auto_now_add=True)
    criterion = models.CharField("critère", max_length=20)
    source = models.CharField("grille", max_length=500)
    estimated = models.BooleanField("estimation", default=True)
    parameters = models.JSONField("paramètres", default=list)
    warnings = models.JSONField("avertissements", default=list)
    status_counts = models.JSONField("carreaux par statut", default=dict)
    thresholds = models.JSONField("seuils", default=list)
    aggregates = models.JSONField("agrégats (quartiers et rejets)", default=list)
    quartiers_geojson = models.JSONField("quartiers (GeoJSON WGS84)", default=dict)
    map_svg = models.TextField("carte SVG", blank=True)
    quartier_count = models.PositiveIntegerField("quartiers", default=0)
    rejected_count = models.PositiveIntegerField("agrégats rejetés", default=0)

    class Meta:
        verbose_name = "identification"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.created_at:%d/%m/%Y %H:%M})"
