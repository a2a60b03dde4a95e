from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "quartiers.web"
    verbose_name = "Pages web"
