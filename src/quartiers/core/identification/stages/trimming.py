"""6. Le rognage : un agrégat assez peuplé qui échoue seulement au critère perd ses bords riches.

Passe après passe (`trim_max_passes`), l'agrégat perd ses carreaux de bord plus riches que le
seuil ; les morceaux restants (il peut se scinder) sont ré-étiquetés et testés à nouveau. Un
agrégat qui perdrait tous ses carreaux n'est pas rogné : il est rejeté tel quel. Chaque agrégat
rogné garde une note (raison de l'échec initial, carreaux retirés) reprise dans son explication.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from quartiers.core.identification.criteria import Criterion
from quartiers.core.identification.grid import CellGrid, FloatArray, IntArray
from quartiers.core.identification.parameters import IdentificationParameters
from quartiers.core.identification.stages.aggregation import Grouping
from quartiers.core.identification.stages.candidates import Candidates
from quartiers.core.identification.stages.checks import Groups
from quartiers.core.identification.stages.labelling import Labeller


@dataclass(frozen=True)
class Trimming:
    trimmed: npt.NDArray[np.bool_]  # carreau retiré au rognage
    notes: dict[int, str]  # note de rognage par agrégat


def trim_aggregates(
    grid: CellGrid,
    labeller: Labeller,
    params: IdentificationParameters,
    criterion: Criterion,
    groups: Groups,
    grouping: Grouping,
    candidates: Candidates,
    values: FloatArray,
) -> Trimming:
    """Rogne les agrégats qui échouent seulement au critère.

    Modifie sur place `grouping.cell_group` (carreaux retirés, morceaux renumérotés) et
    `groups` (les morceaux y sont ajoutés) : les copier coûterait cher sur la France entière.
    """
    trimmed = np.zeros(len(grid), dtype=bool)
    notes: dict[int, str] = {}
    failing = groups.only_criterion_fails()
    if len(failing):
        _trim(
            grid,
            labeller,
            params,
            criterion,
            groups,
            grouping.cell_group,
            failing,
            trimmed,
            notes,
            values,
            candidates.cell_threshold,
        )
    return Trimming(trimmed, notes)


def _trim(
    grid: CellGrid,
    labeller: Labeller,
    params: IdentificationParameters,
    criterion: Criterion,
    groups: Groups,
    cell_group: IntArray,
    failing: IntArray,
    trimmed: npt.NDArray[np.bool_],
    notes: dict[int, str],
    values: FloatArray,
    cell_thr: FloatArray,
) -> None:
    """Rognage : retire les carreaux de bord plus riches que le seuil, puis re-teste les morceaux."""
    active = set(failing.tolist())
    root_of: dict[int, int] = {g: g for g in active}
    removed_per_root: dict[int, int] = {}
    first_reason: dict[int, str] = {}
    for _pass in range(params.trim_max_passes):
        if not active:
            break
        act = np.fromiter(active, dtype=np.int64)
        is_active = np.zeros(groups.count, dtype=bool)
        is_active[act] = True
        members = np.flatnonzero((cell_group >= 0) & is_active[np.maximum(cell_group, 0)])
        g = cell_group[members]
        if _pass == 0:
            pop, ncells, value, thr = groups.stats(members, g)
            for k in act.tolist():
                _ok, text = criterion.explain(float(value[k]), float(thr[k]))
                first_reason[k] = text
        c0 = int(grid.col[members].min()) - 1
        r0 = int(grid.row[members].min()) - 1
        shape = (
            int(grid.row[members].max()) - r0 + 2,
            int(grid.col[members].max()) - c0 + 2,
        )
        r = grid.row[members] - r0
        c = grid.col[members] - c0
        raster = np.zeros(shape, dtype=np.int32)
        raster[r, c] = g + 1
        own = g + 1
        edge = (
            (raster[r - 1, c] != own)
            | (raster[r + 1, c] != own)
            | (raster[r, c - 1] != own)
            | (raster[r, c + 1] != own)
        )
        remove = edge & criterion.rich(values[members], cell_thr[members])
        # Un agrégat qui perdrait tous ses carreaux n'est pas rogné : il est rejeté tel quel.
        size = np.bincount(g, minlength=groups.count)
        lost = np.bincount(g[remove], minlength=groups.count)
        remove &= lost[g] < size[g]
        with_removal = np.unique(g[remove])
        for k in act.tolist():
            if k not in set(with_removal.tolist()):
                active.discard(k)
                rk = root_of[k]
                notes[k] = _trim_note(first_reason.get(rk, ""), removed_per_root.get(rk, 0), True)
        if not len(with_removal):
            break
        gone = members[remove]
        trimmed[gone] = True
        cell_group[gone] = -1
        for k, cnt in zip(*np.unique(g[remove], return_counts=True), strict=True):
            rk = root_of[int(k)]
            removed_per_root[rk] = removed_per_root.get(rk, 0) + int(cnt)
        # Re-étiquetage des morceaux restants, agrégat par agrégat (en bloc).
        keep = np.isin(g, with_removal) & ~remove
        kept = members[keep]
        kept_groups = g[keep]
        if not len(kept):
            for k in with_removal.tolist():
                active.discard(int(k))
            continue
        new_labels = np.full(len(kept), -1, dtype=np.int64)
        offset = 0
        sort_idx = np.argsort(kept_groups, kind="stable")
        bounds = np.searchsorted(
            kept_groups[sort_idx], np.append(with_removal, np.iinfo(np.int64).max)
        )
        parents = []
        for i, k in enumerate(with_removal.tolist()):
            sel = sort_idx[bounds[i] : bounds[i + 1]]
            if not len(sel):
                continue
            cells = kept[sel]
            lc0 = int(grid.col[cells].min()) - 1 - params.bridge_cells
            lr0 = int(grid.row[cells].min()) - 1 - params.bridge_cells
            lshape = (
                int(grid.row[cells].max()) - lr0 + 2 + params.bridge_cells,
                int(grid.col[cells].max()) - lc0 + 2 + params.bridge_cells,
            )
            labels, count, _raster = labeller.label(
                grid.row[cells] - lr0, grid.col[cells] - lc0, lshape, lc0, lr0
            )
            new_labels[sel] = labels + offset
            offset += count
            parents.extend([k] * count)
        parent_arr = np.asarray(parents, dtype=np.int64)
        new_ids = groups.add(groups.territory[parent_arr], parent_arr)
        cell_group[kept] = new_ids[new_labels]
        for k in with_removal.tolist():
            active.discard(int(k))
        pop, ncells, value, thr = groups.stats(kept, cell_group[kept])
        pop_ok, dens_ok, crit_ok = groups.tests(pop, ncells, value, thr)
        for nid, parent in zip(new_ids.tolist(), parent_arr.tolist(), strict=True):
            rk = root_of[parent]
            root_of[nid] = rk
            if pop_ok[nid] and dens_ok[nid] and not crit_ok[nid]:
                active.add(nid)
            else:
                notes[nid] = _trim_note(
                    first_reason.get(rk, ""), removed_per_root.get(rk, 0), False
                )
    for k in active:
        rk = root_of[k]
        notes[k] = _trim_note(first_reason.get(rk, ""), removed_per_root.get(rk, 0), True)


def _trim_note(first: str, removed: int, exhausted: bool) -> str:
    text = f"agrégat initial : {first}" if first else "agrégat initial en échec"
    text += f" ; {removed} carreau(x) de bord plus riche(s) retiré(s) au rognage"
    if exhausted:
        text += " ; rognage sans effet suffisant"
    return text
