from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "quartiers.funding"
    label = "funding"
    verbose_name = "Financements"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Les règles (django-rules) s'enregistrent à l'import du module.
        from quartiers.funding import permissions  # noqa: F401
