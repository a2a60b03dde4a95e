"""Complétude d'une demande avant transmission : chaque manque nommé sur son champ, en français.

La page place chaque message sous son champ ; l'API et la ligne de commande les listent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from quartiers.core.funding.budget import ZERO, BudgetEntry, balance_problems, format_euros, totals
from quartiers.core.funding.plan import PlanLine, multi_year_problems, plan_totals


@dataclass(frozen=True)
class Problem:
    """Un manque : le champ (`actions.1.budget`) et la phrase française."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field} : {self.message}"


@dataclass(frozen=True)
class ActionFacts:
    number: int
    title: str
    objectives: str
    public: str
    qpv_codes: Sequence[str]
    beneficiaries: int | None
    qpv_share: Decimal | None
    starts_on: dt.date | None
    ends_on: dt.date | None
    budget: Sequence[BudgetEntry]
    plan: Sequence[PlanLine]


@dataclass(frozen=True)
class DocumentFacts:
    """Une pièce de la structure ou de la demande : sa nature et sa période de validité."""

    kind: str
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None

    def valid_on(self, on: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_until is None or on <= self.valid_until
        )


# Les pièces d'une structure (Dauphin, « Votre tiers ») : code → libellé.
DOCUMENT_KINDS: dict[str, str] = {
    "statuts": "Statuts",
    "rib": "RIB",
    "avis_siren": "Avis de situation SIREN",
    "proces_verbal": "Procès-verbal de l'assemblée générale",
    "rapport_activite": "Rapport d'activité",
    "comptes_annuels": "Comptes annuels",
    "attestation": "Attestation sur l'honneur",
    "autre": "Autre pièce",
}


def document_problems(
    required: Sequence[str], documents: Sequence[DocumentFacts], on: dt.date
) -> list[Problem]:
    """Chaque pièce exigée par l'appel : présente, et valable à la date de la transmission."""
    found: list[Problem] = []
    for kind in required:
        label = DOCUMENT_KINDS.get(kind, kind)
        same = [d for d in documents if d.kind == kind]
        if not same:
            found.append(Problem(f"documents.{kind}", f"pièce obligatoire manquante : {label}"))
        elif not any(d.valid_on(on) for d in same):
            ends = [d.valid_until for d in same if d.valid_until is not None and d.valid_until < on]
            starts = [d.valid_from for d in same if d.valid_from is not None and d.valid_from > on]
            if ends:
                why = f"périmée depuis le {max(ends):%d/%m/%Y}"
            else:
                why = f"valable seulement à partir du {min(starts):%d/%m/%Y}"
            found.append(
                Problem(
                    f"documents.{kind}",
                    f"pièce obligatoire {why} : {label} (déposez-en une à jour)",
                )
            )
    return found


@dataclass(frozen=True)
class ApplicationFacts:
    title: str
    applicant_siret: str
    first_year: int
    years: int
    attested: bool
    actions: Sequence[ActionFacts]
    contract_qpv_codes: Sequence[str] = ()
    required_documents: Sequence[str] = ()
    documents: Sequence[DocumentFacts] = field(default_factory=tuple)
    signatory_attested: bool = True


def problems(app: ApplicationFacts, on: dt.date) -> list[Problem]:
    """Tout ce qui manque pour transmettre la demande ; liste vide : la demande est complète."""
    found: list[Problem] = []
    if not app.title.strip():
        found.append(Problem("title", "l'intitulé de la demande est obligatoire"))
    if not app.applicant_siret:
        found.append(
            Problem("applicant", "le SIRET de la structure est obligatoire (fiche « Votre tiers »)")
        )
    found += [Problem("years", p) for p in multi_year_problems(app.first_year, app.years, on)]
    if not app.actions:
        found.append(Problem("actions", "la demande doit décrire au moins une action"))
    for action in app.actions:
        found += _action_problems(app, action, on)
    found += document_problems(app.required_documents, app.documents, on)
    if not app.attested:
        found.append(
            Problem("attestation", "l'attestation sur l'honneur d'un signataire est obligatoire")
        )
    elif not app.signatory_attested:
        found.append(
            Problem(
                "attestation",
                "l'attestation sur l'honneur a été signée par une personne qui n'est plus "
                "signataire de la structure : un signataire doit la signer à nouveau",
            )
        )
    return found


def _action_problems(app: ApplicationFacts, action: ActionFacts, on: dt.date) -> list[Problem]:
    where = f"actions.{action.number}"
    label = f"action n° {action.number}"
    found: list[Problem] = []
    for name, value, text in (
        ("title", action.title, "intitulé manquant"),
        ("objectives", action.objectives, "objectifs manquants"),
        ("public", action.public, "public visé manquant"),
    ):
        if not value.strip():
            found.append(Problem(f"{where}.{name}", f"{label} : {text}"))
    if not action.qpv_codes:
        found.append(
            Problem(f"{where}.qpv_codes", f"{label} : indiquez au moins un quartier (QPV)")
        )
    outside = [
        c for c in action.qpv_codes if app.contract_qpv_codes and c not in app.contract_qpv_codes
    ]
    if outside:
        found.append(
            Problem(
                f"{where}.qpv_codes",
                f"{label} : quartier(s) hors du contrat de ville : {', '.join(outside)}",
            )
        )
    if action.beneficiaries is None or action.beneficiaries <= 0:
        found.append(
            Problem(f"{where}.beneficiaries", f"{label} : nombre de bénéficiaires attendu")
        )
    if action.qpv_share is None or not ZERO <= action.qpv_share <= Decimal(100):
        found.append(
            Problem(
                f"{where}.qpv_share",
                f"{label} : part des bénéficiaires habitant en QPV attendue (0 à 100 %)",
            )
        )
    if action.starts_on is None or action.ends_on is None:
        found.append(Problem(f"{where}.dates", f"{label} : dates de début et de fin attendues"))
    elif action.ends_on < action.starts_on:
        found.append(
            Problem(
                f"{where}.dates", f"{label} : la fin ({action.ends_on:%d/%m/%Y}) précède le début"
            )
        )
    if not action.budget:
        found.append(Problem(f"{where}.budget", f"{label} : le budget prévisionnel est vide"))
    else:
        found += [
            Problem(f"{where}.budget", f"{label} : {p}")
            for p in balance_problems(action.budget, on)
        ]
    if not action.plan:
        found.append(
            Problem(f"{where}.plan", f"{label} : le plan de financement n'a aucun financeur")
        )
    else:
        first_year = [line for line in action.plan if line.year == app.first_year]
        plan = plan_totals(first_year)
        subsidies = totals(action.budget).subsidies
        if action.budget and plan.requested != subsidies:
            found.append(
                Problem(
                    f"{where}.plan",
                    f"{label} : les montants demandés pour {app.first_year} "
                    f"({format_euros(plan.requested)}) ne correspondent pas aux subventions du "
                    f"budget, compte 74 ({format_euros(subsidies)})",
                )
            )
        years = set(range(app.first_year, app.first_year + app.years))
        stray = sorted({line.year for line in action.plan} - years)
        if stray:
            found.append(
                Problem(
                    f"{where}.plan",
                    f"{label} : exercice {stray[0]} hors de la période demandée",
                )
            )
    return found
