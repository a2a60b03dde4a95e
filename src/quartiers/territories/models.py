"""Territoires de référence : régions, départements, EPCI, communes, unités urbaines.

Découpage administratif d'Etalab (`@etalab/decoupage-administratif`) et unités urbaines de
l'INSEE (UU2020), chargés par `quartiers territories import` et `import-uu`.
"""

from __future__ import annotations

from django.db import models

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
