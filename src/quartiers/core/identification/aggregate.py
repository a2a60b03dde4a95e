"""Le moteur : territoires, seuils, carreaux candidats, agrégats, tests, rognage, explications.

Méthode (décret n° 2014-767, art. 1, 2 et 4 ; décret n° 2014-1575, art. 1 et 2 ; choix de
méthode signalés dans `parameters.yaml`) :

1. chaque carreau est placé dans sa commune (`lcog_geo`), donc dans son unité urbaine ;
   seules les unités urbaines d'au moins 10 000 habitants (arrondis aux 100 supérieurs) sont
   des territoires urbains. Martinique et La Réunion : le territoire est la commune
   d'au moins 15 000 habitants ;
2. seuil par territoire (`thresholds.py`) ; carreaux candidats : ceux que le critère retient ;
3. agrégation des candidats contigus (4 ou 8 voisins), en franchissant au plus N carreaux
   **vides** (`bridge_cells`, 1 par défaut) ; les carreaux habités non candidats entièrement
   entourés par un agrégat y sont intégrés (`absorb_enclaves`) ;
4. chaque agrégat est testé : population ≥ 1 000, (outre-mer : densité ≥ 2 000 hab./km²),
   puis le critère (médiane strictement sous le seuil) ;
5. **rognage** : un agrégat assez peuplé qui échoue seulement au critère perd ses carreaux
   de bord plus riches que le seuil, passe après passe ; les morceaux restants (il peut se
   scinder) sont testés à nouveau.

Le calcul est vectorisé : une boucle Python par territoire (≈ 600 en France), jamais par carreau ;
chaque territoire est tramé dans un petit tableau et étiqueté par `scipy.ndimage.label`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import IntEnum
from functools import cached_property

import numpy as np
import numpy.typing as npt
from scipy import ndimage

from quartiers.core.identification.criteria import (
    Criterion,
    IndividualIncomes,
    MedianIncomeCriterion,
    PoorShareCriterion,
    grouped_weighted_median,
)
from quartiers.core.identification.explain import (
    ESTIMATION,
    density_test,
    euros,
    number,
    people,
    population_test,
)
from quartiers.core.identification.grid import CellGrid, FloatArray, IntArray
from quartiers.core.identification.parameters import IdentificationParameters
from quartiers.core.identification.thresholds import (
    Threshold,
    overseas_threshold,
    urban_unit_threshold,
)
from quartiers.core.identification.units import UrbanUnit

OVERSEAS_GRID_EPSG = (2975, 5490, 4559)
WHOLE_GRID = "GRILLE"
ProgressFn = Callable[[int, int], None]


class CellStatus(IntEnum):
    OUTSIDE = 0
    NO_DATA = 1
    NOT_CANDIDATE = 2
    REJECTED = 3
    TRIMMED = 4
    QUARTIER = 5
    ENCLAVE = 6


STATUS_LABELS = {
    CellStatus.OUTSIDE: "hors territoire urbain",
    CellStatus.NO_DATA: "sans donnée de revenu",
    CellStatus.NOT_CANDIDATE: "non candidat",
    CellStatus.REJECTED: "candidat, agrégat rejeté",
    CellStatus.TRIMMED: "retiré au rognage",
    CellStatus.QUARTIER: "dans un quartier",
    CellStatus.ENCLAVE: "enclave intégrée au quartier",
}
STATUS_CODES = {
    CellStatus.OUTSIDE: "outside",
    CellStatus.NO_DATA: "no_data",
    CellStatus.NOT_CANDIDATE: "not_candidate",
    CellStatus.REJECTED: "rejected",
    CellStatus.TRIMMED: "trimmed",
    CellStatus.QUARTIER: "quartier",
    CellStatus.ENCLAVE: "enclave",
}


@dataclass
class IdentificationInput:
    grid: CellGrid
    urban_units: Mapping[str, UrbanUnit] = field(default_factory=dict)
    composition: Mapping[str, str] = field(default_factory=dict)
    national_median: Decimal | None = None
    department_median: Decimal | None = None
    criterion: str = "median"
    incomes: IndividualIncomes | None = None
    overseas: bool | None = None
    params: IdentificationParameters | None = None


@dataclass(frozen=True)
class _ExplainContext:
    grid: CellGrid
    criterion: Criterion
    params: IdentificationParameters
    overseas: bool
    est_pop: bool


@dataclass
class Aggregate:
    """Un agrégat de carreaux contigus, retenu (quartier) ou rejeté, avec ses raisons."""

    number: int
    code: str
    territory: str
    territory_name: str
    cells: IntArray
    population: float
    n_cells: int
    value: float
    threshold: float | None
    is_quartier: bool
    estimated: bool
    density: float
    enclaves: int = 0
    trimmed_cells: int = 0
    note: str = ""
    criterion: str = "median"
    context: _ExplainContext | None = field(default=None, repr=False, compare=False)

    @cached_property
    def reasons(self) -> list[str]:
        """Les tests, dans l'ordre du décret, chacun avec sa conclusion chiffrée."""
        ctx = self.context
        if ctx is None:
            return []
        reasons = [
            population_test(self.population, ctx.params.quartier_min_population, ctx.est_pop)[1]
        ]
        if ctx.overseas:
            reasons.append(density_test(self.density, ctx.params.overseas_min_density)[1])
        if np.isnan(self.value):
            reasons.append("valeur du critère incalculable (aucune donnée)")
        else:
            thr = np.nan if self.threshold is None else self.threshold
            reasons.append(ctx.criterion.explain(self.value, thr)[1])
        return reasons

    @cached_property
    def communes(self) -> tuple[str, ...]:
        ctx = self.context
        if ctx is None or ctx.grid.commune_index is None:
            return ()
        idx = np.unique(ctx.grid.commune_index[self.cells]).tolist()
        return tuple(sorted({ctx.grid.communes[i] for i in idx}))

    @property
    def median_income_per_cu(self) -> Decimal | None:
        if self.criterion != "median" or np.isnan(self.value):
            return None
        return Decimal(str(round(self.value, 2))).quantize(Decimal("1.00"))

    @property
    def poor_share(self) -> float | None:
        return None if self.criterion != "poor-share" or np.isnan(self.value) else self.value

    @property
    def low_income_threshold(self) -> Decimal | None:
        return None if self.threshold is None else Decimal(int(self.threshold))

    @property
    def decision(self) -> str:
        return "quartier retenu" if self.is_quartier else "agrégat rejeté"

    @property
    def explanation(self) -> str:
        where = f"territoire {self.territory}" + (
            f" ({self.territory_name})" if self.territory_name else ""
        )
        communes = ", ".join(self.communes) if self.communes else "inconnues"
        head = (
            f"{self.decision.capitalize()} — {where}, communes {communes}, "
            f"{self.n_cells} carreau(x)"
        )
        extra = []
        if self.enclaves:
            extra.append(f"{self.enclaves} enclave(s) intégrée(s)")
        if self.note:
            extra.append(self.note)
        body = " ; ".join(self.reasons)
        return head + (" (" + ", ".join(extra) + ")" if extra else "") + " : " + body + "."


@dataclass
class IdentificationResult:
    grid: CellGrid
    params: IdentificationParameters
    criterion: str
    criterion_label: str
    estimated: bool
    overseas: bool
    national_median: Decimal | None
    thresholds: dict[str, Threshold]
    cell_status: npt.NDArray[np.int8]
    cell_aggregate: IntArray
    cell_values: FloatArray
    aggregates: list[Aggregate]
    warnings: list[str]

    @property
    def quartiers(self) -> list[Aggregate]:
        return [a for a in self.aggregates if a.is_quartier]

    @property
    def rejected(self) -> list[Aggregate]:
        return [a for a in self.aggregates if not a.is_quartier]

    def status_counts(self) -> dict[str, int]:
        counts = np.bincount(self.cell_status, minlength=len(CellStatus))
        return {STATUS_LABELS[s]: int(counts[s]) for s in CellStatus}

    def find(self, code: str) -> Aggregate:
        for aggregate in self.aggregates:
            if aggregate.code == code:
                return aggregate
        raise KeyError(code)


def _structure(contiguity: int) -> npt.NDArray[np.bool_]:
    return np.asarray(ndimage.generate_binary_structure(2, 1 if contiguity == 4 else 2))


class _Labeller:
    """Étiquette des ensembles de carreaux d'un territoire, avec pont au-dessus des cases vides."""

    def __init__(self, grid: CellGrid, params: IdentificationParameters) -> None:
        self.contiguity = params.contiguity
        self.bridge = params.bridge_cells
        self.structure = _structure(params.contiguity)
        self.sorted_keys = np.sort(grid.keys())

    def inhabited(self, col: IntArray, row: IntArray) -> npt.NDArray[np.bool_]:
        keys = (row.astype(np.int64) << 32) + col.astype(np.int64)
        pos = np.searchsorted(self.sorted_keys, keys)
        pos = np.clip(pos, 0, len(self.sorted_keys) - 1)
        return np.asarray(self.sorted_keys[pos] == keys)

    def label(
        self, r: IntArray, c: IntArray, shape: tuple[int, int], c0: int, r0: int
    ) -> tuple[IntArray, int, npt.NDArray[np.int32]]:
        """Étiquettes 0..k-1 des carreaux (r, c) (coordonnées locales), nombre k, trame étiquetée."""
        mask = np.zeros(shape, dtype=bool)
        mask[r, c] = True
        conn = mask
        if self.bridge > 0:
            dil = np.zeros(shape, dtype=bool)
            n = self.bridge
            for dr in range(n + 1):
                for dc in range(n + 1):
                    if self.contiguity == 4 and dr and dc:
                        continue
                    dil[dr:, dc:] |= mask[: shape[0] - dr, : shape[1] - dc]
            extra = dil & ~mask
            er, ec = np.nonzero(extra)
            if len(er):
                occupied = self.inhabited(ec.astype(np.int64) + c0, er.astype(np.int64) + r0)
                extra[er[occupied], ec[occupied]] = False
            conn = mask | extra
        labels, _count = ndimage.label(conn, structure=self.structure)
        at_cells = labels[r, c]
        uniq, inverse = np.unique(at_cells, return_inverse=True)
        return inverse.astype(np.int64), len(uniq), labels


def identify(data: IdentificationInput, progress: ProgressFn | None = None) -> IdentificationResult:
    """Identifie les quartiers ; toutes les décisions sont expliquées."""
    params = data.params or IdentificationParameters.at(dt.date.today())
    grid = data.grid
    n = len(grid)
    warnings: list[str] = []
    overseas = data.overseas if data.overseas is not None else grid.epsg in OVERSEAS_GRID_EPSG

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

    # 1. Territoires.
    territory_codes, cell_territory, names = _territories(data, overseas, warnings)
    n_terr = len(territory_codes)
    terr_pop_grid = np.bincount(
        cell_territory[cell_territory >= 0],
        weights=grid.population[cell_territory >= 0],
        minlength=n_terr,
    )

    # 2. Seuils.
    national = data.national_median
    thresholds: dict[str, Threshold] = {}
    if criterion.uses_income_threshold and national is None:
        national = _money(
            grouped_weighted_median(np.zeros(n, dtype=np.int64), values, grid.population, 1)[0]
        )
        warnings.append(
            f"médiane nationale non fournie : {euros(national)} calculée sur la grille "
            f"({ESTIMATION})"
        )
    needs_local_median = (
        criterion.uses_income_threshold
        and not overseas
        and any(
            (
                data.urban_units.get(code) is None
                or data.urban_units[code].median_income_per_cu is None
            )
            for code in territory_codes
        )
    )
    terr_medians = (
        grouped_weighted_median(cell_territory, values, grid.population, n_terr)
        if needs_local_median
        else np.full(n_terr, np.nan)
    )
    department_median = data.department_median
    if overseas and criterion.uses_income_threshold and department_median is None:
        department_median = _money(
            grouped_weighted_median(np.zeros(n, dtype=np.int64), values, grid.population, 1)[0]
        )
        warnings.append(
            f"médiane du département non fournie : {euros(department_median)} calculée sur la "
            f"grille ({ESTIMATION})"
        )
    terr_threshold = np.full(n_terr, np.nan)
    terr_eligible = np.zeros(n_terr, dtype=bool)
    for t, code in enumerate(territory_codes):
        unit = data.urban_units.get(code)
        pop_estimated = unit is None or unit.population is None
        population = (
            unit.population
            if unit is not None and unit.population is not None
            else int(np.rint(terr_pop_grid[t]))
        )
        if overseas:
            th = _overseas_territory(
                code, population, pop_estimated, national, department_median, criterion, params
            )
        elif criterion.uses_income_threshold:
            assert national is not None
            median = unit.median_income_per_cu if unit is not None else None
            med_est = median is None
            if median is None and not np.isnan(terr_medians[t]):
                median = _money(terr_medians[t])
            th = urban_unit_threshold(
                code, population, median, national, params, estimated=med_est or pop_estimated
            )
        else:
            th = urban_unit_threshold(
                code, population, Decimal(0), Decimal(0), params, pop_estimated
            )
            th = Threshold(
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
                    f" ; critère : part de ménages pauvres > {params.poor_share_min}"
                    if th.eligible
                    else ""
                ),
                th.estimated,
            )
        if code == WHOLE_GRID:
            th = Threshold(
                th.uu_code,
                th.population,
                th.rounded_population,
                True,
                th.median_income_per_cu,
                th.national_median,
                th.low_income_threshold,
                th.raw_value,
                th.formula,
                "aucune commune sur les carreaux : la grille entière forme un seul territoire "
                "(condition de territoire urbain non vérifiée)",
                True,
            )
        thresholds[code] = th
        terr_eligible[t] = th.eligible and (
            th.low_income_threshold is not None or not criterion.uses_income_threshold
        )
        if th.low_income_threshold is not None:
            terr_threshold[t] = float(th.low_income_threshold)

    cell_thr = np.full(n, np.nan)
    inside = cell_territory >= 0
    cell_thr[inside] = terr_threshold[cell_territory[inside]]
    cell_ok = np.zeros(n, dtype=bool)
    cell_ok[inside] = terr_eligible[cell_territory[inside]]

    status = np.full(n, CellStatus.OUTSIDE, dtype=np.int8)
    status[cell_ok & ~np.isfinite(values)] = CellStatus.NO_DATA
    status[cell_ok & np.isfinite(values)] = CellStatus.NOT_CANDIDATE
    candidate = cell_ok & np.isfinite(values) & criterion.candidates(values, cell_thr)

    _step(progress, 1)
    # 3. Agrégation : une trame unique quand l'emprise le permet, sinon territoire par territoire.
    labeller = _Labeller(grid, params)
    enclave = np.zeros(n, dtype=bool)
    cand_idx = np.flatnonzero(candidate)
    if len(cand_idx) and _raster_area(grid, cand_idx, params) <= MAX_RASTER_CELLS:
        cell_group, g_terr = _label_global(
            grid, labeller, params, cand_idx, cell_territory, cell_ok, values, enclave
        )
        next_group = len(g_terr)
    else:
        cell_group = np.full(n, -1, dtype=np.int64)
        group_territory: list[int] = []
        order = np.argsort(cell_territory, kind="stable")
        bounds = np.searchsorted(cell_territory[order], np.arange(n_terr + 1))
        eligible_ids = [t for t in range(n_terr) if terr_eligible[t]]
        next_group = 0
        for t in eligible_ids:
            members = order[bounds[t] : bounds[t + 1]]
            cand = members[candidate[members]]
            if len(cand):
                labels, count = _label_territory(
                    grid, labeller, params, members, cand, values, enclave
                )
                in_group = labels >= 0
                cell_group[members[in_group]] = labels[in_group] + next_group
                group_territory.extend([t] * count)
                next_group += count
        g_terr = np.asarray(group_territory, dtype=np.int64)

    _step(progress, 2)
    # 4. Tests, puis rognage des agrégats qui échouent seulement au critère.
    final = _Groups(grid, criterion, params, overseas, g_terr, terr_threshold)
    final.evaluate(cell_group, next_group)
    failing = final.only_criterion_fails()
    trimmed = np.zeros(n, dtype=bool)
    notes: dict[int, str] = {}
    if len(failing):
        _trim(
            grid,
            labeller,
            params,
            criterion,
            final,
            cell_group,
            failing,
            trimmed,
            notes,
            values,
            cell_thr,
        )
    _step(progress, 3)

    # 5. Statuts et explications.
    aggregates = final.build(
        cell_group, enclave, trimmed, notes, territory_codes, names, thresholds
    )
    quartier_groups = np.zeros(final.count + 1, dtype=bool)
    for agg in aggregates:
        quartier_groups[agg.number] = agg.is_quartier
    grouped = cell_group >= 0
    is_q = np.zeros(n, dtype=bool)
    is_q[grouped] = quartier_groups[cell_group[grouped]]
    status[grouped & candidate & ~is_q] = CellStatus.REJECTED
    status[grouped & enclave & ~is_q] = CellStatus.NOT_CANDIDATE
    status[grouped & candidate & is_q] = CellStatus.QUARTIER
    status[grouped & enclave & is_q] = CellStatus.ENCLAVE
    status[trimmed] = CellStatus.TRIMMED
    # Les numéros d'agrégat publiés sont ceux de la liste `aggregates`.
    renumber = np.full(final.count + 1, -1, dtype=np.int64)
    for i, agg in enumerate(aggregates):
        renumber[agg.number] = i
        agg.number = i
    cell_aggregate = np.full(n, -1, dtype=np.int64)
    cell_aggregate[grouped] = renumber[cell_group[grouped]]
    _step(progress, 4)
    return IdentificationResult(
        grid=grid,
        params=params,
        criterion=criterion.name,
        criterion_label=criterion.label,
        estimated=criterion.estimated or grid.population_estimated,
        overseas=overseas,
        national_median=national,
        thresholds=thresholds,
        cell_status=status,
        cell_aggregate=cell_aggregate,
        cell_values=values,
        aggregates=aggregates,
        warnings=warnings,
    )


STEPS = 4  # seuils, agrégation, tests et rognage, explications


def _step(progress: ProgressFn | None, done: int) -> None:
    if progress is not None:
        progress(done, STEPS)


def _money(value: float) -> Decimal:
    return Decimal(str(round(float(value), 2))).quantize(Decimal("1.00"))


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


def _overseas_territory(
    code: str,
    population: int,
    pop_estimated: bool,
    metro: Decimal | None,
    department: Decimal | None,
    criterion: Criterion,
    params: IdentificationParameters,
) -> Threshold:
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


MAX_RASTER_CELLS = 150_000_000  # ≈ 1,2 Go de trames au plus ; au-delà, territoire par territoire


def _raster_area(grid: CellGrid, cells: IntArray, params: IdentificationParameters) -> int:
    pad = 2 * (1 + params.bridge_cells)
    height = int(grid.row[cells].max() - grid.row[cells].min()) + 1 + pad
    width = int(grid.col[cells].max() - grid.col[cells].min()) + 1 + pad
    return height * width


def _hole_owners(
    raster: npt.NDArray[np.int32], bg_labels: npt.NDArray[np.int32], holes: IntArray
) -> IntArray:
    """Pour chaque trou, l'étiquette de l'agrégat qui le borde (lue sur les seuls pixels du trou)."""
    lookup = np.zeros(int(bg_labels.max()) + 1, dtype=bool)
    lookup[holes] = True
    hr, hc = np.nonzero(lookup[bg_labels])
    ids = bg_labels[hr, hc]
    owner_of = np.zeros(len(lookup), dtype=np.int64)
    h, w = raster.shape
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            nr = np.clip(hr + dr, 0, h - 1)
            nc = np.clip(hc + dc, 0, w - 1)
            np.maximum.at(owner_of, ids, raster[nr, nc].astype(np.int64))
    return owner_of


def _label_global(
    grid: CellGrid,
    labeller: _Labeller,
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
        background = _structure(8 if params.contiguity == 4 else 4)
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
            owner_of = _hole_owners(raster, bg_labels, np.unique(hole_id))
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
    labeller: _Labeller,
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
        background = _structure(8 if params.contiguity == 4 else 4)
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
                owner_of = _hole_owners(raster, bg_labels, np.unique(hole_id))
                raster_to_group = np.full(int(raster.max()) + 1, -1, dtype=np.int64)
                raster_to_group[raster[r, c]] = cand_labels
                labels[idx] = raster_to_group[owner_of[hole_id]]
                enclave[members[idx]] = True
    return labels, count


class _Groups:
    """Statistiques vectorisées des agrégats et tests."""

    def __init__(
        self,
        grid: CellGrid,
        criterion: Criterion,
        params: IdentificationParameters,
        overseas: bool,
        territory: IntArray,
        terr_threshold: FloatArray,
    ) -> None:
        self.grid = grid
        self.criterion = criterion
        self.params = params
        self.overseas = overseas
        self.territory = territory
        self.terr_threshold = terr_threshold
        self.count = len(territory)
        self.parent = np.arange(self.count, dtype=np.int64)

    def add(self, territory: IntArray, parent: IntArray) -> IntArray:
        start = self.count
        self.territory = np.concatenate((self.territory, territory))
        self.parent = np.concatenate((self.parent, parent))
        self.count = len(self.territory)
        return np.arange(start, self.count, dtype=np.int64)

    def stats(
        self, cells: IntArray, groups: IntArray
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """(population, carreaux, valeur du critère, seuil) par agrégat."""
        m = self.count
        pop = np.bincount(groups, weights=self.grid.population[cells], minlength=m)
        ncells = np.bincount(groups, minlength=m).astype(np.float64)
        value = self.criterion.group_values(cells, groups, m)
        thr = self.terr_threshold[self.territory] if len(self.territory) else np.zeros(0)
        return pop.astype(np.float64), ncells, value, thr

    def tests(
        self, pop: FloatArray, ncells: FloatArray, value: FloatArray, thr: FloatArray
    ) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
        area = ncells * (self.grid.cell_size / 1000.0) ** 2
        with np.errstate(divide="ignore", invalid="ignore"):
            density = np.where(area > 0, pop / area, 0.0)
        pop_ok = pop >= self.params.quartier_min_population
        dens_ok = (
            density >= self.params.overseas_min_density if self.overseas else np.ones_like(pop_ok)
        )
        crit_ok = self.criterion.passes(value, thr)
        return pop_ok, dens_ok, crit_ok

    def evaluate(self, cell_group: IntArray, count: int) -> None:
        self.count = count
        members = np.flatnonzero(cell_group >= 0)
        pop, ncells, value, thr = self.stats(members, cell_group[members])
        self.pop_ok, self.dens_ok, self.crit_ok = self.tests(pop, ncells, value, thr)

    def only_criterion_fails(self) -> IntArray:
        return np.flatnonzero(self.pop_ok & self.dens_ok & ~self.crit_ok)

    def build(
        self,
        cell_group: IntArray,
        enclave: npt.NDArray[np.bool_],
        trimmed: npt.NDArray[np.bool_],
        notes: dict[int, str],
        territory_codes: list[str],
        names: dict[str, str],
        thresholds: dict[str, Threshold],
    ) -> list[Aggregate]:
        grid = self.grid
        members = np.flatnonzero(cell_group >= 0)
        groups = cell_group[members]
        pop, ncells, value, thr = self.stats(members, groups)
        pop_ok, dens_ok, crit_ok = self.tests(pop, ncells, value, thr)
        order = np.argsort(groups, kind="stable")
        sorted_members = members[order]
        splits = np.searchsorted(groups[order], np.arange(self.count + 1))
        enc_count = np.bincount(groups, weights=enclave[members], minlength=self.count)
        area_unit = (grid.cell_size / 1000.0) ** 2
        aggregates: list[Aggregate] = []
        per_territory_counter: dict[str, int] = {}
        criterion = self.criterion
        est_pop = grid.population_estimated
        context = _ExplainContext(grid, criterion, self.params, self.overseas, est_pop)
        estimated = bool(criterion.estimated or est_pop)
        present = np.flatnonzero(ncells > 0)
        passed = (pop_ok & dens_ok & crit_ok).tolist()
        pop_l, ncells_l, value_l, thr_l = (
            pop.tolist(),
            ncells.tolist(),
            value.tolist(),
            thr.tolist(),
        )
        terr_l = self.territory.tolist()
        enc_l = enc_count.tolist()
        for g in present.tolist():
            code_t = territory_codes[terr_l[g]]
            thr_g = thr_l[g]
            aggregates.append(
                Aggregate(
                    number=g,
                    code="",
                    territory=code_t,
                    territory_name=names.get(code_t, ""),
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
        for agg in aggregates:
            key = agg.territory
            per_territory_counter[key] = per_territory_counter.get(key, 0) + 1
            prefix = "SIM" if agg.is_quartier else "REJ"
            if not agg.is_quartier and per_territory_counter.get("#" + key) is None:
                per_territory_counter[key] = 1
                per_territory_counter["#" + key] = 1
            agg.code = f"{prefix}-{key}-{per_territory_counter[key]:03d}"
        return aggregates


def _trim(
    grid: CellGrid,
    labeller: _Labeller,
    params: IdentificationParameters,
    criterion: Criterion,
    groups: _Groups,
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
