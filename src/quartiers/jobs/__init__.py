"""Traitements en arrière-plan : file de tâches durable, état visible, progression, journal.

Une seule tâche (`tasks.run_job`) exécute tout traitement d'après sa sorte (`kind`), inscrite
par `registry.register_kind`. Les appelants passent par `services.submit` / `cancel` /
`job_for`.
"""
