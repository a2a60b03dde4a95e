"""Une identification complète à partir de fichiers : la porte commune du CLI, du web et des tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from quartiers.core.identification.aggregate import (
    IdentificationInput,
    IdentificationResult,
    ProgressFn,
    identify,
)
from quartiers.core.identification.criteria import IndividualIncomes
from quartiers.core.identification.grid import (
    place_in_communes,
    read_grid,
    read_individual_incomes,
)
from quartiers.core.identification.parameters import IdentificationParameters
from quartiers.core.identification.units import read_composition, read_urban_units


@dataclass(frozen=True)
class RunOptions:
    grid: Path
    urban_units: Path | None = None
    uu_composition: Path | None = None
    incomes: Path | None = None
    communes: Path | None = None
    national_median: Decimal | None = None
    department_median: Decimal | None = None
    criterion: str = "median"
    contiguity: int | None = None
    crs: str | None = None
    overseas: bool | None = None
    on: dt.date | None = None
    overrides: Mapping[str, object] | None = None


def run(options: RunOptions, progress: ProgressFn | None = None) -> IdentificationResult:
    """Lit les fichiers, applique la méthode ; `IdentificationError` si une entrée est fautive."""
    overrides = dict(options.overrides or {})
    if options.contiguity is not None:
        overrides["contiguity"] = options.contiguity
    params = IdentificationParameters.at(options.on, overrides)
    grid = read_grid(
        options.grid, crs=options.crs, persons_per_household=float(params.persons_per_household)
    )
    if options.communes:
        place_in_communes(grid, options.communes)
    units = read_urban_units(options.urban_units) if options.urban_units else {}
    composition = read_composition(options.uu_composition) if options.uu_composition else {}
    incomes = None
    if options.incomes:
        cell, income, weight = read_individual_incomes(options.incomes, grid)
        incomes = IndividualIncomes(cell, income, weight)
    return identify(
        IdentificationInput(
            grid=grid,
            urban_units=units,
            composition=composition,
            national_median=options.national_median,
            department_median=options.department_median,
            criterion=options.criterion,
            incomes=incomes,
            overseas=options.overseas,
            params=params,
        ),
        progress=progress,
    )
