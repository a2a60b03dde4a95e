from django.apps import AppConfig


class ObservatoryConfig(AppConfig):
    name = "quartiers.observatory"
    verbose_name = "Observatoire (indicateurs des QPV et de leurs territoires)"
    default_auto_field = "django.db.models.BigAutoField"
