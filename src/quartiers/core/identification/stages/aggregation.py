"""4. Les agrégats : les candidats contigus, reliés par-dessus les cases vides, et leurs enclaves.

Tous les candidats sont tramés d'un coup quand l'emprise le permet (un seul `ndimage.label`,
bien plus rapide), sinon territoire par territoire ; le résultat est le même. Un agrégat ne
franchit jamais la limite d'un territoire. Avec `absorb_enclaves`, un carreau habité non
candidat entièrement entouré par un agrégat (un trou de la trame) lui est rattaché.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import ndimage

from quartiers.core.identification.grid import CellGrid, FloatArray, IntArray
from quartiers.core.identification.parameters import IdentificationParameters
from quartiers.core.identification.stages.candidates import Candidates
from quartiers.core.identification.stages.labelling import Labeller, hole_owners, structure
from quartiers.core.identification.stages.territories import Territories
from quartiers.core.identification.stages.thresholds import TerritoryThresholds

MAX_RASTER_CELLS = 150_000_000  # ≈ 1,2 Go de trames au plus ; au-delà, territoire par territoire


def _raster_area(grid: CellGrid, cells: IntArray, params: IdentificationParameters) -> int:
    pad = 2 * (1 + params.bridge_cells)
    height = int(grid.row[cells].max() - grid.row[cells].min()) + 1 + pad
    width = int(grid.col[cells].max() - grid.col[cells].min()) + 1 + pad
    return height * width


@dataclass(frozen=True)
class Grouping:
    """Les agrégats numérotés 0..count-1 ; `cell_group` est ensuite modifié par le rognage."""

    cell_group: IntArray  # agrégat de chaque carreau, -1 : aucun
    group_territory: IntArray  # territoire de chaque agrégat
    count: int
    enclave: npt.NDArray[np.bool_]  # carreau non candidat rattaché à l'agrégat qui l'entoure


def aggregate_candidates(
    grid: CellGrid,
    labeller: Labeller,
    params: IdentificationParameters,
    territories: Territories,
    thresholds: TerritoryThresholds,
    candidates: Candidates,
    values: FloatArray,
) -> Grouping:
    """Une trame unique quand l'emprise le permet, sinon territoire par territoire."""
    enclave = np.zeros(len(grid), dtype=bool)
    cand_idx = np.flatnonzero(candidates.candidate)
    if len(cand_idx) and _raster_area(grid, cand_idx, params) <= MAX_RASTER_CELLS:
        cell_group, g_terr = _label_global(
            grid,
            labeller,
            params,
            cand_idx,
            territories.cell_territory,
            candidates.in_eligible,
            values,
            enclave,
        )
        return Grouping(cell_group, g_terr, len(g_terr), enclave)
    cell_group, g_terr = _label_per_territory(
        grid, labeller, params, territories, thresholds.eligible, candidates, values, enclave
    )
    return Grouping(cell_group, g_terr, len(g_terr), enclave)


def _label_per_territory(
    grid: CellGrid,
    labeller: Labeller,
    params: IdentificationParameters,
    territories: Territories,
    eligible: npt.NDArray[np.bool_],
    candidates: Candidates,
    values: FloatArray,
    enclave: npt.NDArray[np.bool_],
) -> tuple[IntArray, IntArray]:
    """Repli au-delà de `MAX_RASTER_CELLS` : une trame par territoire éligible."""
    n = len(grid)
    cell_territory = territories.cell_territory
    candidate = candidates.candidate
    n_terr = territories.count
    cell_group = np.full(n, -1, dtype=np.int64)
    group_territory: list[int] = []
    order = np.argsort(cell_territory, kind="stable")
    bounds = np.searchsorted(cell_territory[order], np.arange(n_terr + 1))
    eligible_ids = [t for t in range(n_terr) if eligible[t]]
    next_group = 0
    for t in eligible_ids:
        members = order[bounds[t] : bounds[t + 1]]
        cand = members[candidate[members]]
        if len(cand):
            labels, count = _label_territory(grid, labeller, params, members, cand, values, enclave)
            in_group = labels >= 0
            cell_group[members[in_group]] = labels[in_group] + next_group
            group_territory.extend([t] * count)
            next_group += count
    return cell_group, np.asarray(group_territory, dtype=np.int64)


def _label_global(
    grid: CellGrid,
    labeller: Labeller,
    params: IdentificationParameters,
    cand: IntArray,
    cell_territory: IntArray,
    cell_ok: npt.NDArray[np.bool_],
    values: FloatArray,
    enclave: npt.NDArray[np.bool_],
) -> tuple[IntArray, IntArray]:
    """Tous les candidats sur une trame : un seul `ndimage.label`, puis séparation par territoire.

    Une composante qui chevauche plusieurs territoires (rare : deux unités urbaines qui se
    touchent) est ré-étiquetée territoire par territoire, pour qu'un agrégat ne franchisse
    jamais la limite d'une unité urbaine.
    """
    n = len(grid)
    n_terr = int(cell_territory.max()) + 1
    pad = 1 + params.bridge_cells
    c0 = int(grid.col[cand].min()) - pad
    r0 = int(grid.row[cand].min()) - pad
    shape = (
        int(grid.row[cand].max()) - r0 + 1 + pad,
        int(grid.col[cand].max()) - c0 + 1 + pad,
    )
    r = grid.row[cand] - r0
    c = grid.col[cand] - c0
    comp, _count, raster = labeller.label(r, c, shape, c0, r0)
    terr = cell_territory[cand]
    pair = comp * n_terr + terr
    pairs, pair_index = np.unique(pair, return_inverse=True)
    pair_comp = pairs // n_terr
    shared_comp = np.bincount(pair_comp) > 1
    group_of_pair = np.arange(len(pairs), dtype=np.int64)
    group_terr = (pairs % n_terr).astype(np.int64)
    cand_group = group_of_pair[pair_index]
    split = np.flatnonzero(shared_comp[pair_comp])
    if len(split):
        extra_terr: list[int] = []
        next_id = len(pairs)
        for p in split.tolist():
            sel = np.flatnonzero(pair_index == p)
            cells = cand[sel]
            lc0 = int(grid.col[cells].min()) - pad
            lr0 = int(grid.row[cells].min()) - pad
            lshape = (
                int(grid.row[cells].max()) - lr0 + 1 + pad,
                int(grid.col[cells].max()) - lc0 + 1 + pad,
            )
            labels, count, _r = labeller.label(
                grid.row[cells] - lr0, grid.col[cells] - lc0, lshape, lc0, lr0
            )
            cand_group[sel] = labels + next_id
            extra_terr.extend([int(group_terr[p])] * count)
            next_id += count
        group_terr = np.concatenate((group_terr, np.asarray(extra_terr, dtype=np.int64)))
    # Numérotation compacte des agrégats effectivement présents.
    used, cand_group = np.unique(cand_group, return_inverse=True)
    group_terr = group_terr[used]
    cell_group = np.full(n, -1, dtype=np.int64)
    cell_group[cand] = cand_group
    if params.absorb_enclaves:
        fg = raster > 0
        background = structure(8 if params.contiguity == 4 else 4)
        bg_labels, _n = ndimage.label(~fg, structure=background)
        outside = bg_labels[0, 0]
        others = np.flatnonzero(cell_ok & (cell_group < 0) & np.isfinite(values))
        orow = grid.row[others] - r0
        ocol = grid.col[others] - c0
        inside = (orow >= 0) & (ocol >= 0) & (orow < shape[0]) & (ocol < shape[1])
        others, orow, ocol = others[inside], orow[inside], ocol[inside]
        hole_id = bg_labels[orow, ocol]
        in_hole = (hole_id > 0) & (hole_id != outside)
        others, hole_id = others[in_hole], hole_id[in_hole]
        if len(others):
            owner_of = hole_owners(raster, bg_labels, np.unique(hole_id))
            # Étiquette de trame → agrégat, seulement pour les composantes d'un seul territoire.
            comp_to_group = np.full(int(raster.max()) + 1, -1, dtype=np.int64)
            single = ~shared_comp[comp]
            comp_to_group[raster[r[single], c[single]]] = cand_group[single]
            owner = comp_to_group[owner_of[hole_id]]
            ok = owner >= 0
            ok[ok] &= group_terr[owner[ok]] == cell_territory[others[ok]]
            cell_group[others[ok]] = owner[ok]
            enclave[others[ok]] = True
    return cell_group, group_terr


def _label_territory(
    grid: CellGrid,
    labeller: Labeller,
    params: IdentificationParameters,
    members: IntArray,
    cand: IntArray,
    values: FloatArray,
    enclave: npt.NDArray[np.bool_],
) -> tuple[IntArray, int]:
    """Étiquettes par carreau du territoire (-1 hors agrégat) et nombre d'agrégats.

    La trame couvre l'emprise des seuls carreaux candidats (plus une marge) : les trous d'un
    agrégat sont forcément dans cette emprise.
    """
    pad = 1 + params.bridge_cells
    c0 = int(grid.col[cand].min()) - pad
    r0 = int(grid.row[cand].min()) - pad
    shape = (
        int(grid.row[cand].max()) - r0 + 1 + pad,
        int(grid.col[cand].max()) - c0 + 1 + pad,
    )
    r = grid.row[cand] - r0
    c = grid.col[cand] - c0
    cand_labels, count, raster = labeller.label(r, c, shape, c0, r0)
    labels = np.full(len(members), -1, dtype=np.int64)
    pos = np.searchsorted(members, cand)
    labels[pos] = cand_labels
    if params.absorb_enclaves:
        fg = raster > 0
        background = structure(8 if params.contiguity == 4 else 4)
        # Trous = composantes du fond qui ne touchent pas le bord (la marge est du fond).
        bg_labels, _n = ndimage.label(~fg, structure=background)
        outside = bg_labels[0, 0]
        mr = grid.row[members] - r0
        mc = grid.col[members] - c0
        inside_box = (mr >= 0) & (mc >= 0) & (mr < shape[0]) & (mc < shape[1])
        idx = np.flatnonzero(inside_box & (labels < 0) & np.isfinite(values[members]))
        if len(idx):
            hole_id = bg_labels[mr[idx], mc[idx]]
            in_hole = (hole_id > 0) & (hole_id != outside)
            idx, hole_id = idx[in_hole], hole_id[in_hole]
            if len(idx):
                owner_of = hole_owners(raster, bg_labels, np.unique(hole_id))
                raster_to_group = np.full(int(raster.max()) + 1, -1, dtype=np.int64)
                raster_to_group[raster[r, c]] = cand_labels
                labels[idx] = raster_to_group[owner_of[hole_id]]
                enclave[members[idx]] = True
    return labels, count
