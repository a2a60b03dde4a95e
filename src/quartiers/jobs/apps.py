from __future__ import annotations

from importlib import import_module

from django.apps import AppConfig
from django.conf import settings
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    name = "quartiers.jobs"
    label = "jobs"
    verbose_name = "Traitements en arrière-plan"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Chaque application inscrit ses sortes de traitements dans son module `job_kinds`.
        autodiscover_modules("job_kinds")
        for module in getattr(settings, "QUARTIERS_JOB_EXTRA_MODULES", []):
            import_module(module.strip())
