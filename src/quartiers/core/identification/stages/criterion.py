"""Le critère de l'identification et sa valeur pour chaque carreau.

Le décret retient le revenu médian ; la part de ménages pauvres n'est qu'un substitut pour les
grilles sans revenus, et le résultat le dit. Une population estimée (ménages × personnes par
ménage) est signalée dès ici, car elle pèse sur toutes les étapes suivantes.
"""

from __future__ import annotations

from dataclasses import dataclass

from quartiers.core.identification.criteria import (
    Criterion,
    MedianIncomeCriterion,
    PoorShareCriterion,
)
from quartiers.core.identification.explain import number
from quartiers.core.identification.grid import FloatArray
from quartiers.core.identification.model import IdentificationInput
from quartiers.core.identification.parameters import IdentificationParameters


@dataclass(frozen=True)
class ChosenCriterion:
    criterion: Criterion
    values: FloatArray  # valeur du critère par carreau (NaN : pas de donnée)
    warnings: tuple[str, ...]


def choose_criterion(
    data: IdentificationInput, params: IdentificationParameters
) -> ChosenCriterion:
    """Le critère demandé (`median` ou `poor-share`) ; `ValueError` pour tout autre nom."""
    grid = data.grid
    warnings: list[str] = []
    criterion: Criterion
    if data.criterion == "median":
        criterion = MedianIncomeCriterion(grid, data.incomes, params.candidate_margin)
    elif data.criterion == "poor-share":
        criterion = PoorShareCriterion(grid, params.poor_share_min)
        warnings.append(
            "critère « part de ménages pauvres » : critère de substitution pour une grille sans "
            "revenus, ce n'est pas le critère du décret (revenu médian)"
        )
    else:
        raise ValueError(f"critère « {data.criterion} » inconnu : median ou poor-share attendu")
    values = criterion.cell_values()
    if grid.population_estimated:
        warnings.append(
            f"population estimée : ménages × {number(params.persons_per_household, 1)} personnes par "
            "ménage (à vérifier)"
        )
    return ChosenCriterion(criterion, values, tuple(warnings))
