from django.apps import AppConfig


class AddressesConfig(AppConfig):
    name = "quartiers.addresses"
    verbose_name = "Adresses (vérification, fichiers)"
    default_auto_field = "django.db.models.BigAutoField"
