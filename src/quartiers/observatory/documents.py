"""La fiche quartier et le rapport annuel mis en forme : contexte de page, PDF, CSV ouvert.

Les mêmes gabarits servent la page et le PDF (`observatory/_profile_body.html`,
`observatory/_report_body.html`) ; le PDF est rendu par WeasyPrint avec la feuille
`observatory/print.css`, sans rien charger d'extérieur.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

from quartiers.core.fr import number
from quartiers.core.indicators.charts import Bar, bar_chart
from quartiers.core.indicators.dictionary import indicator
from quartiers.core.indicators.files import LEVEL_LABELS, Level
from quartiers.core.indicators.regions import REGION_NAMES
from quartiers.core.indicators.trends import Trend
from quartiers.observatory import report as reports
from quartiers.observatory import services
from quartiers.observatory.analysis import qpv_trends
from quartiers.observatory.models import IndicatorSource

PRINT_CSS = Path(__file__).with_name("static") / "observatory" / "print.css"
# Chiffres clés de la fiche, dans cet ordre : le premier code publié de chaque groupe.
KEY_FIGURES = (
    ("POP_MUN",),
    ("DISP_Q2", "DISP_MED_A19", "DECUC_Q2"),
    ("TP60", "DISP_TP60_A19", "BREV"),
    ("TX_TOT_EMPL",),
    ("PART_MONOPARENTS",),
    ("TX_TOT_0A24",),
)
COMPARED_LEVELS = (
    Level.COMMUNE,
    Level.EPCI,
    Level.URBAN_UNIT,
    Level.DEPARTMENT,
    Level.REGION,
    Level.FRANCE,
)


@dataclass
class KeyFigure:
    item: services.IndicatorValue
    chart: str

    @property
    def shown(self) -> str:
        value = self.item.value
        return "secret" if value is None else number(value, 1 if value % 1 else 0)

    @property
    def gap(self) -> services.Comparison | None:
        return next((c for c in self.item.comparisons if c.gap is not None), None)


def profile_context(code: str) -> dict[str, Any]:
    """Tout ce que montrent la fiche (page et PDF) : chiffres clés, graphiques, évolutions…"""
    found = services.profile(code)
    places = services.comparison_places(found.code)
    keys: list[KeyFigure] = []
    for group in KEY_FIGURES:
        item = next(
            (v for c in group for v in found.values if v.code == c and v.value is not None), None
        )
        if item is None:
            continue
        chart = ""
        if item.comparisons:
            bars = [Bar(f"{found.code} (quartier)", item.value, True)]
            bars += [
                Bar(
                    c.level_label if c.level is Level.FRANCE else f"{c.level_label} {c.name}",
                    c.value,
                )
                for c in item.comparisons
            ]
            unit = item.unit if item.unit in ("%", "€") else ""
            chart = bar_chart(f"{item.label} ({item.source} {item.year})", bars, unit)
        keys.append(KeyFigure(item, chart))
    vintages: dict[tuple[str, str, int], list[services.IndicatorValue]] = {}
    for item in found.values:
        vintages.setdefault((item.source, item.theme, item.year), []).append(item)
    sources = list(
        IndicatorSource.objects.filter(rows__code=found.code, level=Level.QPV.value)
        .distinct()
        .order_by("-year", "source", "theme")
    )
    trends = qpv_trends(found.code, places)
    return {
        "title": f"{found.code} — {found.name}" if found.name else found.code,
        "profile": found,
        "region_name": REGION_NAMES.get(found.region or "", found.region or ""),
        "keys": keys,
        "trends": [{"trend": t, "label": indicator(t.indicator).label} for t in trends],
        "sources": sources,
        "vintages": [
            {"source": s, "theme": t, "year": y, "values": v} for (s, t, y), v in vintages.items()
        ],
        "geojson_url": f"/api/v1/qpv/{found.code}",
    }


def _text(value: Decimal | int | None) -> str:
    return "" if value is None else str(value)


def profile_csv(code: str) -> str:
    """La fiche en CSV ouvert : une ligne par indicateur et millésime, valeurs et écarts."""
    found = services.profile(code)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = [
        "code_qpv",
        "nom_qpv",
        "source",
        "theme",
        "millesime",
        "indicateur",
        "libelle",
        "unite",
        "valeur",
        "secret",
        "rang_national",
        "sur_national",
        "rang_region",
        "sur_region",
    ]
    for level in COMPARED_LEVELS:
        header += [f"{level.value}_code", f"{level.value}_valeur", f"{level.value}_ecart"]
    writer.writerow(header)
    for v in found.values:
        line = [
            found.code,
            found.name,
            v.source,
            v.theme,
            v.year,
            v.code,
            v.label,
            v.unit,
            _text(v.value),
            "1" if v.value is None else "0",
            _text(v.rank.position if v.rank else None),
            _text(v.rank.out_of if v.rank else None),
            _text(v.region_rank.position if v.region_rank else None),
            _text(v.region_rank.out_of if v.region_rank else None),
        ]
        by_level = {c.level: c for c in v.comparisons}
        for level in COMPARED_LEVELS:
            c = by_level.get(level)
            line += [c.code, _text(c.value), _text(c.gap)] if c else ["", "", ""]
        writer.writerow(line)
    return out.getvalue()


def trends_csv(trends: list[Trend]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    keys = list(Trend.__dataclass_fields__)
    writer.writerow([*keys, "comparable"])
    for t in trends:
        d = t.as_dict()
        writer.writerow([*(d[k] if d[k] is not None else "" for k in keys), int(t.comparable)])
    return out.getvalue()


def profile_pdf(code: str) -> bytes:
    html = render_to_string("observatory/profile_pdf.html", profile_context(code))
    return reports.html_to_pdf(html, PRINT_CSS)


def report_context(report: reports.Report) -> dict[str, Any]:
    return {
        "title": report.title,
        "report": report,
        "level_labels": {level.value: label for level, label in LEVEL_LABELS.items()},
    }


def report_html(report: reports.Report, pdf: bool = False) -> str:
    template = "observatory/report_pdf.html" if pdf else "observatory/report.html"
    return render_to_string(template, report_context(report))


def report_pdf(report: reports.Report) -> bytes:
    return reports.html_to_pdf(report_html(report, pdf=True), PRINT_CSS)
