from django.apps import AppConfig


class ZoningConfig(AppConfig):
    name = "quartiers.zoning"
    verbose_name = "Zonages (éditions et périmètres)"
    default_auto_field = "django.db.models.BigAutoField"
