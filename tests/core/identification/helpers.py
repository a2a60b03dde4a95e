"""Petites grilles faites à la main pour les tests du moteur."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import numpy as np

from quartiers.core.identification import (
    IdentificationInput,
    IdentificationParameters,
    IdentificationResult,
    identify,
)
from quartiers.core.identification.grid import CellGrid
from quartiers.core.identification.units import UrbanUnit

UU = "00001"
NATIONAL = Decimal(18750)
UU_MEDIAN = Decimal(20000)  # seuil : 0,6 × (0,7 × 18 750 + 0,3 × 20 000) = 11 475 → 11 500
THRESHOLD = 11500


def make_grid(
    cells: Mapping[tuple[int, int], tuple[float, float]], commune: str = "99001"
) -> CellGrid:
    """{(colonne, ligne): (population, médiane du carreau)} → grille LAEA à 200 m."""
    keys = list(cells)
    col = np.array([k[0] for k in keys], dtype=np.int64) + 15000
    row = np.array([k[1] for k in keys], dtype=np.int64) + 12000
    pop = np.array([cells[k][0] for k in keys], dtype=np.float64)
    med = np.array([cells[k][1] for k in keys], dtype=np.float64)
    return CellGrid(
        source="grille-test",
        crs="EPSG:3035",
        col=col,
        row=row,
        population=pop,
        median_income_per_cu=med,
        commune_index=np.zeros(len(keys), dtype=np.int32),
        communes=(commune,),
    )


def run_grid(
    cells: Mapping[tuple[int, int], tuple[float, float]],
    uu_population: int = 50_000,
    **overrides: object,
) -> IdentificationResult:
    params = IdentificationParameters.at(overrides=dict(overrides) if overrides else None)
    return identify(
        IdentificationInput(
            grid=make_grid(cells),
            urban_units={UU: UrbanUnit(UU, uu_population, UU_MEDIAN, "Unité de test")},
            composition={"99001": UU},
            national_median=NATIONAL,
            params=params,
        )
    )
