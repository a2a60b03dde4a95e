"""Unités urbaines et composition communale (fichiers INSEE ou formats simples).

- `--urban-units` : CSV avec `uu_code` (ou `UU2020`, `CODGEO`), `population`, et facultativement
  `median_income_per_cu` (ou `MED18`, `MED19`… des fichiers Filosofi) et `name` (`LIBUU2020`).
- `--uu-composition` : CSV avec `insee_code` (ou `CODGEO`) et `uu_code` (ou `UU2020`), comme
  `uu2020_composition_communale_geo2023.csv` de l'INSEE.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np

from quartiers.core.identification.errors import IdentificationError
from quartiers.core.identification.grid import numbers, read_csv_table


@dataclass(frozen=True)
class UrbanUnit:
    uu_code: str
    population: int | None
    median_income_per_cu: Decimal | None = None
    name: str = ""


def _column(names: list[str], *aliases: str, pattern: str | None = None) -> str | None:
    lowered = {n.lower().strip(): n for n in names}
    for alias in aliases:
        if alias in lowered:
            return lowered[alias]
    if pattern:
        for low, name in lowered.items():
            if re.fullmatch(pattern, low):
                return name
    return None


def read_urban_units(path: str | Path) -> dict[str, UrbanUnit]:
    """Lit la liste des unités urbaines ; erreur précise (fichier, ligne, champ)."""
    label = str(path)
    if not Path(path).exists():
        raise IdentificationError(label, "fichier introuvable")
    table = read_csv_table(Path(path))
    names = table.column_names
    code_col = _column(names, "uu_code", "uu2020", "codgeo")
    if code_col is None:
        raise IdentificationError(label, "colonne « uu_code » (ou UU2020) absente", field="uu_code")
    pop_col = _column(names, "population", pattern=r"p\d\d_pop|pmun\d*")
    if pop_col is None:
        raise IdentificationError(label, "colonne « population » absente", field="population")
    med_col = _column(names, "median_income_per_cu", pattern=r"med\d\d")
    name_col = _column(names, "name", "libuu2020", "libgeo")
    codes = [str(c).strip() for c in table.column(code_col).to_pylist()]
    pops = numbers(table.column(pop_col), label, pop_col)
    meds = numbers(table.column(med_col), label, med_col) if med_col else None
    labels = table.column(name_col).to_pylist() if name_col else [""] * len(codes)
    result: dict[str, UrbanUnit] = {}
    for i, code in enumerate(codes):
        if not code:
            raise IdentificationError(label, "code d'unité urbaine vide", row=i + 2, field=code_col)
        if code in result:
            raise IdentificationError(
                label, f"unité urbaine « {code} » en double", row=i + 2, field=code_col
            )
        pop = None if np.isnan(pops[i]) else round(float(pops[i]))
        if pop is not None and pop < 0:
            raise IdentificationError(
                label, "population positive attendue", row=i + 2, field=pop_col
            )
        med = None
        if meds is not None and not np.isnan(meds[i]):
            med = Decimal(str(meds[i])).quantize(Decimal("0.01"))
        result[code] = UrbanUnit(code, pop, med, str(labels[i] or ""))
    return result


def read_composition(path: str | Path) -> dict[str, str]:
    """Commune (code INSEE) → unité urbaine."""
    label = str(path)
    if not Path(path).exists():
        raise IdentificationError(label, "fichier introuvable")
    table = read_csv_table(Path(path))
    names = table.column_names
    insee_col = _column(names, "insee_code", "codgeo", "depcom")
    uu_col = _column(names, "uu_code", "uu2020")
    if insee_col is None:
        raise IdentificationError(
            label, "colonne « insee_code » (ou CODGEO) absente", field="insee_code"
        )
    if uu_col is None:
        raise IdentificationError(label, "colonne « uu_code » (ou UU2020) absente", field="uu_code")
    insee = table.column(insee_col).to_pylist()
    uus = table.column(uu_col).to_pylist()
    result: dict[str, str] = {}
    for i, (commune, uu) in enumerate(zip(insee, uus, strict=True)):
        commune = str(commune).strip()
        if not re.fullmatch(r"[0-9][0-9AB][0-9]{3}", commune):
            raise IdentificationError(
                label,
                f"code commune « {commune} » invalide (5 caractères INSEE attendus)",
                row=i + 2,
                field=insee_col,
            )
        result[commune] = str(uu).strip()
    return result
