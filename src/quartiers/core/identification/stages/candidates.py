"""3. Les carreaux candidats : dans un territoire éligible, avec une donnée, retenus par le critère.

Le seuil du territoire est reporté sur chacun de ses carreaux : le critère (`Criterion.candidates`)
compare carreau par carreau, et le rognage réutilise ce seuil par carreau.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from quartiers.core.identification.criteria import Criterion
from quartiers.core.identification.grid import FloatArray
from quartiers.core.identification.stages.territories import Territories
from quartiers.core.identification.stages.thresholds import TerritoryThresholds


@dataclass(frozen=True)
class Candidates:
    cell_threshold: FloatArray  # seuil du territoire de chaque carreau (NaN : aucun)
    in_eligible: npt.NDArray[np.bool_]  # carreau d'un territoire éligible
    candidate: npt.NDArray[np.bool_]


def candidate_cells(
    territories: Territories,
    thresholds: TerritoryThresholds,
    criterion: Criterion,
    values: FloatArray,
) -> Candidates:
    """Les candidats : carreaux d'un territoire éligible dont la valeur passe sous le seuil."""
    cell_territory = territories.cell_territory
    n = len(cell_territory)
    cell_threshold = np.full(n, np.nan)
    inside = cell_territory >= 0
    cell_threshold[inside] = thresholds.per_territory[cell_territory[inside]]
    in_eligible = np.zeros(n, dtype=bool)
    in_eligible[inside] = thresholds.eligible[cell_territory[inside]]
    candidate = in_eligible & np.isfinite(values) & criterion.candidates(values, cell_threshold)
    return Candidates(cell_threshold, in_eligible, candidate)
