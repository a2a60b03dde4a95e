"""Fichiers d'indicateurs de l'INSEE (« Données par thématique » des QPV, Filosofi par territoire).

Trois mises en page réelles sont lues telles quelles (référence : funding-and-governance.md §13) :
le CSV tel que l'INSEE le publie (`;`, virgule décimale, guillemets ou non), le même ré-enregistré
depuis le tableur (BOM, espaces fines U+202F comme séparateur des milliers, colonnes vides à
droite), et les fichiers par territoire de Filosofi (point décimal). Une case vide est un **secret
statistique** ou une valeur non publiée : elle reste vide, jamais zéro. Les colonnes `NOTE_*` sont
des indicateurs de qualité, gardés comme texte. Tout est vérifié avant d'être rendu : la moindre
erreur refuse le fichier entier (`IndicatorFileError`, avec la ligne, la colonne et l'attendu).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path

from quartiers.core.csvfile import CsvFileError, sniff


class Level(StrEnum):
    """Niveau géographique d'une ligne : le QPV ou un territoire de comparaison."""

    QPV = "qpv"
    ALL_QPV = "ensemble_qpv"
    COMMUNE = "commune"
    EPCI = "epci"
    URBAN_UNIT = "uu"
    DEPARTMENT = "departement"
    REGION = "region"
    FRANCE = "france"


LEVEL_LABELS = {
    Level.QPV: "quartier prioritaire",
    Level.ALL_QPV: "ensemble des QPV",
    Level.COMMUNE: "commune",
    Level.EPCI: "EPCI",
    Level.URBAN_UNIT: "unité urbaine",
    Level.DEPARTMENT: "département",
    Level.REGION: "région",
    Level.FRANCE: "France",
}
CODE_COLUMNS = ("CODGEO", "CODE_QP", "CODE", "INSEE_CODE", "CODE_GEO")
NAME_COLUMNS = ("LIBGEO", "NOM_QP", "LIB_QP", "LIBELLE")
TEXT_COLUMNS = frozenset({"LIB_COM", "NOM_COMMUNE", "COMMUNE_QP", "LIB_EPCI", "LIBGEO", "NOM_QP"})
ALL_QPV_CODES = frozenset({"ENSEMBLE"})
THOUSANDS = ("\u202f", "\u00a0", " ")
CODE_PATTERNS: dict[Level, re.Pattern[str]] = {
    Level.QPV: re.compile(r"^(QP[0-9]{2}[0-9AB][0-9]{3}|QN[0-9]{2}[0-9AB][0-9]{2}[0-9A-Z])$"),
    Level.COMMUNE: re.compile(r"^(\d{5}|2[AB]\d{3})$"),
    Level.EPCI: re.compile(r"^\d{9}$"),
    Level.URBAN_UNIT: re.compile(r"^[0-9A-Z]{5}$"),
    Level.DEPARTMENT: re.compile(r"^(\d{2,3}|2[AB])$"),
    Level.REGION: re.compile(r"^\d{2}$"),
    Level.FRANCE: re.compile(r"^(1|FR|FRANCE|METRO)$"),
}
# Niveau déduit du nom des fichiers Filosofi par territoire (cc_filosofi_2018_DEP-geo2021.CSV…).
LEVEL_IN_NAME = (
    ("_DEP", Level.DEPARTMENT),
    ("_REG", Level.REGION),
    ("_UU", Level.URBAN_UNIT),
    ("_EPCI", Level.EPCI),
    ("_COM", Level.COMMUNE),
    ("_METRO", Level.FRANCE),
)
MAX_PROBLEMS = 20


@dataclass(frozen=True)
class Problem:
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [
            p
            for p in (
                f"ligne {self.line}" if self.line else "",
                self.column and f"colonne « {self.column} »",
            )
            if p
        ]
        return (", ".join(where) + " : " if where else "") + self.message


@dataclass
class IndicatorFileError(ValueError):
    """Le fichier est refusé en entier ; rien n'a été importé."""

    name: str
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        shown = [f"  - {p}" for p in self.problems[:MAX_PROBLEMS]]
        more = len(self.problems) - len(shown)
        tail = [f"  … et {more} autre(s) problème(s)."] if more > 0 else []
        return "\n".join([f"Fichier « {self.name} » refusé, rien n'a été importé :", *shown, *tail])


@dataclass(frozen=True)
class TerritoryRow:
    """Une ligne : le territoire, ses valeurs (None = secret ou non publié), ses drapeaux NOTE_*."""

    level: Level
    code: str
    name: str
    values: Mapping[str, Decimal | None]
    flags: Mapping[str, str]
    texts: Mapping[str, str]


@dataclass(frozen=True)
class IndicatorTable:
    """Le contenu validé d'un fichier : ses indicateurs (dans l'ordre) et ses lignes."""

    name: str
    indicators: tuple[str, ...]
    rows: tuple[TerritoryRow, ...]

    def total(self, indicator: str, level: Level = Level.QPV) -> Decimal:
        """Somme d'un indicateur sur les lignes d'un niveau (cases secrètes ignorées)."""
        return sum(
            (
                v
                for r in self.rows
                if r.level is level and (v := r.values.get(indicator)) is not None
            ),
            Decimal(0),
        )

    def count(self, level: Level = Level.QPV) -> int:
        return sum(1 for r in self.rows if r.level is level)


def parse_number(text: str) -> Decimal | None:
    """« 6 490 », « 52,1 », « 14 010 », « -17.3 » → Decimal ; vide → None ; sinon `ValueError`."""
    raw = text.strip()
    for sep in THOUSANDS:
        raw = raw.replace(sep, "")
    if not raw:
        return None
    if "," in raw and "." not in raw:
        raw = raw.replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite():
        raise ValueError(text)
    return value


def level_from_name(name: str) -> Level | None:
    upper = name.upper()
    for marker, level in LEVEL_IN_NAME:
        if marker in upper:
            return level
    return None


def _level_of(code: str, forced: Level | None) -> Level | None:
    if code.upper() in ALL_QPV_CODES:
        return Level.ALL_QPV
    if forced is not None:
        return forced if CODE_PATTERNS[forced].match(code) else None
    return Level.QPV if CODE_PATTERNS[Level.QPV].match(code) else None


def read_indicator_file(
    path: str | Path, level: Level | None = None, name: str | None = None
) -> IndicatorTable:
    """Lit et valide tout le fichier ; `IndicatorFileError` (ligne, colonne, attendu) sinon.

    `level` : niveau des lignes (défaut : QPV, ou le niveau lu dans le nom d'un fichier Filosofi).
    """
    shown = name or Path(path).name
    forced = level or level_from_name(shown)
    try:
        dialect = sniff(path, shown)
    except CsvFileError as exc:
        raise IndicatorFileError(shown, [Problem(None, None, str(exc))]) from None
    with open(path, encoding=dialect.encoding, errors="strict", newline="") as handle:
        try:
            lines = list(csv.reader(handle, delimiter=dialect.delimiter))
        except UnicodeDecodeError as exc:
            problem = Problem(
                None, None, f"encodage incohérent (octet {exc.start}) : UTF-8 ou Latin-1 attendu"
            )
            raise IndicatorFileError(shown, [problem]) from None
    if not lines:
        raise IndicatorFileError(shown, [Problem(None, None, "fichier vide")])
    header = [h.strip().upper() for h in lines[0]]
    named = [
        i for i, h in enumerate(header) if h
    ]  # colonnes vides laissées par le tableur : ignorées
    problems: list[Problem] = []
    code_i = next((i for i in named if header[i] in CODE_COLUMNS), None)
    if len(named) < 2 or code_i is None:
        found = ", ".join(f"« {h} »" for h in header[:12] if h)
        problems.append(
            Problem(
                1,
                None,
                "colonne de code du territoire introuvable (CODGEO attendu) et au moins une colonne "
                f"d'indicateur ; séparateur attendu « ; » ou « , » ; colonnes lues : {found}",
            )
        )
        raise IndicatorFileError(shown, problems)
    name_i = next((i for i in named if header[i] in NAME_COLUMNS), None)
    duplicates = sorted(
        {header[i] for i in named if [header[j] for j in named].count(header[i]) > 1}
    )
    if duplicates:
        problems.append(Problem(1, ", ".join(duplicates), "colonne en double"))
    flag_cols = [i for i in named if header[i].startswith("NOTE_")]
    text_cols = [i for i in named if header[i] in TEXT_COLUMNS and i not in (code_i, name_i)]
    value_cols = [i for i in named if i not in (code_i, name_i, *flag_cols, *text_cols)]
    needed = named[-1] + 1  # une ligne va au moins jusqu'à la dernière colonne nommée
    rows: list[TerritoryRow] = []
    seen: dict[str, int] = {}
    for number, cells in enumerate(lines[1:], start=2):
        if len(problems) > 5 * MAX_PROBLEMS:
            break
        if not any(c.strip() for c in cells):
            continue
        padded = cells + [""] * (len(header) - len(cells))
        if len(cells) < needed or any(c.strip() for c in padded[len(header) :]):
            problems.append(
                Problem(
                    number,
                    None,
                    f"{len(cells)} case(s) pour {needed} colonnes nommées : séparateur ou ligne "
                    "tronquée ?",
                )
            )
            continue
        code = padded[code_i].strip().upper()
        row_level = _level_of(code, forced)
        if row_level is None:
            expected = LEVEL_LABELS[forced] if forced else "quartier prioritaire (QP0ddnnn ou QN…)"
            problems.append(
                Problem(
                    number,
                    header[code_i],
                    f"code « {padded[code_i].strip()} » inconnu : code de {expected} attendu",
                )
            )
            continue
        if code in seen:
            problems.append(
                Problem(
                    number, header[code_i], f"code « {code} » en double (déjà ligne {seen[code]})"
                )
            )
            continue
        seen[code] = number
        values: dict[str, Decimal | None] = {}
        for i in value_cols:
            try:
                values[header[i]] = parse_number(padded[i])
            except ValueError:
                problems.append(
                    Problem(
                        number,
                        header[i],
                        f"valeur « {padded[i].strip()} » : nombre attendu (vide si secret)",
                    )
                )
        rows.append(
            TerritoryRow(
                level=row_level,
                code=code,
                name=padded[name_i].strip() if name_i is not None else "",
                values=values,
                flags={header[i]: padded[i].strip() for i in flag_cols if padded[i].strip()},
                texts={header[i]: padded[i].strip() for i in text_cols if padded[i].strip()},
            )
        )
    if not rows and not problems:
        problems.append(Problem(None, None, "aucune ligne de données sous l'en-tête"))
    if problems:
        raise IndicatorFileError(shown, problems)
    return IndicatorTable(shown, tuple(header[i] for i in value_cols), tuple(rows))


def value_columns(table: IndicatorTable) -> Sequence[str]:
    return table.indicators
