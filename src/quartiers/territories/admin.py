from django.contrib import admin

from quartiers.territories.models import Perimeter, ZoningLayer


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
