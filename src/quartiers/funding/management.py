"""Contrats de ville et appels à projets : création et modification par l'État et l'EPCI.

Règles (`funding.manage_contract`, `funding.manage_call`) : administrateur de la plateforme, chef
de projet contrat de ville de l'EPCI, instructeur de l'État du département. Les quartiers d'un
contrat sont pris dans les éditions des QPV **en vigueur** à son début et dans son département
(`zoning.services.perimeters`) ; la génération fixe la période (paramètres datés). Chaque
enregistrement est consigné au journal d'audit (avant → après).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from quartiers.accounts import audit
from quartiers.accounts.models import Organisation, User
from quartiers.accounts.permissions import authorize
from quartiers.core import accounts as core_accounts
from quartiers.core.funding import completeness, parameters
from quartiers.funding.models import CallForProjects, CityContract
from quartiers.funding.services import ServiceError, today

Problem = completeness.Problem
FUNDER_KINDS = {k.value for k in core_accounts.FUNDER_KINDS | core_accounts.STATE_KINDS}


def _lines(values: Sequence[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        text = value.strip()
        if text and text not in seen:
            seen.append(text)
    return seen


def qpv_choices(department_code: str, on: dt.date) -> dict[str, str]:
    """Les QPV du département dans les éditions en vigueur à cette date : code → nom."""
    from quartiers.zoning.services import perimeters

    return dict(perimeters(on=on, department=department_code).values_list("code", "name"))


@dataclass
class ContractInput:
    name: str
    epci_siren: str
    department_code: str
    generation: str
    region_code: str = ""
    epci_name: str = ""
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    qpv_codes: list[str] = field(default_factory=list)
    priorities: list[str] = field(default_factory=list)
    signatory_ids: list[int] = field(default_factory=list)


CONTRACT_FIELDS = (
    "name", "epci_siren", "epci_name", "region_code", "department_code", "generation",
    "starts_on", "ends_on", "qpv_codes", "priorities",
)  # fmt: skip


def _snapshot(obj: Any, names: Sequence[str]) -> dict[str, Any]:
    out = {}
    for name in names:
        value = getattr(obj, name)
        out[name] = value.isoformat() if isinstance(value, dt.date) else value
    return out


def save_contract(
    actor: User, data: ContractInput, contract: CityContract | None = None
) -> CityContract:
    """Crée ou modifie un contrat de ville (l'autorisation porte sur le contrat tel qu'enregistré)."""
    if contract is not None:
        authorize(actor, "funding.manage_contract", contract)
    problems: list[Problem] = []
    if not data.name.strip():
        problems.append(Problem("name", "le nom du contrat est obligatoire"))
    if not (data.epci_siren.isdigit() and len(data.epci_siren) == 9):
        problems.append(Problem("epci_siren", "SIREN de l'EPCI attendu (9 chiffres)"))
    if not data.department_code.strip():
        problems.append(Problem("department_code", "le département est obligatoire"))
    if data.generation not in CityContract.Generation.values:
        problems.append(Problem("generation", "génération 2015 ou 2024 attendue"))
        period: tuple[dt.date, dt.date] | None = None
    else:
        bounds = parameters()[f"generation_{data.generation}"].at(today())
        period = (dt.date.fromisoformat(bounds[0]), dt.date.fromisoformat(bounds[1]))
    starts_on = data.starts_on or (period[0] if period else None)
    ends_on = data.ends_on or (period[1] if period else None)
    if starts_on and ends_on and starts_on > ends_on:
        problems.append(Problem("ends_on", "la fin précède le début"))
    if period and starts_on and ends_on and (starts_on < period[0] or ends_on > period[1]):
        problems.append(
            Problem(
                "starts_on",
                f"la génération {data.generation} couvre du {period[0]:%d/%m/%Y} au "
                f"{period[1]:%d/%m/%Y}",
            )
        )
    codes = sorted({c.strip().upper() for c in data.qpv_codes if c.strip()})
    if starts_on and data.department_code.strip():
        available = qpv_choices(data.department_code.strip(), starts_on)
        if not available:
            problems.append(
                Problem(
                    "qpv_codes",
                    f"aucun QPV du département {data.department_code} dans les éditions en "
                    f"vigueur le {starts_on:%d/%m/%Y} (importez l'édition des périmètres)",
                )
            )
        for code in codes:
            if available and code not in available:
                problems.append(
                    Problem(
                        "qpv_codes",
                        f"{code} n'est pas un QPV du département {data.department_code} en "
                        f"vigueur le {starts_on:%d/%m/%Y}",
                    )
                )
    if not codes:
        problems.append(Problem("qpv_codes", "le contrat couvre au moins un quartier"))
    signatories = list(Organisation.objects.filter(pk__in=data.signatory_ids))
    if problems:
        raise ServiceError("le contrat de ville contient des erreurs", problems)
    assert starts_on is not None and ends_on is not None
    target = contract or CityContract()
    before = {} if contract is None else _snapshot(contract, CONTRACT_FIELDS)
    before_signatories = (
        [] if contract is None else sorted(contract.signatories.values_list("name", flat=True))
    )
    target.name = data.name.strip()
    target.epci_siren = data.epci_siren.strip()
    target.epci_name = data.epci_name.strip()
    target.region_code = data.region_code.strip()
    target.department_code = data.department_code.strip()
    target.generation = data.generation
    target.starts_on, target.ends_on = starts_on, ends_on
    target.qpv_codes = codes
    target.priorities = _lines(data.priorities)
    # Le compte doit pouvoir gérer le contrat tel qu'il sera (son EPCI, son département).
    authorize(actor, "funding.manage_contract", target)
    with transaction.atomic():
        target.save()
        target.signatories.set(signatories)
        changes = audit.diff(before, _snapshot(target, CONTRACT_FIELDS))
        after_signatories = sorted(o.name for o in signatories)
        if after_signatories != before_signatories:
            changes["signatories"] = (before_signatories, after_signatories)
        if changes or contract is None:
            action = "contract.created" if contract is None else "contract.updated"
            audit.record(actor, action, target, changes)
    return target


@dataclass
class CallInput:
    title: str
    year: int
    opens_on: dt.date | None
    closes_on: dt.date | None
    themes: list[str] = field(default_factory=list)
    preamble: str = ""
    eligibility: str = ""
    funder_ids: list[int] = field(default_factory=list)
    required_documents: list[str] = field(default_factory=list)
    scoring_grid: list[dict[str, Any]] = field(default_factory=list)


CALL_FIELDS = (
    "title", "year", "opens_on", "closes_on", "themes", "preamble", "eligibility",
    "required_documents", "scoring_grid",
)  # fmt: skip


def parse_grid(text: str) -> list[dict[str, Any]]:
    """« code ; libellé ; note maximale » par ligne → grille ; `ServiceError` sur sa ligne."""
    grid: list[dict[str, Any]] = []
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")]
        if len(parts) != 3 or not parts[2].isdigit():
            problems.append(
                Problem("scoring_grid", f"ligne {number} : « code ; libellé ; note maximale »")
            )
            continue
        grid.append({"code": parts[0], "label": parts[1], "max": int(parts[2])})
    if problems:
        raise ServiceError("la grille de notation est mal formée", problems)
    return grid


def save_call(
    actor: User, contract: CityContract, data: CallInput, call: CallForProjects | None = None
) -> CallForProjects:
    """Crée ou modifie un appel à projets du contrat : thèmes, dates, financeurs, pièces, grille."""
    target = call or CallForProjects(contract=contract)
    authorize(actor, "funding.manage_call", target)
    problems: list[Problem] = []
    if not data.title.strip():
        problems.append(Problem("title", "l'intitulé de l'appel est obligatoire"))
    if not (contract.starts_on.year <= data.year <= contract.ends_on.year):
        problems.append(
            Problem(
                "year",
                f"exercice hors du contrat ({contract.starts_on.year}–{contract.ends_on.year})",
            )
        )
    if data.opens_on is None or data.closes_on is None:
        problems.append(Problem("opens_on", "dates d'ouverture et de clôture attendues"))
    elif data.opens_on > data.closes_on:
        problems.append(Problem("closes_on", "la clôture précède l'ouverture"))
    themes = _lines(data.themes)
    if not themes:
        problems.append(Problem("themes", "au moins un thème"))
    funders = list(Organisation.objects.filter(pk__in=data.funder_ids))
    if not funders:
        problems.append(Problem("funder_ids", "au moins un financeur participe à l'appel"))
    for org in funders:
        if org.kind not in FUNDER_KINDS:
            problems.append(Problem("funder_ids", f"{org.name} n'est pas un financeur"))
    kinds = _lines(data.required_documents)
    for kind in kinds:
        if kind not in completeness.DOCUMENT_KINDS:
            problems.append(Problem("required_documents", f"pièce « {kind} » inconnue"))
    codes: set[str] = set()
    for index, criterion in enumerate(data.scoring_grid, start=1):
        code = str(criterion.get("code", "")).strip()
        maximum = criterion.get("max")
        if not code or not str(criterion.get("label", "")).strip():
            problems.append(Problem("scoring_grid", f"critère {index} : code et libellé attendus"))
        elif code in codes:
            problems.append(Problem("scoring_grid", f"critère {index} : code « {code} » en double"))
        if not isinstance(maximum, int) or not 1 <= maximum <= 100:
            problems.append(Problem("scoring_grid", f"critère {index} : note maximale de 1 à 100"))
        codes.add(code)
    if call is not None and call.applications.exists():
        old = {c["code"] for c in call.scoring_grid}
        if old != codes and call.applications.filter(opinions__isnull=False).exists():
            problems.append(
                Problem(
                    "scoring_grid",
                    "des avis sont déjà notés selon cette grille : ses critères ne changent plus",
                )
            )
    if problems:
        raise ServiceError("l'appel à projets contient des erreurs", problems)
    before = {} if call is None else _snapshot(call, CALL_FIELDS)
    before_funders = [] if call is None else sorted(call.funders.values_list("name", flat=True))
    target.title = data.title.strip()
    target.year = data.year
    assert data.opens_on is not None and data.closes_on is not None
    target.opens_on, target.closes_on = data.opens_on, data.closes_on
    target.themes = themes
    target.preamble = data.preamble.strip()
    target.eligibility = data.eligibility.strip()
    target.required_documents = kinds
    target.scoring_grid = [
        {"code": str(c["code"]).strip(), "label": str(c["label"]).strip(), "max": int(c["max"])}
        for c in data.scoring_grid
    ]
    with transaction.atomic():
        target.save()
        target.funders.set(funders)
        changes = audit.diff(before, _snapshot(target, CALL_FIELDS))
        after_funders = sorted(o.name for o in funders)
        if after_funders != before_funders:
            changes["funders"] = (before_funders, after_funders)
        if changes or call is None:
            audit.record(actor, "call.created" if call is None else "call.updated", target, changes)
    return target


def manageable_contracts(user: Any) -> list[CityContract]:
    """Les contrats que ce compte peut gérer (même règle que `funding.manage_contract`)."""
    from quartiers.accounts.permissions import can

    return [
        c
        for c in CityContract.objects.prefetch_related("calls").order_by("-starts_on", "name")
        if can(user, "funding.manage_contract", c)
    ]


def funder_choices() -> list[Organisation]:
    return list(Organisation.objects.filter(kind__in=sorted(FUNDER_KINDS)).order_by("name"))
