"""7. Les agrégats publiés : chacun avec ses chiffres, son code, ses raisons ; chaque carreau
avec son statut et le numéro de son agrégat.

Les quartiers viennent d'abord, puis les agrégats rejetés, chacun par territoire et par
population décroissante : `SIM-<territoire>-001`… pour les quartiers, `REJ-<territoire>-001`…
pour les rejets. Les phrases d'explication sont rédigées à la demande (`Aggregate.explanation`),
d'après le contexte attaché à chaque agrégat.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from quartiers.core.identification.grid import FloatArray, IntArray
from quartiers.core.identification.model import Aggregate, CellStatus, ExplainContext
from quartiers.core.identification.stages.aggregation import Grouping
from quartiers.core.identification.stages.candidates import Candidates
from quartiers.core.identification.stages.checks import Groups
from quartiers.core.identification.stages.territories import Territories
from quartiers.core.identification.stages.trimming import Trimming


def build_aggregates(
    groups: Groups, grouping: Grouping, trimming: Trimming, territories: Territories
) -> list[Aggregate]:
    """Les agrégats non vides, testés une dernière fois, triés et codés."""
    grid = groups.grid
    cell_group = grouping.cell_group
    enclave = grouping.enclave
    notes = trimming.notes
    members = np.flatnonzero(cell_group >= 0)
    group_of = cell_group[members]
    pop, ncells, value, thr = groups.stats(members, group_of)
    pop_ok, dens_ok, crit_ok = groups.tests(pop, ncells, value, thr)
    order = np.argsort(group_of, kind="stable")
    sorted_members = members[order]
    splits = np.searchsorted(group_of[order], np.arange(groups.count + 1))
    enc_count = np.bincount(group_of, weights=enclave[members], minlength=groups.count)
    area_unit = (grid.cell_size / 1000.0) ** 2
    aggregates: list[Aggregate] = []
    criterion = groups.criterion
    est_pop = grid.population_estimated
    context = ExplainContext(grid, criterion, groups.params, groups.overseas, est_pop)
    estimated = bool(criterion.estimated or est_pop)
    present = np.flatnonzero(ncells > 0)
    passed = (pop_ok & dens_ok & crit_ok).tolist()
    pop_l, ncells_l, value_l, thr_l = (
        pop.tolist(),
        ncells.tolist(),
        value.tolist(),
        thr.tolist(),
    )
    terr_l = groups.territory.tolist()
    enc_l = enc_count.tolist()
    for g in present.tolist():
        code_t = territories.codes[terr_l[g]]
        thr_g = thr_l[g]
        aggregates.append(
            Aggregate(
                number=g,
                code="",
                territory=code_t,
                territory_name=territories.names.get(code_t, ""),
                cells=sorted_members[splits[g] : splits[g + 1]],
                population=pop_l[g],
                n_cells=int(ncells_l[g]),
                value=value_l[g],
                threshold=None if thr_g != thr_g else thr_g,
                is_quartier=bool(passed[g]),
                estimated=estimated,
                density=pop_l[g] / (ncells_l[g] * area_unit),
                enclaves=int(enc_l[g]),
                note=notes.get(g, ""),
                criterion=criterion.name,
                context=context,
            )
        )
    aggregates.sort(key=lambda a: (not a.is_quartier, a.territory, -a.population))
    _assign_codes(aggregates)
    return aggregates


def _assign_codes(aggregates: list[Aggregate]) -> None:
    """`SIM-…-001`, `SIM-…-002`… puis, pour les rejets, une numérotation qui repart de 001."""
    per_territory_counter: dict[str, int] = {}
    for agg in aggregates:
        key = agg.territory
        per_territory_counter[key] = per_territory_counter.get(key, 0) + 1
        prefix = "SIM" if agg.is_quartier else "REJ"
        if not agg.is_quartier and per_territory_counter.get("#" + key) is None:
            per_territory_counter[key] = 1
            per_territory_counter["#" + key] = 1
        agg.code = f"{prefix}-{key}-{per_territory_counter[key]:03d}"


def cell_statuses(
    aggregates: list[Aggregate],
    groups: Groups,
    grouping: Grouping,
    trimming: Trimming,
    candidates: Candidates,
    values: FloatArray,
) -> npt.NDArray[np.int8]:
    """Le statut de chaque carreau (`CellStatus`), lu avant la renumérotation des agrégats."""
    cell_group = grouping.cell_group
    enclave = grouping.enclave
    candidate = candidates.candidate
    in_eligible = candidates.in_eligible
    n = len(cell_group)
    status = np.full(n, CellStatus.OUTSIDE, dtype=np.int8)
    status[in_eligible & ~np.isfinite(values)] = CellStatus.NO_DATA
    status[in_eligible & np.isfinite(values)] = CellStatus.NOT_CANDIDATE
    quartier_groups = np.zeros(groups.count + 1, dtype=bool)
    for agg in aggregates:
        quartier_groups[agg.number] = agg.is_quartier
    grouped = cell_group >= 0
    is_q = np.zeros(n, dtype=bool)
    is_q[grouped] = quartier_groups[cell_group[grouped]]
    status[grouped & candidate & ~is_q] = CellStatus.REJECTED
    status[grouped & enclave & ~is_q] = CellStatus.NOT_CANDIDATE
    status[grouped & candidate & is_q] = CellStatus.QUARTIER
    status[grouped & enclave & is_q] = CellStatus.ENCLAVE
    status[trimming.trimmed] = CellStatus.TRIMMED
    return status


def renumber(aggregates: list[Aggregate], groups: Groups, grouping: Grouping) -> IntArray:
    """Les numéros publiés sont les rangs dans `aggregates` : `Aggregate.number` est mis à jour,
    et le numéro de l'agrégat de chaque carreau (-1 : aucun) est rendu."""
    cell_group = grouping.cell_group
    renumbered = np.full(groups.count + 1, -1, dtype=np.int64)
    for i, agg in enumerate(aggregates):
        renumbered[agg.number] = i
        agg.number = i
    grouped = cell_group >= 0
    cell_aggregate = np.full(len(cell_group), -1, dtype=np.int64)
    cell_aggregate[grouped] = renumbered[cell_group[grouped]]
    return cell_aggregate
