"""Sortes de traitements des tests, chargées par le travailleur de test.

Le travailleur lancé en sous-processus les trouve par `QUARTIERS_JOB_EXTRA_MODULES`.
"""

from __future__ import annotations

import time
from typing import Any

from quartiers.core.jobs import JobFailure
from quartiers.jobs.registry import JobContext, register_kind


def slow(context: JobContext) -> dict[str, Any]:
    """Avance par étapes, écrit un résultat partiel au fil de l'eau (supprimé si annulé)."""
    steps = int(context.parameters.get("steps", 20))
    delay = float(context.parameters.get("delay", 0.1))
    assert context.result_path is not None
    context.output_dir  # crée le dossier  # noqa: B018
    with open(context.result_path, "w", encoding="utf-8") as out:
        for step in range(steps):
            out.write(f"étape {step}\n")
            out.flush()
            context.progress(step / steps, f"étape {step + 1} sur {steps}")
            time.sleep(delay)
    return {"steps": steps, "attempt": context.attempt, "message": f"{steps} étapes faites."}


def echo(context: JobContext) -> dict[str, Any]:
    """Relit le fichier reçu et rend ses lignes : vérifie les chemins et paramètres."""
    text = context.input_path("data").read_text(encoding="utf-8")
    assert context.result_path is not None
    context.output_dir  # noqa: B018
    context.result_path.write_text(text.upper(), encoding="utf-8")
    context.progress(1.0, "fini")
    return {"lines": len(text.splitlines()), "label": context.parameters.get("label")}


def failing(context: JobContext) -> dict[str, Any]:
    context.progress(0.5, "lecture")
    raise JobFailure("ligne 3 : colonne « lon » vide", {"line": 3})


def crashing(context: JobContext) -> dict[str, Any]:
    raise RuntimeError("détail interne secret /etc/passwd")


register_kind("test.slow", slow, "Traitement lent (test)", result_name="lent.txt")
register_kind("test.echo", echo, "Écho (test)", result_name="echo.txt")
register_kind("test.fail", failing, "Échec attendu (test)")
register_kind("test.crash", crashing, "Erreur interne (test)")
