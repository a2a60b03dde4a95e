"""Sorte de traitement « identification » (chargée au démarrage par `jobs`)."""

from quartiers.identification.services import JOB_KIND, run_from_job
from quartiers.jobs.registry import register_kind

register_kind(JOB_KIND, run_from_job, "Identification des quartiers")
