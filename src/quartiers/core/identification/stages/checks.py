"""5. Les tests du décret sur chaque agrégat : population, densité (outre-mer), puis critère.

Tout est vectorisé sur l'ensemble des agrégats (`np.bincount`) : population ≥ 1 000, densité
≥ 2 000 hab./km² outre-mer, valeur du critère strictement sous le seuil. Le rognage ajoute des
agrégats (les morceaux) et les teste avec les mêmes fonctions ; les explications relisent les
mêmes statistiques.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from quartiers.core.identification.criteria import Criterion
from quartiers.core.identification.grid import CellGrid, FloatArray, IntArray
from quartiers.core.identification.parameters import IdentificationParameters
from quartiers.core.identification.stages.aggregation import Grouping
from quartiers.core.identification.stages.thresholds import TerritoryThresholds


def check_aggregates(
    grid: CellGrid,
    criterion: Criterion,
    params: IdentificationParameters,
    overseas: bool,
    grouping: Grouping,
    thresholds: TerritoryThresholds,
) -> Groups:
    """Les agrégats et leurs tests ; `only_criterion_fails()` désigne ceux à rogner."""
    groups = Groups(
        grid, criterion, params, overseas, grouping.group_territory, thresholds.per_territory
    )
    groups.evaluate(grouping.cell_group, grouping.count)
    return groups


class Groups:
    """Statistiques vectorisées des agrégats et tests."""

    def __init__(
        self,
        grid: CellGrid,
        criterion: Criterion,
        params: IdentificationParameters,
        overseas: bool,
        territory: IntArray,
        terr_threshold: FloatArray,
    ) -> None:
        self.grid = grid
        self.criterion = criterion
        self.params = params
        self.overseas = overseas
        self.territory = territory
        self.terr_threshold = terr_threshold
        self.count = len(territory)
        self.parent = np.arange(self.count, dtype=np.int64)

    def add(self, territory: IntArray, parent: IntArray) -> IntArray:
        start = self.count
        self.territory = np.concatenate((self.territory, territory))
        self.parent = np.concatenate((self.parent, parent))
        self.count = len(self.territory)
        return np.arange(start, self.count, dtype=np.int64)

    def stats(
        self, cells: IntArray, groups: IntArray
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """(population, carreaux, valeur du critère, seuil) par agrégat."""
        m = self.count
        pop = np.bincount(groups, weights=self.grid.population[cells], minlength=m)
        ncells = np.bincount(groups, minlength=m).astype(np.float64)
        value = self.criterion.group_values(cells, groups, m)
        thr = self.terr_threshold[self.territory] if len(self.territory) else np.zeros(0)
        return pop.astype(np.float64), ncells, value, thr

    def tests(
        self, pop: FloatArray, ncells: FloatArray, value: FloatArray, thr: FloatArray
    ) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
        area = ncells * (self.grid.cell_size / 1000.0) ** 2
        with np.errstate(divide="ignore", invalid="ignore"):
            density = np.where(area > 0, pop / area, 0.0)
        pop_ok = pop >= self.params.quartier_min_population
        dens_ok = (
            density >= self.params.overseas_min_density if self.overseas else np.ones_like(pop_ok)
        )
        crit_ok = self.criterion.passes(value, thr)
        return pop_ok, dens_ok, crit_ok

    def evaluate(self, cell_group: IntArray, count: int) -> None:
        self.count = count
        members = np.flatnonzero(cell_group >= 0)
        pop, ncells, value, thr = self.stats(members, cell_group[members])
        self.pop_ok, self.dens_ok, self.crit_ok = self.tests(pop, ncells, value, thr)

    def only_criterion_fails(self) -> IntArray:
        return np.flatnonzero(self.pop_ok & self.dens_ok & ~self.crit_ok)
