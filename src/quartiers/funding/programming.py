"""Import d'une programmation existante (export Dauphin ou tableur, CSV ou XLSX) et export CSV
ou XLSX des plans de financement.

Import tout ou rien : chaque ligne (une action × un financeur) est vérifiée d'abord ; la moindre
erreur (« ligne 4, colonne siret : … ») et rien n'est écrit. Les lignes de même `reference`
forment une seule demande, ses actions numérotées par `action` : jamais de doublon.
"""

from __future__ import annotations

import csv
import datetime as dt
import uuid
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from django.db import transaction

from quartiers.accounts.models import Organisation, User
from quartiers.accounts.permissions import authorize
from quartiers.core import accounts as core_accounts
from quartiers.core.csvfile import dict_rows, neutralise
from quartiers.core.funding import budget as core_budget
from quartiers.core.funding.workflow import Status
from quartiers.funding.models import (
    Action,
    CallForProjects,
    FundingLine,
    GrantApplication,
    audited_save,
)

COLUMNS = ("reference", "siret", "intitule", "theme", "action", "intitule_action", "qpv",
           "financeur", "montant_demande")  # fmt: skip
EXPORT_COLUMNS = ("reference", "action", "intitule", "statut", "porteur", "siret", "appel",
                  "exercice", "financeur", "montant_demande", "decision", "montant_accorde")  # fmt: skip


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"ligne {self.line}, colonne « {self.column} » : {self.message}"


class ImportRefused(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} erreur(s) : rien n'a été importé")
        self.errors = errors


@dataclass
class _Planned:
    siret: str
    title: str
    theme: str
    actions: dict[int, tuple[str, list[str]]] = field(default_factory=dict)
    lines: list[tuple[int, int, Decimal]] = field(default_factory=list)


@dataclass(frozen=True)
class ImportResult:
    applications: int
    actions: int
    funding_lines: int


def import_programming(
    actor: User, call: CallForProjects, rows: Iterable[Mapping[str, str]], header: Iterable[str]
) -> ImportResult:
    authorize(actor, "funding.manage_call", call)
    missing = [c for c in COLUMNS if c not in set(header)]
    if missing:
        raise ImportRefused([RowError(1, c, "colonne absente de l'en-tête") for c in missing])
    funders = {o.name.casefold(): o for o in call.funders.all()}
    errors: list[RowError] = []
    planned: dict[str, _Planned] = {}
    organisations: dict[str, Organisation] = {}
    for line, row in enumerate(rows, start=2):
        if not any(v.strip() if isinstance(v, str) else v for v in row.values()):
            continue  # ligne vide (tableur) : ignorée, la numérotation reste celle du fichier
        found: list[RowError] = []
        ref = (row.get("reference") or "").strip()
        if not ref:
            found.append(RowError(line, "reference", "valeur requise"))
        siret = ""
        try:
            siret = core_accounts.validate_siret(row.get("siret") or "")
        except core_accounts.InvalidIdentifier as exc:
            found.append(RowError(line, "siret", exc.expected))
        org = None
        if siret:
            org = organisations.get(siret) or Organisation.objects.filter(siret=siret).first()
            if org is None:
                found.append(
                    RowError(line, "siret", f"structure {siret} inconnue : créez-la d'abord")
                )
            else:
                organisations[siret] = org
        funder = funders.get((row.get("financeur") or "").strip().casefold())
        if funder is None:
            found.append(
                RowError(
                    line, "financeur",
                    f"« {row.get('financeur')} » ne participe pas à l'appel "
                    f"(attendu : {', '.join(sorted(o.name for o in funders.values()))})",
                )
            )  # fmt: skip
        amount = Decimal(0)
        try:
            amount = core_budget.parse_amount(row.get("montant_demande") or "", "montant")
        except core_budget.BudgetError as exc:
            found.append(RowError(line, "montant_demande", exc.message))
        number_text = (row.get("action") or "1").strip()
        if not number_text.isdigit() or int(number_text) < 1:
            found.append(RowError(line, "action", "numéro d'action entier ≥ 1 attendu"))
        qpv = [c for c in (row.get("qpv") or "").replace(",", " ").split() if c]
        unknown = [c for c in qpv if call.contract.qpv_codes and c not in call.contract.qpv_codes]
        if unknown:
            found.append(RowError(line, "qpv", f"quartier(s) hors contrat : {', '.join(unknown)}"))
        if found or funder is None or org is None:
            errors += found
            continue
        plan = planned.setdefault(
            ref,
            _Planned(siret, (row.get("intitule") or "").strip(), (row.get("theme") or "").strip()),
        )
        if plan.siret != siret:
            errors.append(RowError(line, "siret", f"la demande {ref} a déjà le SIRET {plan.siret}"))
            continue
        number = int(number_text)
        plan.actions.setdefault(number, ((row.get("intitule_action") or "").strip(), qpv))
        if any(n == number and f == funder.pk for n, f, _ in plan.lines):
            errors.append(RowError(line, "financeur", f"ligne en double pour l'action {number}"))
            continue
        plan.lines.append((number, funder.pk, amount))
    if not planned and not errors:
        errors.append(RowError(2, "reference", "le fichier ne contient aucune ligne"))
    if errors:
        raise ImportRefused(errors)
    actions = lines = 0
    contract = call.contract
    with transaction.atomic():
        for ref, plan in planned.items():
            app = GrantApplication(
                reference=f"tmp-{uuid.uuid4().hex[:12]}",
                call=call, applicant=organisations[plan.siret], title=plan.title, theme=plan.theme,
                first_year=call.year, region_code=contract.region_code,
                department_code=contract.department_code, epci_siren=contract.epci_siren,
                created_by=actor, updated_by=actor,
                requested_total=sum((a for _, _, a in plan.lines), Decimal(0)),
                qpv_codes=sorted({c for _, q in plan.actions.values() for c in q}),
            )  # fmt: skip
            audited_save(
                app, actor, "application.imported",
                extra={"status": (None, Status.DRAFT.value), "source": (None, ref)},
            )  # fmt: skip
            app.reference = f"{call.year}-{contract.department_code}-{app.pk:06d}"
            GrantApplication.objects.filter(pk=app.pk).update(reference=app.reference)
            by_number = {}
            for number, (title, qpv) in sorted(plan.actions.items()):
                by_number[number] = Action.objects.create(
                    application=app, number=number, title=title, qpv_codes=qpv
                )
                actions += 1
            for number, funder_id, amount in plan.lines:
                fl = FundingLine(
                    action=by_number[number], funder_id=funder_id, year=call.year, requested=amount
                )
                audited_save(
                    fl, actor, "application.funding_imported",
                    extra={"requested": (None, str(amount))}, target=app,
                )  # fmt: skip
                lines += 1
    return ImportResult(len(planned), actions, lines)


XLSX_MAGIC = b"PK\x03\x04"
MAX_XLSX_ROWS = 200_000
AMOUNT_COLUMNS = frozenset({"montant_demande", "montant_accorde"})


def is_xlsx(path: str | Path) -> bool:
    """Un classeur XLSX se reconnaît à son contenu (archive ZIP), jamais à son extension."""
    with open(path, "rb") as handle:
        return handle.read(4) == XLSX_MAGIC


def _cell_text(value: Any, column: str) -> str:
    """Une cellule de tableur en texte, comme l'aurait écrite un CSV."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        text = str(value)
        # Un tableur a lu le SIRET comme un nombre et perdu ses zéros de tête.
        return text.zfill(14) if column == "siret" and len(text) < 14 else text
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def xlsx_rows(path: str | Path) -> tuple[list[str], list[dict[str, str]]]:
    """En-tête et lignes de la première feuille (valeurs calculées, jamais les formules)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportRefused([RowError(1, "fichier", f"classeur XLSX illisible ({exc})")]) from None
    try:
        sheet = workbook.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        first = next(lines, None)
        if first is None:
            raise ImportRefused([RowError(1, "fichier", "feuille vide, sans ligne d'en-tête")])
        header = [_cell_text(v, "").casefold() for v in first]
        rows = []
        for number, values in enumerate(lines, start=2):
            if number > MAX_XLSX_ROWS:
                raise ImportRefused(
                    [RowError(number, "fichier", f"au plus {MAX_XLSX_ROWS} lignes par import")]
                )
            rows.append(
                {
                    name: _cell_text(value, name)
                    for name, value in zip(header, values, strict=False)
                    if name
                }
            )
        return header, rows
    finally:
        workbook.close()


def import_file(actor: User, call: CallForProjects, path: str | Path) -> ImportResult:
    """CSV (UTF-8 ou Latin-1, « ; » ou « , ») ou XLSX (première feuille), tout ou rien."""
    if is_xlsx(path):
        header, xrows = xlsx_rows(path)
        return import_programming(actor, call, xrows, header)
    header, rows = dict_rows(path)
    return import_programming(actor, call, list(rows), header)


def write_export(rows: Iterable[Mapping[str, Any]], out: TextIO) -> int:
    """CSV « ; » : chaque cellule qui ressemblerait à une formule est rendue inerte."""
    writer = csv.writer(out, delimiter=";")
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for row in rows:
        writer.writerow([neutralise(row.get(c, "")) for c in EXPORT_COLUMNS])
        count += 1
    return count


def write_export_xlsx(rows: Iterable[Mapping[str, Any]], out: str | Path | BinaryIO) -> int:
    """Classeur XLSX (feuille « Financements ») : montants en nombres au centime, textes
    toujours en texte (jamais interprétés comme formules), en flux (mémoire bornée)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Financements")
    sheet.append(list(EXPORT_COLUMNS))
    count = 0
    for row in rows:
        cells = []
        for column in EXPORT_COLUMNS:
            value = row.get(column, "")
            if column in AMOUNT_COLUMNS and value not in ("", None):
                # openpyxl écrit un Decimal tel quel (exact) ; ses annotations l'ignorent.
                cell = WriteOnlyCell(sheet, value=Decimal(str(value)))  # type: ignore[arg-type]
                cell.number_format = "#,##0.00"
            elif column == "exercice" and str(value).isdigit():
                cell = WriteOnlyCell(sheet, value=int(value))
            else:
                cell = WriteOnlyCell(sheet, value=None)
                cell.value = str(value)
                cell.data_type = "s"  # texte, même « =… » : jamais une formule
            cells.append(cell)
        sheet.append(cells)
        count += 1
    workbook.save(out)
    return count
