"""Critères de sélection, interchangeables : revenu médian (décret) ou part de ménages pauvres.

Un critère donne une valeur par carreau, dit quels carreaux sont candidats, quels carreaux de
bord sont « plus riches » (rognage), calcule la valeur d'un agrégat et la teste.

**Estimateur (médiane)** — avec des individus (`--incomes`), la médiane d'un agrégat est la
médiane pondérée exacte de leurs revenus par UC. Avec des résumés par carreau, c'est une
**estimation** : la médiane, pondérée par la population, des valeurs des carreaux (la médiane
du carreau si la grille la donne, sinon le niveau de vie moyen `ind_snv / ind` de la grille
publique, qui ne donne que des sommes). Médiane pondérée retenue : la plus petite valeur dont
le poids cumulé atteint la moitié du poids total (médiane « basse »).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from quartiers.core.identification.explain import median_test, poor_share_test
from quartiers.core.identification.grid import CellGrid, FloatArray, IntArray

BoolArray = npt.NDArray[np.bool_]


def grouped_weighted_median(
    groups: IntArray, values: FloatArray, weights: FloatArray, n_groups: int
) -> FloatArray:
    """Médiane pondérée (basse) de `values` par groupe, sans boucle Python (tri + cumul)."""
    result = np.full(n_groups, np.nan)
    ok = (groups >= 0) & np.isfinite(values) & (weights > 0)
    if not ok.any():
        return result
    g = groups[ok]
    v = values[ok]
    w = weights[ok]
    order = np.argsort(v, kind="stable")
    order = order[np.argsort(g[order], kind="stable")]
    g, v, w = g[order], v[order], w[order]
    totals = np.bincount(g, weights=w, minlength=n_groups)
    before = np.concatenate(([0.0], np.cumsum(totals)))[:-1]
    within = np.cumsum(w) - before[g]
    reach = within >= totals[g] * (0.5 - 1e-12)
    hit = np.flatnonzero(reach)
    first_groups, first_pos = np.unique(g[hit], return_index=True)
    result[first_groups] = v[hit[first_pos]]
    return result


class Criterion:
    """Interface commune ; les valeurs et seuils sont des tableaux alignés sur les carreaux."""

    name = ""
    label = ""
    estimated = False
    uses_income_threshold = True

    def cell_values(self) -> FloatArray:
        raise TypeError("critère abstrait")

    def candidates(self, values: FloatArray, thresholds: FloatArray) -> BoolArray:
        raise TypeError("critère abstrait")

    def rich(self, values: FloatArray, thresholds: FloatArray) -> BoolArray:
        raise TypeError("critère abstrait")

    def group_values(self, cells: IntArray, groups: IntArray, n_groups: int) -> FloatArray:
        raise TypeError("critère abstrait")

    def passes(self, values: FloatArray, thresholds: FloatArray) -> BoolArray:
        raise TypeError("critère abstrait")

    def explain(self, value: float, threshold: float) -> tuple[bool, str]:
        raise TypeError("critère abstrait")

    def describe_value(self, value: float) -> str:
        raise TypeError("critère abstrait")


@dataclass
class IndividualIncomes:
    """Revenus individuels par UC, rattachés à leur carreau (indices de la grille)."""

    cell: IntArray
    income_per_cu: FloatArray
    weight: FloatArray

    def __post_init__(self) -> None:
        order = np.argsort(self.cell, kind="stable")
        self.cell = self.cell[order]
        self.income_per_cu = self.income_per_cu[order]
        self.weight = self.weight[order]

    def gather(self, cells: IntArray) -> IntArray:
        """Indices des individus des carreaux donnés (dans l'ordre des carreaux)."""
        starts = np.searchsorted(self.cell, cells, side="left")
        ends = np.searchsorted(self.cell, cells, side="right")
        counts = ends - starts
        total = int(counts.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64)
        offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
        return np.arange(total, dtype=np.int64) + offsets


class MedianIncomeCriterion(Criterion):
    """Décret n° 2014-767, art. 2, I, 3° : revenu médian par UC strictement inférieur au seuil."""

    name = "median"
    label = "revenu médian par unité de consommation"

    def __init__(
        self, grid: CellGrid, incomes: IndividualIncomes | None = None, margin: Decimal = Decimal(0)
    ) -> None:
        self.grid = grid
        self.incomes = incomes
        self.margin = float(margin)
        self.estimated = incomes is None
        if incomes is None and grid.median_income_per_cu is None and grid.income_sum is None:
            raise ValueError(
                "la grille ne contient aucun revenu (ind_snv ou median_income_per_cu) et aucun "
                "fichier de revenus individuels n'est fourni : utilisez le critère poor-share "
                "ou --incomes"
            )
        self._values: FloatArray | None = None

    def cell_values(self) -> FloatArray:
        if self._values is None:
            grid = self.grid
            if self.incomes is not None:
                values = grouped_weighted_median(
                    self.incomes.cell, self.incomes.income_per_cu, self.incomes.weight, len(grid)
                )
            elif grid.median_income_per_cu is not None:
                values = grid.median_income_per_cu.copy()
            else:
                assert grid.income_sum is not None
                with np.errstate(divide="ignore", invalid="ignore"):
                    values = np.where(
                        grid.population > 0, grid.income_sum / grid.population, np.nan
                    )
            self._values = values
        return self._values

    def candidates(self, values: FloatArray, thresholds: FloatArray) -> BoolArray:
        with np.errstate(invalid="ignore"):
            return np.asarray(values < thresholds * (1.0 + self.margin))

    def rich(self, values: FloatArray, thresholds: FloatArray) -> BoolArray:
        with np.errstate(invalid="ignore"):
            return np.asarray(values >= thresholds)

    def group_values(self, cells: IntArray, groups: IntArray, n_groups: int) -> FloatArray:
        if self.incomes is not None:
            people = self.incomes.gather(cells)
            counts = np.searchsorted(self.incomes.cell, cells, side="right") - np.searchsorted(
                self.incomes.cell, cells, side="left"
            )
            people_groups = np.repeat(groups, counts)
            return grouped_weighted_median(
                people_groups,
                self.incomes.income_per_cu[people],
                self.incomes.weight[people],
                n_groups,
            )
        return grouped_weighted_median(
            groups, self.cell_values()[cells], self.grid.population[cells], n_groups
        )

    def passes(self, values: FloatArray, thresholds: FloatArray) -> BoolArray:
        with np.errstate(invalid="ignore"):
            return np.asarray(values < thresholds)

    def explain(self, value: float, threshold: float) -> tuple[bool, str]:
        return median_test(_money(value), _money(threshold), self.estimated)

    def describe_value(self, value: float) -> str:
        return "" if np.isnan(value) else str(_money(value))


class PoorShareCriterion(Criterion):
    """Part de ménages pauvres > 50 % (grilles sans revenus, comme La Réunion RFL 2010)."""

    name = "poor-share"
    label = "part de ménages pauvres"
    uses_income_threshold = False

    def __init__(self, grid: CellGrid, minimum: Decimal) -> None:
        if grid.households is None or grid.poor_households is None:
            raise ValueError(
                "le critère poor-share demande les colonnes de ménages (men, houhold) et de "
                "ménages pauvres (men_pauv, phouhold)"
            )
        self.grid = grid
        self.households = np.nan_to_num(grid.households)
        self.poor = np.nan_to_num(grid.poor_households)
        self.minimum = minimum
        self.estimated = grid.population_estimated

    def cell_values(self) -> FloatArray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.households > 0, self.poor / self.households, np.nan)

    def candidates(self, values: FloatArray, thresholds: FloatArray) -> BoolArray:
        with np.errstate(invalid="ignore"):
            return np.asarray(values > float(self.minimum))

    def rich(self, values: FloatArray, thresholds: FloatArray) -> BoolArray:
        with np.errstate(invalid="ignore"):
            return np.asarray(values <= float(self.minimum))

    def group_values(self, cells: IntArray, groups: IntArray, n_groups: int) -> FloatArray:
        poor = np.bincount(groups, weights=self.poor[cells], minlength=n_groups)
        households = np.bincount(groups, weights=self.households[cells], minlength=n_groups)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(households > 0, poor / households, np.nan)

    def passes(self, values: FloatArray, thresholds: FloatArray) -> BoolArray:
        with np.errstate(invalid="ignore"):
            return np.asarray(values > float(self.minimum))

    def explain(self, value: float, threshold: float) -> tuple[bool, str]:
        return poor_share_test(Decimal(str(round(value, 6))), self.minimum)

    def describe_value(self, value: float) -> str:
        return "" if np.isnan(value) else f"{value:.4f}"


def _money(value: float) -> Decimal:
    return Decimal(str(round(float(value), 2))).quantize(Decimal("1.00"))
