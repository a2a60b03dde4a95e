"""Indicateurs importés : un millésime par fichier (source, thème, année, niveau), une ligne par
territoire avec ses valeurs (texte décimal exact, vide = secret statistique) et ses drapeaux."""

from __future__ import annotations

from django.db import models


class IndicatorSource(models.Model):
    """Un millésime importé : réimporter le même (source, thème, année, niveau) le remplace."""

    source = models.CharField("source", max_length=60)
    theme = models.CharField("thème ou fichier", max_length=60)
    year = models.PositiveSmallIntegerField("millésime")
    level = models.CharField("niveau", max_length=20)
    file_name = models.CharField("fichier", max_length=300)
    zoning_edition = models.CharField("édition des QPV", max_length=32, blank=True)
    indicators = models.JSONField("indicateurs du fichier", default=list)
    row_count = models.PositiveIntegerField("lignes", default=0)
    imported_at = models.DateTimeField("importé le", auto_now=True)

    class Meta:
        verbose_name = "millésime d'indicateurs"
        verbose_name_plural = "millésimes d'indicateurs"
        ordering = ["source", "theme", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "theme", "year", "level"], name="unique_indicator_vintage"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.theme} {self.year} ({self.level})"


class TerritoryIndicators(models.Model):
    """Les valeurs d'un territoire dans un millésime (JSON : code → texte décimal ou null)."""

    indicator_source = models.ForeignKey(
        IndicatorSource, on_delete=models.CASCADE, related_name="rows"
    )
    level = models.CharField("niveau", max_length=20)
    code = models.CharField("code du territoire", max_length=16)
    name = models.CharField("nom", max_length=300, blank=True)
    values = models.JSONField("valeurs", default=dict)
    flags = models.JSONField("drapeaux de qualité (NOTE_*)", default=dict)
    texts = models.JSONField("libellés", default=dict)

    class Meta:
        verbose_name = "indicateurs d'un territoire"
        verbose_name_plural = "indicateurs des territoires"
        constraints = [
            models.UniqueConstraint(
                fields=["indicator_source", "level", "code"], name="unique_territory_in_vintage"
            )
        ]
        indexes = [models.Index(fields=["level", "code"], name="observatory_territory_idx")]
