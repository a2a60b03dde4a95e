"""Écarts, rangs dans la région et évolutions d'un quartier entre deux millésimes.

La région d'un quartier vient de son périmètre (`Perimeter.region_code`, puis le département du
périmètre ou du code) et, à défaut de référentiel chargé, de la table des régions de 2016
(`core.indicators.regions`). Les évolutions suivent les règles de comparabilité de l'INSEE
(`core.indicators.trends`) : Cnaf et Cnam non comparables au niveau infra-communal, fichiers
republiés aux valeurs identiques, éditions de QPV différentes.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from quartiers.core.indicators.dictionary import comparable_codes, derived, indicator
from quartiers.core.indicators.files import LEVEL_LABELS, Level
from quartiers.core.indicators.gaps import Rank, department_of, rank
from quartiers.core.indicators.regions import region_of_department
from quartiers.core.indicators.trends import Trend, identical_series, trend
from quartiers.observatory.models import IndicatorSource, TerritoryIndicators
from quartiers.zoning.models import Perimeter

Series = dict[str, Decimal | None]

_SERIES: dict[tuple[int, str, str], Series] = {}
_ROWS: dict[tuple[int, str], list[tuple[str, dict[str, Decimal | None]]]] = {}


def _rows(vintage: IndicatorSource) -> list[tuple[str, dict[str, Decimal | None]]]:
    """Les lignes de QPV d'un millésime, lues et converties une fois (par date d'import)."""
    key = (vintage.pk, vintage.imported_at.isoformat())
    cached = _ROWS.get(key)
    if cached is None:
        rows = TerritoryIndicators.objects.filter(
            indicator_source=vintage, level=Level.QPV.value
        ).values_list("code", "values")
        cached = [
            (qpv, {k: None if v is None else Decimal(v) for k, v in values.items()})
            for qpv, values in rows
        ]
        if len(_ROWS) > 32:
            _ROWS.clear()
        _ROWS[key] = cached
    return cached


def series(vintage: IndicatorSource, code: str) -> Series:
    """{code du QPV: valeur} d'un indicateur dans un millésime (dérivés compris), en mémoire."""
    key = (vintage.pk, vintage.imported_at.isoformat(), code)
    cached = _SERIES.get(key)
    if cached is not None:
        return cached
    meta = indicator(code)
    found: Series = {}
    top, _, bottom = meta.formula.partition("/")
    for qpv, numbers in _rows(vintage):
        if meta.formula:
            if top in numbers and bottom in numbers:
                found[qpv] = meta.derive(numbers)
        elif code in numbers:
            found[qpv] = numbers[code]
    if len(_SERIES) > 512:
        _SERIES.clear()
    _SERIES[key] = found
    return found


def has_indicator(vintage: IndicatorSource, code: str) -> bool:
    meta = indicator(code)
    if meta.formula:
        top, _, bottom = meta.formula.partition("/")
        return top in vintage.indicators and bottom in vintage.indicators
    return code in vintage.indicators


class Regions:
    """Code du QPV → code de sa région : périmètre le plus récent (sa région, sinon son
    département), à défaut le département lu dans le code. Une requête, puis en mémoire."""

    def __init__(self, codes: Iterable[str] | None = None) -> None:
        self._known: dict[str, str] = {}
        perimeters = Perimeter.objects.order_by("zoning_edition__valid_from")
        if codes is not None:
            perimeters = perimeters.filter(code__in=list(codes))
        for code, region, department in perimeters.values_list(
            "code", "region_code", "department_code"
        ):
            chosen = region or region_of_department(department)
            if chosen:
                self._known[code] = chosen

        self._memo: dict[str, str | None] = {}

    def get(self, code: str) -> str | None:
        if code not in self._memo:
            self._memo[code] = self._known.get(code) or region_of_department(department_of(code))
        return self._memo[code]

    def rank(
        self, values: Series, code: str, worse_if_higher: bool | None
    ) -> tuple[str | None, Rank | None]:
        """La région du quartier et son rang parmi ceux de sa région (même millésime)."""
        region = self.get(code)
        if region is None:
            return None, None
        mine = {c: v for c, v in values.items() if self.get(c) == region}
        return region, rank(mine, code, worse_if_higher)


def region_of(code: str) -> str | None:
    return Regions([code]).get(code)


def _reference_series(
    places: list[tuple[Level, str]], code: str
) -> tuple[str, dict[int, Decimal]] | None:
    """Le premier territoire de comparaison qui publie l'indicateur : {millésime: valeur}."""
    wanted = comparable_codes(code)
    for level, place in places:
        rows = TerritoryIndicators.objects.filter(level=level.value, code=place).select_related(
            "indicator_source"
        )
        years: dict[int, Decimal] = {}
        name = ""
        for row in rows:
            value = next((row.values[c] for c in wanted if row.values.get(c) is not None), None)
            if value is not None:
                years[row.indicator_source.year] = Decimal(value)
                name = row.name
        if years:
            return f"{LEVEL_LABELS[level]} {name or place}".strip(), years
    return None


def _at(years: dict[int, Decimal], year: int) -> tuple[int, Decimal]:
    before = [y for y in years if y <= year]
    chosen = max(before) if before else min(years)
    return chosen, years[chosen]


def qpv_trends(code: str, places: list[tuple[Level, str]] | None = None) -> list[Trend]:
    """Pour chaque (source, thème) publié au moins deux fois pour ce quartier : l'évolution de chaque
    indicateur entre les deux derniers millésimes, et celle de son écart au premier territoire de
    comparaison qui le publie ; l'avertissement de l'INSEE quand la comparaison n'est pas permise."""
    wanted = code.strip().upper()
    vintages = list(
        IndicatorSource.objects.filter(level=Level.QPV.value, rows__code=wanted)
        .distinct()
        .order_by("source", "theme", "year")
    )
    groups: dict[tuple[str, str], list[IndicatorSource]] = {}
    for v in vintages:
        groups.setdefault((v.source, v.theme), []).append(v)
    found: list[Trend] = []
    references: dict[str, tuple[str, dict[int, Decimal]] | None] = {}
    derived_codes = [d.code for d in derived()]
    for (_source, theme), group in groups.items():
        if len(group) < 2:
            continue
        before, after = group[-2], group[-1]
        codes = [
            c
            for c in dict.fromkeys([*after.indicators, *derived_codes])
            if has_indicator(before, c) and has_indicator(after, c)
        ]
        for name in codes:
            meta = indicator(name)
            if meta.worse_if_higher is None and name not in _FOLLOWED and not meta.formula:
                continue
            a, b = series(before, name), series(after, name)
            if wanted not in a and wanted not in b:
                continue
            if places is not None and name not in references:
                references[name] = _reference_series(places, name)
            ref = references.get(name)
            refs: tuple[Decimal | None, Decimal | None] = (None, None)
            same_ref = False
            label = ""
            if ref is not None:
                label, years = ref
                (y1, v1), (y2, v2) = _at(years, before.year), _at(years, after.year)
                refs, same_ref = (v1, v2), y1 == y2
            found.append(
                trend(
                    name,
                    theme,
                    (before.year, after.year),
                    (a.get(wanted), b.get(wanted)),
                    refs,
                    reference=label,
                    same_reference_vintage=same_ref,
                    republished=identical_series(a, b),
                    same_edition=before.zoning_edition == after.zoning_edition,
                )
            )
    return found


# Suivis en évolution bien que leur sens ne soit pas établi : population et taux descriptifs.
_FOLLOWED = frozenset({"POP_MUN", "TX_TOT_0A24", "TX_TOT_60ETPLUS", "TX_TOT_ET", "A", "ABCDE", "C"})
