from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "quartiers.funding"
    label = "funding"
    verbose_name = "Financements"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Les règles (django-rules) s'enregistrent à l'import du module.
        from django.conf import settings

        from quartiers.funding import permissions  # noqa: F401
        from quartiers.funding.tasks import remind_complements
        from quartiers.jobs.registry import register_periodic

        # Rappels et retards des demandes de compléments, mis en file par chaque travailleur.
        register_periodic(
            "funding.remind_complements",
            remind_complements,
            lambda: float(settings.QUARTIERS_FUNDING_REMINDER_SECONDS),
        )
