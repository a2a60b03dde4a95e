"""Les réponses du moteur de règles : verdicts, statuts des conditions, montants, résultat d'un dispositif.

Des données simples, sérialisables (`as_dict`), lues par le web, l'API et les traitements par lots
sans rien savoir de l'évaluation (`quartiers.core.rules.evaluation`). Verdict : une condition non
remplie → `not_eligible` ; sinon un fait manquant → `missing_facts` ; sinon `eligible`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from quartiers.core.rules.facts import FACT_BY_NAME


class Verdict(StrEnum):
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    MISSING_FACTS = "missing_facts"


VERDICT_LABELS = {
    Verdict.ELIGIBLE: "Éligible",
    Verdict.NOT_ELIGIBLE: "Non éligible",
    Verdict.MISSING_FACTS: "Réponses manquantes",
}


class Status(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


STATUS_LABELS = {Status.MET: "remplie", Status.NOT_MET: "non remplie", Status.UNKNOWN: "inconnue"}


@dataclass
class ConditionResult:
    key: str
    label: str
    status: Status
    value: str = ""
    reference: str = ""
    reason: str = ""
    missing: tuple[str, ...] = ()
    to_check: bool = False
    children: list[ConditionResult] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "status": self.status.value,
            "value": self.value,
            "reference": self.reference,
            "reason": self.reason,
            "missing_facts": list(self.missing),
            "to_check": self.to_check,
            "children": [c.as_dict() for c in self.children],
        }


@dataclass(frozen=True)
class Amount:
    key: str
    label: str
    value: Decimal
    unit: str
    computation: str
    reference: str
    to_check: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "value": str(self.value),
            "unit": self.unit,
            "computation": self.computation,
            "reference": self.reference,
            "to_check": self.to_check,
        }


@dataclass
class ProgrammeResult:
    slug: str
    title: str
    verdict: Verdict
    on: dt.date
    key_date: dt.date | None
    key_date_label: str
    conditions: list[ConditionResult]
    amounts: list[Amount]
    missing_facts: list[str]
    notes: list[str]
    to_check: bool

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    def what_would_change(self) -> list[str]:
        """Ce qui changerait la réponse : les conditions non remplies, les réponses manquantes."""
        changes = [
            f"{c.label} ({c.reason})" if c.reason else c.label
            for c in self.conditions
            if c.status is Status.NOT_MET
        ]
        if self.verdict is Verdict.MISSING_FACTS:
            changes += [
                f"Répondre : {FACT_BY_NAME[name].label}"
                for name in self.missing_facts
                if name in FACT_BY_NAME
            ]
        return changes

    def main_amount(self) -> Amount | None:
        return self.amounts[0] if self.amounts else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "programme": self.slug,
            "title": self.title,
            "verdict": self.verdict.value,
            "verdict_label": self.verdict_label,
            "date": self.on.isoformat(),
            "key_date": self.key_date.isoformat() if self.key_date else None,
            "key_date_label": self.key_date_label,
            "conditions": [c.as_dict() for c in self.conditions],
            "amounts": [a.as_dict() for a in self.amounts],
            "missing_facts": [
                {"name": n, "label": FACT_BY_NAME[n].label if n in FACT_BY_NAME else n}
                for n in self.missing_facts
            ],
            "notes": list(self.notes),
            "what_would_change": self.what_would_change(),
            "to_check": self.to_check,
        }
