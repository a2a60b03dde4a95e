"""2. Le seuil de bas revenus de chaque territoire, et s'il est éligible.

La formule est dans `quartiers.core.identification.thresholds` ; cette étape réunit ses entrées :
la médiane nationale (métropolitaine outre-mer), la médiane de l'unité urbaine ou celle du
département, et la population du territoire. Une médiane ou une population absente est calculée
sur la grille, et le seuil est alors marqué estimé : on peut toujours lancer le calcul, jamais
sans le savoir. Le critère « part de ménages pauvres » n'a pas de seuil en euros, seulement la
condition de territoire urbain.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from quartiers.core.identification.criteria import Criterion, grouped_weighted_median
from quartiers.core.identification.explain import ESTIMATION, euros, people
from quartiers.core.identification.grid import FloatArray
from quartiers.core.identification.model import IdentificationInput
from quartiers.core.identification.parameters import IdentificationParameters
from quartiers.core.identification.stages.territories import WHOLE_GRID, Territories
from quartiers.core.identification.thresholds import (
    Threshold,
    overseas_threshold,
    urban_unit_threshold,
)


@dataclass(frozen=True)
class TerritoryThresholds:
    by_code: dict[str, Threshold]  # le seuil expliqué de chaque territoire
    national_median: Decimal | None
    per_territory: FloatArray  # seuil numérique par territoire (NaN : aucun)
    eligible: npt.NDArray[np.bool_]  # territoire où l'on cherche des quartiers
    warnings: tuple[str, ...]


def territory_thresholds(
    data: IdentificationInput,
    territories: Territories,
    criterion: Criterion,
    values: FloatArray,
    params: IdentificationParameters,
    overseas: bool,
) -> TerritoryThresholds:
    """Seuil et éligibilité de chaque territoire, médianes absentes calculées sur la grille."""
    warnings: list[str] = []
    national = data.national_median
    if criterion.uses_income_threshold and national is None:
        national = _grid_median(data, values)
        warnings.append(
            f"médiane nationale non fournie : {euros(national)} calculée sur la grille "
            f"({ESTIMATION})"
        )
    local_medians = _local_medians(data, territories, criterion, values, overseas)
    department_median = data.department_median
    if overseas and criterion.uses_income_threshold and department_median is None:
        department_median = _grid_median(data, values)
        warnings.append(
            f"médiane du département non fournie : {euros(department_median)} calculée sur la "
            f"grille ({ESTIMATION})"
        )
    thresholds: dict[str, Threshold] = {}
    per_territory = np.full(territories.count, np.nan)
    eligible = np.zeros(territories.count, dtype=bool)
    for t, code in enumerate(territories.codes):
        unit = data.urban_units.get(code)
        pop_estimated = unit is None or unit.population is None
        population = (
            unit.population
            if unit is not None and unit.population is not None
            else int(np.rint(territories.population[t]))
        )
        if overseas:
            th = _overseas_territory(
                code, population, pop_estimated, national, department_median, criterion, params
            )
        elif criterion.uses_income_threshold:
            assert national is not None
            median = unit.median_income_per_cu if unit is not None else None
            med_est = median is None
            if median is None and not np.isnan(local_medians[t]):
                median = money(local_medians[t])
            th = urban_unit_threshold(
                code, population, median, national, params, estimated=med_est or pop_estimated
            )
        else:
            th = _without_income_threshold(code, population, pop_estimated, params)
        if code == WHOLE_GRID:
            th = _whole_grid(th)
        thresholds[code] = th
        eligible[t] = th.eligible and (
            th.low_income_threshold is not None or not criterion.uses_income_threshold
        )
        if th.low_income_threshold is not None:
            per_territory[t] = float(th.low_income_threshold)
    return TerritoryThresholds(thresholds, national, per_territory, eligible, tuple(warnings))


def money(value: float) -> Decimal:
    """Un montant calculé, au centime, pour les formules en `Decimal`."""
    return Decimal(str(round(float(value), 2))).quantize(Decimal("1.00"))


def _grid_median(data: IdentificationInput, values: FloatArray) -> Decimal:
    """La médiane de toute la grille, pondérée par la population (médiane de référence absente)."""
    grid = data.grid
    one_group = np.zeros(len(grid), dtype=np.int64)
    return money(grouped_weighted_median(one_group, values, grid.population, 1)[0])


def _local_medians(
    data: IdentificationInput,
    territories: Territories,
    criterion: Criterion,
    values: FloatArray,
    overseas: bool,
) -> FloatArray:
    """La médiane de chaque territoire sur la grille, calculée seulement si une unité urbaine
    n'a pas la sienne (métropole, critère de revenu)."""
    needed = (
        criterion.uses_income_threshold
        and not overseas
        and any(
            (
                data.urban_units.get(code) is None
                or data.urban_units[code].median_income_per_cu is None
            )
            for code in territories.codes
        )
    )
    if not needed:
        return np.full(territories.count, np.nan)
    return grouped_weighted_median(
        territories.cell_territory, values, data.grid.population, territories.count
    )


def _without_income_threshold(
    code: str, population: int, pop_estimated: bool, params: IdentificationParameters
) -> Threshold:
    """Critère « part de ménages pauvres » : la seule condition de territoire urbain."""
    th = urban_unit_threshold(code, population, Decimal(0), Decimal(0), params, pop_estimated)
    return Threshold(
        th.uu_code,
        th.population,
        th.rounded_population,
        th.eligible,
        None,
        Decimal(0),
        None,
        None,
        "",
        th.reason.split(", seuil")[0]
        + (
            f" ; critère : part de ménages pauvres > {params.poor_share_min}" if th.eligible else ""
        ),
        th.estimated,
    )


def _whole_grid(th: Threshold) -> Threshold:
    """La grille entière (sans communes) : territoire retenu d'office, et marqué estimé."""
    return replace(
        th,
        eligible=True,
        reason="aucune commune sur les carreaux : la grille entière forme un seul territoire "
        "(condition de territoire urbain non vérifiée)",
        estimated=True,
    )


def _overseas_territory(
    code: str,
    population: int,
    pop_estimated: bool,
    metro: Decimal | None,
    department: Decimal | None,
    criterion: Criterion,
    params: IdentificationParameters,
) -> Threshold:
    """Martinique et La Réunion : commune d'au moins 15 000 habitants, seuil pondéré 0,3 / 0,7."""
    eligible = population >= params.overseas_commune_min_population
    reason = (
        f"commune de {people(population)} habitants "
        + ("≥" if eligible else "<")
        + f" {people(params.overseas_commune_min_population)} (décret n° 2014-1575, art. 1, 1°)"
    )
    value = raw = None
    formula = ""
    if criterion.uses_income_threshold and metro is not None and department is not None:
        value, raw, formula = overseas_threshold(metro, department, params)
        reason += f", seuil {euros(value)}"
    return Threshold(
        code,
        population,
        population,
        eligible,
        department,
        metro or Decimal(0),
        value if eligible else None,
        raw,
        formula,
        reason,
        pop_estimated,
    )
