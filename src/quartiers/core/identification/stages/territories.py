"""1. Les territoires urbains : chaque carreau est placé dans sa commune, donc dans son territoire.

Métropole : le territoire est l'unité urbaine de la commune (composition communale) ; les
unités de moins de 10 000 habitants sont écartées à l'étape des seuils. Martinique et La Réunion
(décret n° 2014-1575) : le territoire est la commune. Une grille qui ne dit pas la commune de
ses carreaux forme un seul territoire, `GRILLE`, pour qu'on puisse tout de même la lire.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from quartiers.core.identification.grid import FloatArray, IntArray
from quartiers.core.identification.model import IdentificationInput

OVERSEAS_GRID_EPSG = (2975, 5490, 4559)
WHOLE_GRID = "GRILLE"


@dataclass(frozen=True)
class Territories:
    codes: list[str]  # le territoire n° t est `codes[t]`
    cell_territory: IntArray  # territoire de chaque carreau, -1 : hors territoire
    names: dict[str, str]
    population: FloatArray  # population de chaque territoire sur la grille
    warnings: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.codes)


def is_overseas(data: IdentificationInput) -> bool:
    """Règles de l'outre-mer : demandées, ou déduites de la projection de la grille."""
    return data.overseas if data.overseas is not None else data.grid.epsg in OVERSEAS_GRID_EPSG


def place_in_territories(data: IdentificationInput, overseas: bool) -> Territories:
    """Le territoire de chaque carreau ; `ValueError` sans composition communale en métropole."""
    warnings: list[str] = []
    codes, cell_territory, names = _territories(data, overseas, warnings)
    inside = cell_territory >= 0
    population = np.asarray(
        np.bincount(
            cell_territory[inside], weights=data.grid.population[inside], minlength=len(codes)
        ),
        dtype=np.float64,
    )
    return Territories(codes, cell_territory, names, population, tuple(warnings))


def _territories(
    data: IdentificationInput, overseas: bool, warnings: list[str]
) -> tuple[list[str], IntArray, dict[str, str]]:
    grid = data.grid
    n = len(grid)
    names = {code: unit.name for code, unit in data.urban_units.items()}
    if grid.commune_index is None:
        warnings.append(
            "la grille ne dit pas la commune de chaque carreau (lcog_geo) : toute la grille "
            "forme un seul territoire"
        )
        return [WHOLE_GRID], np.zeros(n, dtype=np.int64), {WHOLE_GRID: "grille entière"}
    if overseas:
        per_commune = list(grid.communes)
    else:
        if not data.composition:
            raise ValueError("composition communale des unités urbaines absente (--uu-composition)")
        per_commune = [data.composition.get(c, "") for c in grid.communes]
        unknown = [c for c, uu in zip(grid.communes, per_commune, strict=True) if not uu]
        if unknown:
            warnings.append(
                f"{len(unknown)} commune(s) de la grille absente(s) de la composition des unités "
                f"urbaines (ex. {', '.join(unknown[:5])}) : carreaux hors territoire urbain"
            )
    codes = sorted({c for c in per_commune if c})
    index = {c: i for i, c in enumerate(codes)}
    commune_to_territory = np.array([index.get(c, -1) for c in per_commune], dtype=np.int64)
    placed = grid.commune_index >= 0  # -1 : carreau hors de toute commune connue
    cell_territory = np.where(
        placed, commune_to_territory[np.maximum(grid.commune_index, 0)], -1
    ).astype(np.int64)
    return codes, cell_territory, names
