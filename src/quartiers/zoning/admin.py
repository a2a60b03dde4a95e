"""Administration des éditions de zonage et de leurs périmètres."""

from django.contrib import admin

from quartiers.zoning.models import Perimeter, ZoningEdition


@admin.register(ZoningEdition)
class ZoningEditionAdmin(admin.ModelAdmin[ZoningEdition]):
    list_display = (
        "zoning_kind",
        "edition",
        "valid_from",
        "valid_to",
        "is_simulated",
        "imported_at",
    )


@admin.register(Perimeter)
class PerimeterAdmin(admin.ModelAdmin[Perimeter]):
    list_display = ("code", "name", "zoning_edition", "department_code", "population")
    list_filter = ("zoning_edition",)
    search_fields = ("code", "name")
    exclude = ("geometry_wkb",)
