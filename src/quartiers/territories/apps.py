from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "quartiers.territories"
    verbose_name = "Territoires de référence"
    default_auto_field = "django.db.models.BigAutoField"
