"""Cas d'usage de l'observatoire : importer un fichier d'indicateurs, lire le profil d'un QPV.

Import **tout ou rien** : le fichier est lu et validé en entier (`core.indicators.files`) avant la
moindre écriture, puis le millésime est remplacé d'un bloc dans une transaction — identique sur
SQLite et PostgreSQL. Pages, API et ligne de commande passent par ici.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from quartiers.core.indicators.dictionary import derived, indicator
from quartiers.core.indicators.files import IndicatorTable, Level, read_indicator_file
from quartiers.observatory.models import IndicatorSource, TerritoryIndicators

THEMES = ("DEMO", "REVN", "IPRO", "EDUC", "LOGT", "TECO", "FILO")
FIELD_LIMITS = {"source": 60, "theme": 60}


class ObservatoryError(ValueError):
    """Demande refusée (millésime, thème, code inconnus) ; message en français."""


@dataclass(frozen=True)
class ImportReport:
    source: str
    theme: str
    year: int
    level: str
    rows: int
    indicators: int
    replaced: bool

    def summary(self) -> str:
        verb = "remplacé" if self.replaced else "créé"
        return (
            f"Millésime {self.source} {self.theme} {self.year} ({self.level}) {verb} : "
            f"{self.rows} territoire(s), {self.indicators} indicateur(s)."
        )


def theme_from_name(name: str) -> str:
    upper = Path(name).stem.upper()
    for theme in THEMES:
        if theme in upper:
            return theme
    return re.sub(r"[^A-Z0-9_]+", "_", upper).strip("_")[:60] or "FICHIER"


def year_from_name(name: str) -> int | None:
    found = re.findall(r"(?<!\d)(20\d{2}|19\d{2})(?!\d)", Path(name).stem)
    if found:
        return int(found[0])
    short = re.findall(r"(?i)(?:filo|_)(\d{2})(?=_|$)", Path(name).stem)
    return 2000 + int(short[0]) if short else None


def import_indicators(
    path: str | Path,
    source: str = "insee",
    year: int | None = None,
    theme: str | None = None,
    level: Level | None = None,
    zoning_edition: str = "2015",
    name: str | None = None,
) -> ImportReport:
    """Importe un fichier de l'INSEE ; remplace le millésime s'il existe. Rien ne change en cas d'erreur."""
    shown = name or Path(path).name
    year = year or year_from_name(shown)
    if year is None:
        raise ObservatoryError(f"millésime introuvable dans « {shown} » : indiquez --year")
    if not 1900 <= year <= 2100:
        raise ObservatoryError(f"millésime {year} invalide : une année entre 1900 et 2100 attendue")
    theme = (theme or theme_from_name(shown)).upper()
    for label, value in (("source", source), ("theme", theme)):
        if not value or len(value) > FIELD_LIMITS[label]:
            raise ObservatoryError(
                f"{label} « {value} » : 1 à {FIELD_LIMITS[label]} caractères attendus"
            )
    table = read_indicator_file(path, level, shown)
    return _save(table, source, theme, year, zoning_edition, shown)


def _save(
    table: IndicatorTable, source: str, theme: str, year: int, edition: str, file_name: str
) -> ImportReport:
    levels: set[Level] = {r.level for r in table.rows if r.level is not Level.ALL_QPV}
    main = next(iter(levels)) if len(levels) == 1 else Level.QPV
    with transaction.atomic():
        existing = IndicatorSource.objects.filter(
            source=source, theme=theme, year=year, level=main.value
        )
        replaced = existing.exists()
        existing.delete()
        saved = IndicatorSource.objects.create(
            source=source,
            theme=theme,
            year=year,
            level=main.value,
            file_name=file_name[:300],
            zoning_edition=edition if main is Level.QPV else "",
            indicators=list(table.indicators),
            row_count=len(table.rows),
        )
        TerritoryIndicators.objects.bulk_create(
            [
                TerritoryIndicators(
                    indicator_source=saved,
                    level=row.level.value,
                    code=row.code,
                    name=row.name[:300],
                    values={k: None if v is None else str(v) for k, v in row.values.items()},
                    flags=dict(row.flags),
                    texts=dict(row.texts),
                )
                for row in table.rows
            ],
            batch_size=1000,
        )
    return ImportReport(
        source, theme, year, main.value, len(table.rows), len(table.indicators), replaced
    )


@dataclass
class IndicatorValue:
    code: str
    label: str
    unit: str
    value: Decimal | None
    source: str
    theme: str
    year: int
    flags: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.code,
            "label": self.label,
            "unit": self.unit,
            "value": None if self.value is None else str(self.value),
            "secret": self.value is None,
            "source": self.source,
            "theme": self.theme,
            "year": self.year,
            "flags": self.flags,
        }


@dataclass
class QpvProfile:
    """La fiche chiffrée d'un quartier : chaque indicateur de chaque millésime, avec sa source."""

    code: str
    name: str
    values: list[IndicatorValue]

    def value(self, indicator_code: str, source: str | None = None) -> Decimal | None:
        for item in self.values:
            if item.code == indicator_code and (source is None or item.source == source):
                return item.value
        return None

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "values": [v.as_dict() for v in self.values]}


def profile(code: str, level: Level = Level.QPV) -> QpvProfile:
    """Tous les indicateurs connus d'un territoire, millésime le plus récent d'abord."""
    wanted = code.strip().upper()
    rows = (
        TerritoryIndicators.objects.filter(level=level.value, code=wanted)
        .select_related("indicator_source")
        .order_by("-indicator_source__year", "indicator_source__source", "indicator_source__theme")
    )
    values: list[IndicatorValue] = []
    name = ""
    for row in rows:
        vintage = row.indicator_source
        name = name or row.name
        numbers = {k: None if v is None else Decimal(v) for k, v in row.values.items()}
        for key, number in numbers.items():
            meta = indicator(key)
            values.append(
                IndicatorValue(
                    key,
                    meta.label,
                    meta.unit,
                    number,
                    vintage.source,
                    vintage.theme,
                    vintage.year,
                    dict(row.flags),
                )
            )
        for meta in derived():
            numerator, _, denominator = meta.formula.partition("/")
            if numerator in numbers and denominator in numbers:
                values.append(
                    IndicatorValue(
                        meta.code,
                        meta.label,
                        meta.unit,
                        meta.derive(numbers),
                        vintage.source,
                        vintage.theme,
                        vintage.year,
                    )
                )
    if not values:
        raise ObservatoryError(f"aucun indicateur importé pour « {wanted} »")
    return QpvProfile(wanted, name, values)
