"""Zonages et périmètres.

Une édition de zonage (`ZoningEdition` : QPV 2015, QPV 2024, édition simulée…) est datée ;
elle porte des périmètres (`Perimeter`) stockés en WKB WGS84, sans dépendre d'une extension
spatiale de la base : l'index exact vit en mémoire (`quartiers.core.geo.zoning`).
"""

from __future__ import annotations

import datetime as dt

from django.db import models

from quartiers.core.geo.zoning import in_force


class ZoningKind(models.TextChoices):
    QPV = "qpv", "Quartier prioritaire de la politique de la ville (QPV)"
    QRR = "qrr", "Quartier de reconquête républicaine (QRR)"
    ZFU_TE = "zfu_te", "Zone franche urbaine – territoire entrepreneur (ZFU-TE)"
    ZRR = "zrr", "Zone de revitalisation rurale (ZRR)"
    REP = "rep", "Réseau d'éducation prioritaire (REP)"
    REP_PLUS = "rep_plus", "Réseau d'éducation prioritaire renforcé (REP+)"
    COMMUNE = "commune", "Contours des communes (pour situer un point en ZRR)"


class ZoningEdition(models.Model):
    zoning_kind = models.CharField("zonage", max_length=16, choices=ZoningKind.choices)
    edition = models.CharField("édition", max_length=32)
    valid_from = models.DateField("en vigueur du", null=True, blank=True)
    valid_to = models.DateField("en vigueur jusqu'au", null=True, blank=True)
    is_simulated = models.BooleanField("simulée", default=False)
    source = models.CharField("source", max_length=500, blank=True)
    reference = models.CharField("référence (texte, liste)", max_length=500, blank=True)
    source_crs = models.CharField("CRS d'origine", max_length=200, blank=True)
    repaired_count = models.PositiveIntegerField("géométries réparées", default=0)
    imported_at = models.DateTimeField("importée le", auto_now=True)

    class Meta:
        verbose_name = "édition de zonage"
        verbose_name_plural = "éditions de zonage"
        constraints = [
            models.UniqueConstraint(
                fields=["zoning_kind", "edition"], name="unique_zoning_edition"
            ),
        ]
        ordering = ["zoning_kind", "valid_from", "edition"]

    def __str__(self) -> str:
        return f"{self.get_zoning_kind_display()} — édition {self.edition}"

    def is_in_force(self, on: dt.date) -> bool:
        """Vrai si l'édition est en vigueur à cette date (bornes incluses)."""
        return in_force(self, on)


class Perimeter(models.Model):
    zoning_edition = models.ForeignKey(
        ZoningEdition, on_delete=models.CASCADE, related_name="perimeters"
    )
    code = models.CharField("code", max_length=32)
    name = models.CharField("nom", max_length=300)
    insee_codes = models.JSONField("communes (codes INSEE)", default=list)
    commune_names = models.JSONField("communes (noms)", default=list)
    department_code = models.CharField("département", max_length=3, blank=True, db_index=True)
    region_code = models.CharField("région", max_length=3, blank=True)
    epci_siren = models.CharField("EPCI", max_length=9, blank=True)
    uu_code = models.CharField("unité urbaine", max_length=5, blank=True)
    population = models.PositiveIntegerField("population", null=True, blank=True)
    geometry_wkb = models.BinaryField("géométrie (WKB, WGS84)")
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    area_m2 = models.FloatField("surface (m²)", default=0)

    class Meta:
        verbose_name = "périmètre"
        constraints = [
            models.UniqueConstraint(
                fields=["zoning_edition", "code"], name="unique_perimeter_code"
            ),
        ]
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def area_hectares(self) -> float:
        return self.area_m2 / 10_000


class ZrrStatusChoice(models.TextChoices):
    CLASSEE = "C", "Classée en ZRR"
    NON_CLASSEE = "NC", "Non classée"
    PARTIELLE = "PC", "Partiellement classée"


class ZrrCommune(models.Model):
    """Le classement ZRR d'une commune dans une édition (zonage `zrr`)."""

    zoning_edition = models.ForeignKey(
        ZoningEdition, on_delete=models.CASCADE, related_name="zrr_communes"
    )
    insee_code = models.CharField("code INSEE", max_length=5)
    status = models.CharField("classement", max_length=2, choices=ZrrStatusChoice.choices)

    class Meta:
        verbose_name = "commune en ZRR"
        verbose_name_plural = "communes en ZRR"
        constraints = [
            models.UniqueConstraint(
                fields=["zoning_edition", "insee_code"], name="unique_zrr_commune"
            ),
        ]
        ordering = ["insee_code"]

    def __str__(self) -> str:
        return f"{self.insee_code} {self.status}"


class PrioritySchool(models.Model):
    """Une école ou un collège d'un réseau d'éducation prioritaire (zonage `rep`)."""

    zoning_edition = models.ForeignKey(
        ZoningEdition, on_delete=models.CASCADE, related_name="schools"
    )
    uai = models.CharField("UAI", max_length=8)
    name = models.CharField("nom", max_length=300)
    lon = models.FloatField("longitude")
    lat = models.FloatField("latitude")
    network = models.CharField("réseau", max_length=4, choices=[("REP", "REP"), ("REP+", "REP+")])

    class Meta:
        verbose_name = "école en éducation prioritaire"
        verbose_name_plural = "écoles en éducation prioritaire"
        constraints = [
            models.UniqueConstraint(fields=["zoning_edition", "uai"], name="unique_school_uai"),
        ]
        ordering = ["uai"]

    def __str__(self) -> str:
        return f"{self.uai} {self.name} ({self.network})"
