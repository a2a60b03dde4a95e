from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "quartiers.programmes"
    verbose_name = "Dispositifs"
    default_auto_field = "django.db.models.BigAutoField"
