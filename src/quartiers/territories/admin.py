"""Administration des territoires de référence."""

from django.contrib import admin

from quartiers.territories.models import Commune, Department, Epci, Region, UrbanUnit


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin[Region]):
    list_display = ("region_code", "name", "zone")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ("department_code", "name", "region")


@admin.register(Epci)
class EpciAdmin(admin.ModelAdmin[Epci]):
    list_display = ("epci_siren", "name", "kind", "population", "source")
    search_fields = ("epci_siren", "name")


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin[Commune]):
    list_display = ("insee_code", "name", "kind", "population", "department", "epci", "source")
    list_filter = ("kind", "source")
    search_fields = ("insee_code", "name")
    raw_id_fields = ("epci",)


@admin.register(UrbanUnit)
class UrbanUnitAdmin(admin.ModelAdmin[UrbanUnit]):
    list_display = ("uu_code", "name", "vintage", "size_band", "commune_count", "source")
    search_fields = ("uu_code", "name")
