"""Tâches de Django (rétroportage django-tasks) : une pour tout traitement, une pour la purge."""

from __future__ import annotations

from typing import Any

from django_tasks import TaskContext, task

from quartiers.jobs import services


@task(takes_context=True)
def run_job(context: TaskContext, token: str) -> dict[str, Any]:
    """Exécute le traitement `token` d'après sa sorte (voir `registry.register_kind`)."""
    worker_ids = context.task_result.worker_ids
    worker_id = worker_ids[-1] if worker_ids else "inconnu"
    return services.execute(token, worker_id)


@task()
def purge_jobs() -> dict[str, Any]:
    """Supprime les fichiers des traitements expirés (lancée par le travailleur, chaque heure)."""
    return {"purged": services.purge_expired()}
