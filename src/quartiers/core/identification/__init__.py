"""Identification des quartiers prioritaires sur une grille de 200 m (décret n° 2014-767).

    from quartiers.core.identification import RunOptions, run
    result = run(RunOptions(grid=Path("grille.parquet"), urban_units=..., uu_composition=...))
    for q in result.quartiers:
        print(q.code, q.explanation)

Modules : `parameters` (la loi comme donnée), `thresholds` (formule du seuil), `grid` (lecture
des grilles), `units` (unités urbaines), `criteria` (critères interchangeables), `aggregate`
(moteur : `identify()`, qui enchaîne les étapes de `stages` — territoires, seuils, candidats,
agrégation, tests, rognage, explications), `model` (entrée, agrégats, résultat), `explain`
(phrases), `outputs` (fichiers), `report` (HTML), `compare` (éditions), `overseas` (méthodes du
décret n° 2014-1575 sur le recensement), `pipeline` (tout en un).
"""

from quartiers.core.identification.aggregate import (
    Aggregate,
    CellStatus,
    IdentificationInput,
    IdentificationResult,
    identify,
)
from quartiers.core.identification.errors import IdentificationError
from quartiers.core.identification.parameters import IdentificationParameters
from quartiers.core.identification.pipeline import RunOptions, run

__all__ = [
    "Aggregate",
    "CellStatus",
    "IdentificationError",
    "IdentificationInput",
    "IdentificationParameters",
    "IdentificationResult",
    "RunOptions",
    "identify",
    "run",
]
