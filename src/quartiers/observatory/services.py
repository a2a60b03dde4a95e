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

from quartiers.core.indicators.dictionary import comparable_codes, derived, indicator
from quartiers.core.indicators.files import LEVEL_LABELS, IndicatorTable, Level, read_indicator_file
from quartiers.core.indicators.gaps import Rank, department_of, gap, rank
from quartiers.observatory.analysis import Regions
from quartiers.observatory.models import IndicatorSource, TerritoryIndicators
from quartiers.territories.models import Department
from quartiers.territories.reference import territories_of
from quartiers.zoning.models import Perimeter

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


@dataclass(frozen=True)
class Comparison:
    """La même mesure pour un territoire de comparaison, et l'écart du quartier à lui."""

    level: Level
    code: str
    name: str
    indicator: str
    value: Decimal
    gap: Decimal | None
    source: str
    year: int

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level.value,
            "level_label": LEVEL_LABELS[self.level],
            "code": self.code,
            "name": self.name,
            "indicator": self.indicator,
            "value": str(self.value),
            "gap": None if self.gap is None else str(self.gap),
            "source": self.source,
            "year": self.year,
        }


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
    rank: Rank | None = None
    comparisons: list[Comparison] = field(default_factory=list)
    region_rank: Rank | None = None
    worse_if_higher: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "rank": None if self.rank is None else self.rank.position,
            "rank_out_of": None if self.rank is None else self.rank.out_of,
            "region_rank": None if self.region_rank is None else self.region_rank.position,
            "region_rank_out_of": None if self.region_rank is None else self.region_rank.out_of,
            "comparisons": [c.as_dict() for c in self.comparisons],
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
    region: str | None = None

    def value(self, indicator_code: str, source: str | None = None) -> Decimal | None:
        for item in self.values:
            if item.code == indicator_code and (source is None or item.source == source):
                return item.value
        return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "region": self.region,
            "values": [v.as_dict() for v in self.values],
        }


def comparison_places(code: str) -> list[tuple[Level, str]]:
    """Les territoires de comparaison d'un QPV : par son périmètre et le découpage chargé (commune,
    EPCI, unité urbaine, département, région), à défaut par le département de son code ; la France."""
    places: list[tuple[Level, str]] = []
    perimeter = (
        Perimeter.objects.filter(code=code)
        .select_related("zoning_edition")
        .order_by("-zoning_edition__valid_from")
        .first()
    )
    if perimeter is not None:
        found = territories_of(perimeter)
        places += [(Level.COMMUNE, c.insee_code) for c in found.communes]
        places += [(Level.EPCI, e.epci_siren) for e in found.epcis]
        places += [(Level.URBAN_UNIT, u.uu_code) for u in found.urban_units]
        places += [(Level.DEPARTMENT, d.department_code) for d in found.departments]
        places += [(Level.REGION, r.region_code) for r in found.regions]
    department = department_of(code)
    if department and (Level.DEPARTMENT, department) not in places:
        places.append((Level.DEPARTMENT, department))
        region = (
            Department.objects.filter(department_code=department)
            .values_list("region__region_code", flat=True)
            .first()
        )
        if region and (Level.REGION, region) not in places:
            places.append((Level.REGION, region))
    places.append((Level.FRANCE, "1"))
    return places


_RANKS: dict[tuple[int, str], dict[str, dict[str, Decimal | None]]] = {}


def _vintage_values(vintage: IndicatorSource) -> dict[str, dict[str, Decimal | None]]:
    """indicateur → {code du QPV: valeur} pour un millésime (en mémoire, par date d'import)."""
    key = (vintage.pk, vintage.imported_at.isoformat())
    cached = _RANKS.get(key)
    if cached is None:
        cached = {}
        rows = TerritoryIndicators.objects.filter(
            indicator_source=vintage, level=Level.QPV.value
        ).values_list("code", "values")
        for code, values in rows:
            for name, raw in values.items():
                cached.setdefault(name, {})[code] = None if raw is None else Decimal(raw)
        if len(_RANKS) > 64:
            _RANKS.clear()
        _RANKS[key] = cached
    return cached


def _comparisons(
    places: list[tuple[Level, str]], indicator_code: str, own: Decimal | None
) -> list[Comparison]:
    wanted = comparable_codes(indicator_code)
    found: list[Comparison] = []
    for level, place in places:
        rows = (
            TerritoryIndicators.objects.filter(level=level.value, code=place)
            .select_related("indicator_source")
            .order_by("-indicator_source__year")
        )
        for row in rows:
            name = next((c for c in wanted if row.values.get(c) is not None), None)
            if name is None:
                continue
            value = Decimal(row.values[name])
            vintage = row.indicator_source
            found.append(
                Comparison(
                    level,
                    place,
                    row.name,
                    name,
                    value,
                    gap(own, value),
                    vintage.source,
                    vintage.year,
                )
            )
            break
    return found


def profile(code: str, level: Level = Level.QPV) -> QpvProfile:
    """Tous les indicateurs connus d'un territoire, millésime le plus récent d'abord ; pour un QPV,
    son rang parmi les quartiers du même millésime et ses écarts aux territoires de comparaison."""
    wanted = code.strip().upper()
    rows = (
        TerritoryIndicators.objects.filter(level=level.value, code=wanted)
        .select_related("indicator_source")
        .order_by("-indicator_source__year", "indicator_source__source", "indicator_source__theme")
    )
    values: list[IndicatorValue] = []
    name = ""
    places = comparison_places(wanted) if level is Level.QPV else []
    regions = Regions() if level is Level.QPV else None
    region = regions.get(wanted) if regions is not None else None
    compared: set[str] = set()
    for row in rows:
        vintage = row.indicator_source
        name = name or row.name
        numbers = {k: None if v is None else Decimal(v) for k, v in row.values.items()}
        by_indicator = _vintage_values(vintage) if level is Level.QPV else {}
        for key, number in numbers.items():
            meta = indicator(key)
            item = IndicatorValue(
                key,
                meta.label,
                meta.unit,
                number,
                vintage.source,
                vintage.theme,
                vintage.year,
                dict(row.flags),
                worse_if_higher=meta.worse_if_higher,
            )
            if key in by_indicator:
                item.rank = rank(by_indicator[key], wanted, meta.worse_if_higher)
                if regions is not None:
                    item.region_rank = regions.rank(
                        by_indicator[key], wanted, meta.worse_if_higher
                    )[1]
            if (
                places
                and key not in compared
                and (meta.worse_if_higher is not None or key in _COMPARED)
            ):
                item.comparisons = _comparisons(places, key, number)
                compared.add(key)
            values.append(item)
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
                        worse_if_higher=meta.worse_if_higher,
                    )
                )
    if not values:
        raise ObservatoryError(f"aucun indicateur importé pour « {wanted} »")
    return QpvProfile(wanted, name, values, region)


# Indicateurs dont on cherche l'écart aux territoires de comparaison, en plus de ceux dont le
# dictionnaire connaît le sens.
_COMPARED = frozenset({"POP_MUN"})
