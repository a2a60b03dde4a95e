"""Sortes de traitements des fichiers d'adresses et de points (chargé au démarrage par `jobs`)."""

from quartiers.addresses.batch import JOB_KINDS, KIND_ADDRESSES, KIND_COORDINATES, run_batch_file
from quartiers.jobs.registry import register_kind

RESULT_NAME = "resultat.csv"

register_kind(
    JOB_KINDS[KIND_ADDRESSES], run_batch_file, "Fichier d'adresses", result_name=RESULT_NAME
)
register_kind(
    JOB_KINDS[KIND_COORDINATES], run_batch_file, "Fichier de coordonnées", result_name=RESULT_NAME
)
