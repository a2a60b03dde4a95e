"""Sortes de traitements : `register_kind(kind, handler, label_fr)` et le contexte d'exécution.

Un gestionnaire (`handler`) reçoit un `JobContext` et rend un résumé (dict JSON). Il signale sa
progression par `context.progress(fraction, libellé)` ; c'est là que l'annulation demandée est
vue (`JobCancelled`) et que le pouls du traitement est donné. Échec attendu : `JobFailure`
(message français gardé) ; toute autre exception devient un message générique.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quartiers.core.jobs import JobCancelled


@dataclass
class JobContext:
    """Ce que voit un gestionnaire : paramètres, chemins, progression, annulation."""

    token: str
    kind: str
    parameters: Mapping[str, Any]
    folder: Path
    inputs: Mapping[str, Path]
    result_path: Path | None
    attempt: int
    _report: Callable[[float, str], bool] = field(repr=False)
    _cancel_check: Callable[[], bool] = field(repr=False)

    def input_path(self, name: str) -> Path:
        """Le chemin d'un fichier reçu à la soumission (clé donnée à `submit(files=…)`)."""
        return self.inputs[name]

    @property
    def output_dir(self) -> Path:
        """Dossier des sorties : vidé si le traitement échoue, est annulé ou reprend."""
        path = self.folder / "result"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def progress(self, fraction: float, label: str = "") -> None:
        """Avancement (0 à 1) et étape en français ; arrête le traitement si annulé."""
        if self._report(fraction, label):
            raise JobCancelled()

    def cancel_requested(self) -> bool:
        """Vrai si l'annulation a été demandée (lu en base, sans arrêter)."""
        return self._cancel_check()


Handler = Callable[[JobContext], Mapping[str, Any] | None]


@dataclass(frozen=True)
class JobKind:
    kind: str
    handler: Handler
    label: str
    result_name: str = ""


_KINDS: dict[str, JobKind] = {}


def register_kind(kind: str, handler: Handler, label_fr: str, result_name: str = "") -> JobKind:
    """Inscrit une sorte de traitement ; `result_name` : nom du fichier résultat sous `result/`.

    Appelée à l'import du module `job_kinds` d'une application (chargé par `JobsConfig.ready`).
    """
    entry = JobKind(kind, handler, label_fr, result_name)
    _KINDS[kind] = entry
    return entry


def get_kind(kind: str) -> JobKind | None:
    return _KINDS.get(kind)


def kinds() -> dict[str, JobKind]:
    return dict(_KINDS)


def kind_label(kind: str) -> str:
    entry = _KINDS.get(kind)
    return entry.label if entry else kind


@dataclass(frozen=True)
class PeriodicTask:
    """Une tâche de django-tasks que chaque travailleur met en file à intervalles réguliers."""

    name: str
    task: Any
    every: Callable[[], float]


_PERIODIC: dict[str, PeriodicTask] = {}


def register_periodic(name: str, task: Any, every: Callable[[], float]) -> PeriodicTask:
    """Inscrit une tâche périodique (`every` : l'intervalle en secondes, lu à chaque tour).

    Le travailleur la met en file au démarrage puis à chaque intervalle, sauf si elle attend
    déjà (comme la purge) ; la tâche elle-même doit être idempotente (plusieurs travailleurs).
    """
    entry = PeriodicTask(name, task, every)
    _PERIODIC[name] = entry
    return entry


def periodic_tasks() -> list[PeriodicTask]:
    return list(_PERIODIC.values())
