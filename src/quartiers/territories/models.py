"""Zonages et périmètres.

Une couche de zonage (`ZoningLayer`) est une édition datée d'un zonage (QPV 2015, QPV 2024,
édition simulée…) ; elle porte des périmètres (`Perimeter`) stockés en WKB WGS84, sans
dépendre d'une extension spatiale de la base : l'index exact vit en mémoire.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import models


class ZoningKind(models.TextChoices):
    QPV = "qpv", "Quartier prioritaire de la politique de la ville (QPV)"
    QRR = "qrr", "Quartier de reconquête républicaine (QRR)"
    ZFU_TE = "zfu_te", "Zone franche urbaine – territoire entrepreneur (ZFU-TE)"
    ZRR = "zrr", "Zone de revitalisation rurale (ZRR)"
    REP = "rep", "Réseau d'éducation prioritaire (REP)"
    REP_PLUS = "rep_plus", "Réseau d'éducation prioritaire renforcé (REP+)"


class ZoningLayer(models.Model):
    zoning_kind = models.CharField("zonage", max_length=16, choices=ZoningKind.choices)
    edition = models.CharField("édition", max_length=32)
    valid_from = models.DateField("en vigueur du", null=True, blank=True)
    valid_to = models.DateField("en vigueur jusqu'au", null=True, blank=True)
    is_simulated = models.BooleanField("simulée", default=False)
    source = models.CharField("source", max_length=500, blank=True)
    source_crs = models.CharField("CRS d'origine", max_length=200, blank=True)
    repaired_count = models.PositiveIntegerField("géométries réparées", default=0)
    imported_at = models.DateTimeField("importée le", auto_now=True)

    class Meta:
        verbose_name = "couche de zonage"
        verbose_name_plural = "couches de zonage"
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
        if self.valid_from and on < self.valid_from:
            return False
        return not (self.valid_to and on > self.valid_to)


class Perimeter(models.Model):
    layer = models.ForeignKey(ZoningLayer, on_delete=models.CASCADE, related_name="perimeters")
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
            models.UniqueConstraint(fields=["layer", "code"], name="unique_perimeter_code"),
        ]
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def area_hectares(self) -> float:
        return self.area_m2 / 10_000


# --------------------------------------------------------------------------- territoires de référence
# Découpage administratif d'Etalab (`@etalab/decoupage-administratif`) et unités urbaines de
# l'INSEE (UU2020). Chargés par `quartiers territories import` et `import-uu`.

SOURCE_ETALAB = "etalab"
SOURCE_INSEE = "insee"
SOURCE_DEMO = "demo"


class Region(models.Model):
    region_code = models.CharField("code de région", max_length=3, unique=True)
    name = models.CharField("nom", max_length=200)
    zone = models.CharField("zone", max_length=10, blank=True)

    class Meta:
        verbose_name = "région"
        ordering = ["region_code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.region_code})"


class Department(models.Model):
    department_code = models.CharField("code de département", max_length=3, unique=True)
    name = models.CharField("nom", max_length=200)
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="departments")
    zone = models.CharField("zone", max_length=10, blank=True)

    class Meta:
        verbose_name = "département"
        ordering = ["department_code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.department_code})"


class Epci(models.Model):
    epci_siren = models.CharField("SIREN de l'EPCI", max_length=9, unique=True)
    name = models.CharField("nom", max_length=300)
    kind = models.CharField("nature", max_length=10, blank=True)
    financing = models.CharField("régime fiscal", max_length=10, blank=True)
    population = models.PositiveIntegerField("population totale", null=True, blank=True)
    municipal_population = models.PositiveIntegerField(
        "population municipale", null=True, blank=True
    )
    source = models.CharField("source", max_length=10, default=SOURCE_ETALAB)

    class Meta:
        verbose_name = "EPCI"
        verbose_name_plural = "EPCI"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.epci_siren})"


class Commune(models.Model):
    insee_code = models.CharField("code INSEE", max_length=5, db_index=True)
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type", max_length=30, default="commune-actuelle")
    population = models.PositiveIntegerField("population municipale", null=True, blank=True)
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="communes")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="communes")
    epci = models.ForeignKey(
        Epci, on_delete=models.SET_NULL, null=True, blank=True, related_name="communes"
    )
    parent_code = models.CharField("commune de rattachement", max_length=5, blank=True)
    siren = models.CharField("SIREN", max_length=9, blank=True)
    postcodes = models.JSONField("codes postaux", default=list)
    source = models.CharField("source", max_length=10, default=SOURCE_ETALAB)

    class Meta:
        verbose_name = "commune"
        ordering = ["insee_code"]
        constraints = [
            models.UniqueConstraint(fields=["insee_code", "kind"], name="unique_commune_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.insee_code})"


class UrbanUnit(models.Model):
    uu_code = models.CharField("code d'unité urbaine", max_length=5)
    vintage = models.CharField("millésime", max_length=10, default="uu2020")
    name = models.CharField("nom", max_length=300)
    size_band = models.PositiveSmallIntegerField("tranche de taille (2017)", null=True)
    detailed_band = models.PositiveSmallIntegerField("tranche détaillée (2017)", null=True)
    uu_type = models.CharField("type", max_length=10, blank=True)
    commune_count = models.PositiveIntegerField("nombre de communes", default=0)
    source = models.CharField("source", max_length=10, default=SOURCE_INSEE)

    class Meta:
        verbose_name = "unité urbaine"
        verbose_name_plural = "unités urbaines"
        ordering = ["uu_code"]
        constraints = [
            models.UniqueConstraint(fields=["vintage", "uu_code"], name="unique_uu_vintage"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.uu_code}, {self.vintage})"


class UrbanUnitMember(models.Model):
    """Une commune d'une unité urbaine, telle que l'INSEE la publie (géographie du fichier)."""

    urban_unit = models.ForeignKey(UrbanUnit, on_delete=models.CASCADE, related_name="members")
    insee_code = models.CharField("code INSEE", max_length=5, db_index=True)
    commune_name = models.CharField("commune", max_length=200)
    status = models.CharField("statut (C, B, I)", max_length=1)
    department_code = models.CharField("département", max_length=3, blank=True)
    region_code = models.CharField("région", max_length=3, blank=True)

    class Meta:
        verbose_name = "commune d'unité urbaine"
        ordering = ["insee_code"]
        constraints = [
            models.UniqueConstraint(fields=["urban_unit", "insee_code"], name="unique_uu_member"),
        ]


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
