"""Plan de financement (une ligne par financeur et par exercice) et CPO pluriannuelles.

Toute demande de la politique de la ville est cofinancée (Data.Subvention #2001, #2216). Une CPO
couvre au plus `cpo_max_years` exercices consécutifs, un engagement par exercice, et seul le
premier est ferme (#1334, #1424) : les suivants sont « sous réserve du vote des crédits ».
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from quartiers.core.funding import int_parameter
from quartiers.core.funding.budget import ZERO, format_euros


class Decision(StrEnum):
    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"


DECISION_LABELS = {
    Decision.PENDING: "en attente de décision",
    Decision.GRANTED: "accordé",
    Decision.REFUSED: "refusé",
}


@dataclass(frozen=True)
class PlanLine:
    """Une ligne du plan : financeur, exercice, montant demandé, décision et montant accordé."""

    funder: str
    year: int
    requested: Decimal
    decision: Decision = Decision.PENDING
    granted: Decimal | None = None


@dataclass(frozen=True)
class PlanTotals:
    requested: Decimal
    granted: Decimal
    pending: Decimal
    by_funder: dict[str, Decimal]
    by_year: dict[int, Decimal]
    funders: int


def plan_totals(lines: Iterable[PlanLine]) -> PlanTotals:
    requested = granted = pending = ZERO
    by_funder: dict[str, Decimal] = {}
    by_year: dict[int, Decimal] = {}
    for line in lines:
        requested += line.requested
        by_funder[line.funder] = by_funder.get(line.funder, ZERO) + line.requested
        by_year[line.year] = by_year.get(line.year, ZERO) + line.requested
        if line.decision is Decision.GRANTED:
            granted += line.granted or ZERO
        elif line.decision is Decision.PENDING:
            pending += line.requested
    return PlanTotals(requested, granted, pending, by_funder, by_year, len(by_funder))


def decision_problems(line: PlanLine) -> list[str]:
    """Règles d'une décision : accordé ⇒ montant > 0 et ≤ demandé ; refusé ⇒ rien d'accordé."""
    if line.decision is Decision.GRANTED:
        if line.granted is None or line.granted <= ZERO:
            return ["un montant accordé supérieur à zéro est attendu"]
        if line.granted > line.requested:
            return [
                f"le montant accordé ({format_euros(line.granted)}) dépasse le montant demandé "
                f"({format_euros(line.requested)})"
            ]
    if line.decision is Decision.REFUSED and line.granted not in (None, ZERO):
        return ["un refus ne peut pas porter de montant accordé"]
    return []


@dataclass(frozen=True)
class Commitment:
    """Engagement d'un exercice d'une CPO : ferme (le premier) ou prévisionnel."""

    year: int
    amount: Decimal
    firm: bool

    @property
    def label(self) -> str:
        kind = "engagement ferme" if self.firm else "prévisionnel, sous réserve des crédits votés"
        return f"{self.year} : {format_euros(self.amount)} ({kind})"


def multi_year_problems(first_year: int, years: int, on: dt.date) -> list[str]:
    """Une demande couvre 1 exercice (annuelle) ou de 2 à `cpo_max_years` (CPO)."""
    maximum = int_parameter("cpo_max_years", on)
    if years < 1:
        return ["au moins un exercice est attendu"]
    if years > maximum:
        return [
            f"une convention pluriannuelle couvre au plus {maximum} exercices ({years} demandés)"
        ]
    if first_year < 2000 or first_year > 2100:
        return [f"premier exercice « {first_year} » invalide"]
    return []


def commitments(
    first_year: int, years: int, amounts_by_year: dict[int, Decimal], on: dt.date
) -> list[Commitment]:
    """Un engagement par exercice de la convention, le premier seul ferme.

    Lève `ValueError` (message français) pour un exercice hors convention ou une convention trop longue.
    """
    problems = multi_year_problems(first_year, years, on)
    if problems:
        raise ValueError(problems[0])
    covered = range(first_year, first_year + years)
    outside = sorted(set(amounts_by_year) - set(covered))
    if outside:
        raise ValueError(
            f"exercice {outside[0]} hors de la convention ({first_year}–{first_year + years - 1})"
        )
    firm_years = int_parameter("cpo_firm_years", on)
    return [
        Commitment(year, amounts_by_year.get(year, ZERO), index < firm_years)
        for index, year in enumerate(covered)
    ]


def years_of(first_year: int, years: int) -> Sequence[int]:
    return list(range(first_year, first_year + years))
