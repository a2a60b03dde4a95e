from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "quartiers.accounts"
    label = "accounts"
    verbose_name = "Comptes et organisations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Les règles (django-rules) s'enregistrent à l'import du module.
        from quartiers.accounts import permissions  # noqa: F401
