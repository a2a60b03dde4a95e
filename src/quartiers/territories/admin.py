from django.contrib import admin

from quartiers.territories.models import (
    Commune,
    Department,
    Epci,
    Job,
    Perimeter,
    Region,
    UrbanUnit,
    ZoningLayer,
)


@admin.register(ZoningLayer)
class ZoningLayerAdmin(admin.ModelAdmin):
    list_display = (
        "zoning_kind",
        "edition",
        "valid_from",
        "valid_to",
        "is_simulated",
        "imported_at",
    )


@admin.register(Perimeter)
class PerimeterAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "layer", "department_code", "population")
    list_filter = ("layer",)
    search_fields = ("code", "name")
    exclude = ("geometry_wkb",)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("region_code", "name", "zone")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("department_code", "name", "region")


@admin.register(Epci)
class EpciAdmin(admin.ModelAdmin):
    list_display = ("epci_siren", "name", "kind", "population", "source")
    search_fields = ("epci_siren", "name")


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ("insee_code", "name", "kind", "population", "department", "epci", "source")
    list_filter = ("kind", "source")
    search_fields = ("insee_code", "name")
    raw_id_fields = ("epci",)


@admin.register(UrbanUnit)
class UrbanUnitAdmin(admin.ModelAdmin):
    list_display = ("uu_code", "name", "vintage", "size_band", "commune_count", "source")
    search_fields = ("uu_code", "name")


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "input_name", "status", "rows", "in_qpv", "errors")
    list_filter = ("status", "kind")
