"""Le rapport annuel d'un territoire (France, région, département, EPCI) : les écarts de ses QPV
dans les trois piliers, les quartiers classés, les évolutions depuis le millésime précédent.

Construit une fois (`build_report`), rendu en page HTML, en PDF (WeasyPrint, `render_pdf`) et en CSV
ouvert (`report_csv`) ; les graphiques et les cartes sont des SVG calculés ici, donc présents dans le
PDF et lisibles hors ligne. La ligne de commande, la page, l'API et le traitement en arrière-plan
passent par ces fonctions.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import shapely

from quartiers.core.indicators.charts import (
    Bar,
    Shape,
    bar_chart,
    gap_chart,
    perimeter_map,
    quantile_classes,
)
from quartiers.core.indicators.dictionary import comparable_codes, indicator, pillars
from quartiers.core.indicators.files import LEVEL_LABELS, Level
from quartiers.core.indicators.gaps import Rank, department_of, ranks
from quartiers.core.indicators.regions import REGION_NAMES, region_of_department
from quartiers.core.indicators.trends import WARN_SAME_REFERENCE, Trend, identical_series, trend
from quartiers.observatory.analysis import Series, has_indicator, series
from quartiers.observatory.models import IndicatorSource, TerritoryIndicators
from quartiers.observatory.services import ObservatoryError
from quartiers.territories.models import Commune, Department, Epci, Region
from quartiers.zoning.models import Perimeter

KINDS = {
    "fr": Level.FRANCE,
    "france": Level.FRANCE,
    "reg": Level.REGION,
    "region": Level.REGION,
    "dep": Level.DEPARTMENT,
    "departement": Level.DEPARTMENT,
    "epci": Level.EPCI,
}
PREFIX = {Level.FRANCE: "fr", Level.REGION: "reg", Level.DEPARTMENT: "dep", Level.EPCI: "epci"}
# Ordre de recherche de la référence d'un quartier : l'unité urbaine d'abord (ONPV), puis l'EPCI…
REFERENCE_ORDER = (
    Level.URBAN_UNIT,
    Level.EPCI,
    Level.COMMUNE,
    Level.DEPARTMENT,
    Level.REGION,
    Level.FRANCE,
)
TABLE_LIMIT = 40  # lignes par tableau d'indicateur dans la page et le PDF (toutes dans le CSV)
CHART_LIMIT = 25


@dataclass(frozen=True)
class Territory:
    level: Level
    code: str
    name: str

    @property
    def key(self) -> str:
        return (
            PREFIX[self.level]
            if self.level is Level.FRANCE
            else f"{PREFIX[self.level]}:{self.code}"
        )

    @property
    def title(self) -> str:
        if self.level is Level.FRANCE:
            return "France"
        label = LEVEL_LABELS[self.level].capitalize()
        return (
            f"{label} {self.code}"
            if self.name == self.code
            else f"{label} {self.name} ({self.code})"
        )


def parse_territory(text: str) -> Territory:
    """« dep:31 », « reg:76 », « epci:243100518 », « fr » → le territoire (nommé si connu)."""
    kind, _, code = text.strip().partition(":")
    level = KINDS.get(kind.lower())
    if level is None:
        raise ObservatoryError(
            f"territoire « {text} » : fr, reg:CODE, dep:CODE ou epci:SIREN attendu"
        )
    code = code.strip().upper()
    if level is Level.FRANCE:
        return Territory(level, "1", "France")
    if not code:
        raise ObservatoryError(f"territoire « {text} » : le code manque (ex. dep:31)")
    name: str | None = None
    if level is Level.REGION:
        name = Region.objects.filter(region_code=code).values_list("name", flat=True).first()
        name = name or REGION_NAMES.get(code)
    elif level is Level.DEPARTMENT:
        name = (
            Department.objects.filter(department_code=code).values_list("name", flat=True).first()
        )
        if name is None and region_of_department(code) is None:
            raise ObservatoryError(f"département « {code} » inconnu")
    else:
        name = Epci.objects.filter(epci_siren=code).values_list("name", flat=True).first()
        if name is None and not Perimeter.objects.filter(epci_siren=code).exists():
            raise ObservatoryError(f"EPCI « {code} » inconnu (SIREN de 9 chiffres attendu)")
    if level is Level.REGION and name is None:
        raise ObservatoryError(f"région « {code} » inconnue")
    return Territory(level, code, name or code)


@dataclass(frozen=True)
class Place:
    """Ce que l'on sait d'un QPV pour le situer : ses territoires et sa géométrie."""

    code: str
    department: str | None
    region: str | None
    epci: str = ""
    uu: str = ""
    communes: tuple[str, ...] = ()
    geometry: bytes | None = None


def _places() -> dict[str, Place]:
    found: dict[str, Place] = {}
    rows = Perimeter.objects.order_by("zoning_edition__valid_from").values_list(
        "code",
        "department_code",
        "region_code",
        "epci_siren",
        "uu_code",
        "insee_codes",
        "geometry_wkb",
    )
    for code, own_dep, region, epci, uu, communes, wkb in rows:
        dep = own_dep or department_of(code)
        found[code] = Place(
            code,
            dep,
            region or region_of_department(dep),
            epci,
            uu,
            tuple(communes or ()),
            bytes(wkb) if wkb else None,
        )
    return found


def _place(places: dict[str, Place], code: str) -> Place:
    if code not in places:
        dep = department_of(code)
        places[code] = Place(code, dep, region_of_department(dep))
    return places[code]


def _member(territory: Territory, place: Place, epci_communes: set[str]) -> bool:
    if territory.level is Level.FRANCE:
        return True
    if territory.level is Level.REGION:
        return place.region == territory.code
    if territory.level is Level.DEPARTMENT:
        return place.department == territory.code
    return place.epci == territory.code or bool(epci_communes & set(place.communes))


class References:
    """Les valeurs des territoires de comparaison (tous niveaux), chargées une fois."""

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str], list[tuple[int, str, dict[str, Any]]]] = {}
        for level, code, name, values, year in TerritoryIndicators.objects.exclude(
            level=Level.QPV.value
        ).values_list("level", "code", "name", "values", "indicator_source__year"):
            self._rows.setdefault((level, code), []).append((year, name, values))
        for rows in self._rows.values():
            rows.sort(key=lambda r: -r[0])

    def value(
        self, level: Level, code: str, indicator_code: str, year: int
    ) -> tuple[str, int, Decimal] | None:
        """(nom, millésime, valeur) : le millésime le plus récent au plus tard `year`, sinon le plus
        ancien publié."""
        rows = self._rows.get((level.value, code), [])
        wanted = comparable_codes(indicator_code)
        candidates = [
            (y, n, Decimal(v[c])) for y, n, v in rows for c in wanted if v.get(c) is not None
        ]
        if not candidates:
            return None
        before = [c for c in candidates if c[0] <= year]
        y, n, value = before[0] if before else candidates[-1]
        return n or code, y, value

    def for_qpv(
        self, place: Place, indicator_code: str, year: int
    ) -> tuple[str, int, Decimal] | None:
        keys: list[tuple[Level, str]] = []
        for level in REFERENCE_ORDER:
            if level is Level.URBAN_UNIT and place.uu:
                keys.append((level, place.uu))
            elif level is Level.EPCI and place.epci:
                keys.append((level, place.epci))
            elif level is Level.COMMUNE:
                keys += [(level, c) for c in place.communes[:1]]
            elif level is Level.DEPARTMENT and place.department:
                keys.append((level, place.department))
            elif level is Level.REGION and place.region:
                keys.append((level, place.region))
            elif level is Level.FRANCE:
                keys.append((level, "1"))
        for level, code in keys:
            found = self.value(level, code, indicator_code, year)
            if found is not None:
                name, y, value = found
                return f"{LEVEL_LABELS[level]} {name}", y, value
        return None


@dataclass
class Row:
    code: str
    name: str
    value: Decimal | None
    reference: str = ""
    reference_value: Decimal | None = None
    gap: Decimal | None = None
    rank: Rank | None = None
    national_rank: Rank | None = None
    trend: Trend | None = None


@dataclass
class Section:
    code: str
    label: str
    unit: str
    worse_if_higher: bool | None
    source: str
    theme: str
    year: int
    previous_year: int | None
    rows: list[Row]
    territory_value: Decimal | None = None
    territory_year: int | None = None
    chart: str = ""
    warning: str = ""
    note: str = ""
    worsened: int = 0
    improved: int = 0

    @property
    def shown_rows(self) -> list[Row]:
        return self.rows[:TABLE_LIMIT]

    @property
    def hidden(self) -> int:
        return max(0, len(self.rows) - TABLE_LIMIT)

    @property
    def published(self) -> int:
        return sum(1 for r in self.rows if r.value is not None)

    @property
    def median(self) -> Decimal | None:
        values = sorted(r.value for r in self.rows if r.value is not None)
        if not values:
            return None
        mid = len(values) // 2
        return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


@dataclass
class PillarReport:
    key: str
    label: str
    sections: list[Section]
    map: str = ""


@dataclass
class RankedQpv:
    code: str
    name: str
    score: Decimal
    indicators: int
    population: Decimal | None


@dataclass
class Report:
    territory: Territory
    year: int
    pillars: list[PillarReport]
    ranking: list[RankedQpv]
    vintages: list[IndicatorSource]
    qpv_count: int
    generated_on: dt.date = field(default_factory=dt.date.today)

    @property
    def title(self) -> str:
        return f"Rapport de l'observatoire {self.year} — {self.territory.title}"


def _vintage_for(code: str, year: int) -> tuple[IndicatorSource, IndicatorSource | None] | None:
    """Le millésime le plus récent (au plus tard `year`) qui publie l'indicateur, et le précédent de
    la même source et du même thème."""
    vintages = [
        v
        for v in IndicatorSource.objects.filter(level=Level.QPV.value, year__lte=year).order_by(
            "-year", "source", "theme"
        )
        if has_indicator(v, code)
    ]
    if not vintages:
        return None
    latest = vintages[0]
    previous = next(
        (
            v
            for v in vintages[1:]
            if v.source == latest.source and v.theme == latest.theme and v.year < latest.year
        ),
        None,
    )
    return latest, previous


def _names(vintage: IndicatorSource, codes: Iterable[str]) -> dict[str, str]:
    return dict(
        TerritoryIndicators.objects.filter(
            indicator_source=vintage, level=Level.QPV.value, code__in=list(codes)
        ).values_list("code", "name")
    )


def build_report(territory: Territory | str, year: int) -> Report:
    """Calcule le rapport : un tableau, un graphique et un classement par indicateur des piliers."""
    chosen = parse_territory(territory) if isinstance(territory, str) else territory
    places = _places()
    references = References()
    epci_communes: set[str] = set()
    if chosen.level is Level.EPCI:
        epci_communes = set(
            Commune.objects.filter(epci__epci_siren=chosen.code).values_list(
                "insee_code", flat=True
            )
        )
    members: dict[str, bool] = {}

    def member(code: str) -> bool:
        if code not in members:
            members[code] = _member(chosen, _place(places, code), epci_communes)
        return members[code]

    used: dict[int, IndicatorSource] = {}
    names: dict[str, str] = {}
    reports: list[PillarReport] = []
    scores: dict[str, list[Decimal]] = {}
    for pillar in pillars():
        sections: list[Section] = []
        for code in pillar.indicators:
            found = _vintage_for(code, year)
            if found is None:
                continue
            latest, previous = found
            values = series(latest, code)
            mine = {c: v for c, v in values.items() if member(c)}
            if not mine:
                continue
            used[latest.pk] = latest
            before: Series = {}
            if previous is not None:
                used[previous.pk] = previous
                before = series(previous, code)
            missing = [c for c in mine if c not in names]
            if missing:
                names.update(_names(latest, missing))
            sections.append(
                _section(
                    code, latest, previous, values, mine, before, places, references, chosen, names
                )
            )
            meta = indicator(code)
            if meta.worse_if_higher is not None:
                for row in sections[-1].rows:
                    if row.rank is not None and row.rank.out_of > 1:
                        score = Decimal(row.rank.out_of - row.rank.position) / (row.rank.out_of - 1)
                        scores.setdefault(row.code, []).append(score)
        report = PillarReport(pillar.key, pillar.label, sections)
        report.map = _pillar_map(report, places)
        reports.append(report)
    population = _population(year, [c for c in names if member(c)])
    ranking = sorted(
        (
            RankedQpv(
                c,
                names.get(c, ""),
                (sum(s, Decimal(0)) / len(s) * 100).quantize(Decimal("0.1")),
                len(s),
                population.get(c),
            )
            for c, s in scores.items()
        ),
        key=lambda r: (-r.score, r.code),
    )
    count = len({c for c in names if member(c)})
    if count == 0:
        raise ObservatoryError(f"aucun indicateur de QPV importé pour {chosen.title} en {year}")
    vintages = sorted(used.values(), key=lambda v: (v.source, v.theme, v.year))
    return Report(chosen, year, reports, ranking, vintages, count)


def _population(year: int, codes: list[str]) -> dict[str, Decimal | None]:
    found = _vintage_for("POP_MUN", year)
    if found is None:
        return {}
    values = series(found[0], "POP_MUN")
    return {c: values.get(c) for c in codes}


def _section(
    code: str,
    latest: IndicatorSource,
    previous: IndicatorSource | None,
    national: Series,
    mine: Series,
    before: Series,
    places: dict[str, Place],
    references: References,
    territory: Territory,
    names: dict[str, str],
) -> Section:
    meta = indicator(code)
    own = references.value(territory.level, territory.code, code, latest.year)
    republished = identical_series(before, national) if before else False
    rows: list[Row] = []
    local_ranks = ranks(mine, meta.worse_if_higher)
    national_ranks = ranks(national, meta.worse_if_higher)
    for qpv, value in mine.items():
        ref = references.for_qpv(_place(places, qpv), code, latest.year)
        row = Row(qpv, names.get(qpv, ""), value)
        if ref is not None:
            row.reference, _, row.reference_value = ref
            row.gap = None if value is None else value - ref[2]
        row.rank = local_ranks.get(qpv)
        row.national_rank = national_ranks.get(qpv)
        if previous is not None:
            old_ref = references.for_qpv(_place(places, qpv), code, previous.year)
            row.trend = trend(
                code,
                latest.theme,
                (previous.year, latest.year),
                (before.get(qpv), value),
                (old_ref[2] if old_ref else None, row.reference_value),
                reference=row.reference,
                same_reference_vintage=bool(old_ref and ref and old_ref[1] == ref[1]),
                republished=republished,
                same_edition=previous.zoning_edition == latest.zoning_edition,
            )
        rows.append(row)
    rows.sort(key=lambda r: (r.rank.position if r.rank else 10**9, r.code))
    section = Section(
        code,
        meta.label,
        meta.unit,
        meta.worse_if_higher,
        latest.source,
        latest.theme,
        latest.year,
        previous.year if previous else None,
        rows,
        own[2] if own else None,
        own[1] if own else None,
    )
    warnings = {r.trend.warning for r in rows if r.trend is not None and r.trend.change is None}
    section.warning = next(iter(warnings), "") if warnings else ""
    if any(r.trend is not None and r.trend.warning == WARN_SAME_REFERENCE for r in rows):
        section.note = WARN_SAME_REFERENCE
    if meta.worse_if_higher is not None:
        for r in rows:
            if r.trend is not None and r.trend.change:
                worse = (r.trend.change > 0) == meta.worse_if_higher
                section.worsened += worse
                section.improved += not worse
    section.chart = _chart(section)
    return section


def _chart(section: Section) -> str:
    top = section.rows[:CHART_LIMIT]
    unit = section.unit if section.unit in ("%", "€") else ""
    title = f"{section.label} ({section.year})"
    if any(r.gap is not None for r in top):
        return gap_chart(
            f"Écart à la référence — {title}",
            [(f"{r.name or r.code}", r.gap) for r in top],
            unit,
            section.worse_if_higher,
        )
    return bar_chart(title, [Bar(r.name or r.code, r.value, True) for r in top], unit)


def _rings(wkb: bytes, tolerance: float) -> list[list[tuple[float, float]]]:
    geom = shapely.from_wkb(wkb)
    if tolerance:
        geom = geom.simplify(tolerance, preserve_topology=True)
    polygons = getattr(geom, "geoms", [geom])
    rings: list[list[tuple[float, float]]] = []
    for poly in polygons:
        if poly.is_empty or not hasattr(poly, "exterior"):
            continue
        rings.append([(float(x), float(y)) for x, y, *_ in poly.exterior.coords])
    return rings


def _pillar_map(pillar: PillarReport, places: dict[str, Place]) -> str:
    section = next((s for s in pillar.sections if s.worse_if_higher is not None), None)
    if section is None:
        return ""
    drawable = [r for r in section.rows if places.get(r.code) and places[r.code].geometry]
    if not drawable:
        return ""
    classes = quantile_classes({r.code: r.value for r in drawable}, section.worse_if_higher)
    tolerance = 0.002 if len(drawable) > 200 else 0.0
    shapes = [
        Shape(
            r.code, r.name, _rings(places[r.code].geometry or b"", tolerance), classes.get(r.code)
        )
        for r in drawable
    ]
    return perimeter_map(
        f"Carte — {section.label} ({section.year}), par quintile",
        shapes,
        legend="Quintiles parmi les quartiers du territoire",
    )


CSV_COLUMNS = (
    "pilier",
    "indicateur",
    "libelle",
    "unite",
    "source",
    "millesime",
    "code_qpv",
    "nom_qpv",
    "valeur",
    "reference",
    "valeur_reference",
    "ecart",
    "rang_territoire",
    "sur_territoire",
    "rang_national",
    "sur_national",
    "millesime_precedent",
    "valeur_precedente",
    "evolution",
    "evolution_ecart",
    "avertissement",
)


def _text(value: Decimal | int | None) -> str:
    return "" if value is None else str(value)


def report_csv(report: Report) -> str:
    """Les tableaux du rapport en CSV ouvert : UTF-8, virgule, point décimal, vide = secret."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for pillar in report.pillars:
        for s in pillar.sections:
            for r in s.rows:
                t = r.trend
                writer.writerow(
                    [
                        pillar.key,
                        s.code,
                        s.label,
                        s.unit,
                        s.source,
                        s.year,
                        r.code,
                        r.name,
                        _text(r.value),
                        r.reference,
                        _text(r.reference_value),
                        _text(r.gap),
                        _text(r.rank.position if r.rank else None),
                        _text(r.rank.out_of if r.rank else None),
                        _text(r.national_rank.position if r.national_rank else None),
                        _text(r.national_rank.out_of if r.national_rank else None),
                        _text(s.previous_year),
                        _text(t.value_before if t else None),
                        _text(t.change if t else None),
                        _text(t.gap_change if t else None),
                        t.warning if t else "",
                    ]
                )
    return out.getvalue()


def report_dict(report: Report) -> dict[str, Any]:
    def rank_dict(value: Rank | None) -> dict[str, int] | None:
        return None if value is None else {"position": value.position, "out_of": value.out_of}

    return {
        "territory": report.territory.key,
        "territory_name": report.territory.name,
        "year": report.year,
        "qpv_count": report.qpv_count,
        "vintages": [
            {"source": v.source, "theme": v.theme, "year": v.year, "file": v.file_name}
            for v in report.vintages
        ],
        "ranking": [
            {"code": r.code, "name": r.name, "score": str(r.score), "indicators": r.indicators}
            for r in report.ranking
        ],
        "pillars": [
            {
                "key": p.key,
                "label": p.label,
                "indicators": [
                    {
                        "indicator": s.code,
                        "label": s.label,
                        "unit": s.unit,
                        "source": s.source,
                        "year": s.year,
                        "previous_year": s.previous_year,
                        "territory_value": _text(s.territory_value) or None,
                        "warning": s.warning,
                        "rows": [
                            {
                                "code": r.code,
                                "name": r.name,
                                "value": _text(r.value) or None,
                                "reference": r.reference,
                                "reference_value": _text(r.reference_value) or None,
                                "gap": _text(r.gap) or None,
                                "rank": rank_dict(r.rank),
                                "national_rank": rank_dict(r.national_rank),
                                "trend": r.trend.as_dict() if r.trend else None,
                            }
                            for r in s.rows
                        ],
                    }
                    for s in p.sections
                ],
            }
            for p in report.pillars
        ],
    }


class PdfUnavailable(ObservatoryError):
    """WeasyPrint ou les bibliothèques de Debian qu'il demande (pango) manquent."""


def weasyprint_missing() -> str | None:
    """La raison pour laquelle le PDF ne peut pas être produit ici, ou None."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:
        return (
            "WeasyPrint indisponible (pip install weasyprint ; apt-get install libpango-1.0-0 "
            f"libpangoft2-1.0-0) : {exc}"
        )
    return None


def html_to_pdf(html: str, stylesheet: Path | None = None) -> bytes:
    """Le PDF d'une page déjà rendue (aucune ressource extérieure n'est chargée)."""
    missing = weasyprint_missing()
    if missing:
        raise PdfUnavailable(missing)
    import weasyprint

    def no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        raise ValueError(f"ressource extérieure refusée : {url}")

    sheets = [weasyprint.CSS(filename=str(stylesheet))] if stylesheet else []
    document = weasyprint.HTML(string=html, url_fetcher=no_fetch, base_url=".")
    pdf = document.write_pdf(stylesheets=sheets)
    assert pdf is not None
    return bytes(pdf)
