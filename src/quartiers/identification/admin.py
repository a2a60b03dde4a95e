from django.contrib import admin

from quartiers.identification.models import IdentificationRun


@admin.register(IdentificationRun)
class IdentificationRunAdmin(admin.ModelAdmin[IdentificationRun]):
    list_display = ("name", "criterion", "quartier_count", "rejected_count", "created_at")
    exclude = ("map_svg", "quartiers_geojson")
