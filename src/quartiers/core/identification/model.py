"""Les données du moteur d'identification : l'entrée, les statuts des carreaux, les agrégats, le résultat.

Séparées des étapes (`stages`) pour que chacune les partage sans dépendre des autres ; les
explications d'un agrégat (`Aggregate.reasons`, `Aggregate.explanation`) sont rédigées à la
demande, d'après son `ExplainContext`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import IntEnum
from functools import cached_property

import numpy as np
import numpy.typing as npt

from quartiers.core.identification.criteria import Criterion, IndividualIncomes
from quartiers.core.identification.explain import density_test, population_test
from quartiers.core.identification.grid import CellGrid, FloatArray, IntArray
from quartiers.core.identification.parameters import IdentificationParameters
from quartiers.core.identification.thresholds import Threshold
from quartiers.core.identification.units import UrbanUnit

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
class ExplainContext:
    """Ce qu'il faut pour rédiger les raisons d'un agrégat (calculées à la demande)."""

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
    context: ExplainContext | None = field(default=None, repr=False, compare=False)

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
