"""Export des paramètres au format d'OpenFisca (un fichier YAML par paramètre).

Format d'OpenFisca-France : `description`, `values: {AAAA-MM-JJ: {value: …}}`,
`metadata: {unit, reference: {date: [{title}]}, notes}`. Seuls les paramètres scalaires
(nombres, booléens, fermeture `null`) s'exportent ; les listes (valeurs permises, barèmes)
sont signalées comme non exportées.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from quartiers.core.params import Parameter, ParameterSet

UNITS = {"€": "currency-EUR", "€/an": "currency-EUR", "€/mois": "currency-EUR", "ratio": "/1"}


def parameter_to_openfisca(parameter: Parameter) -> dict[str, Any] | None:
    """Le paramètre au format OpenFisca, ou `None` s'il n'est pas scalaire."""
    values: dict[str, Any] = {}
    references: dict[str, list[dict[str, str]]] = {}
    notes: dict[str, dict[str, str]] = {}
    for entry in parameter.values:
        if isinstance(entry.value, list | tuple | dict):
            return None
        day = entry.valid_from.isoformat()
        values[day] = {"value": entry.value}
        references[day] = [{"title": entry.reference}]
        if entry.note:
            notes[day] = {"title": entry.note}
    metadata: dict[str, Any] = {"reference": references}
    if parameter.unit:
        metadata["unit"] = UNITS.get(parameter.unit, parameter.unit)
    if notes:
        metadata["notes"] = notes
    return {"description": parameter.description, "values": values, "metadata": metadata}


def export_parameters(params: ParameterSet, directory: str | Path) -> tuple[list[Path], list[str]]:
    """Écrit un fichier par paramètre scalaire ; renvoie les fichiers écrits et les noms ignorés."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    skipped: list[str] = []
    for parameter in params:
        doc = parameter_to_openfisca(parameter)
        if doc is None:
            skipped.append(parameter.name)
            continue
        path = directory / f"{parameter.name}.yaml"
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
        written.append(path)
    return written, skipped
