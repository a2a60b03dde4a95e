"""Graphiques en SVG, calculés côté serveur : dans la page, dans le PDF, hors ligne, sans script.

Aucun style en ligne (la politique de sécurité du contenu les refuse) : couleurs et traits sont des
attributs de présentation SVG (`fill`, `stroke`), complétés par des classes de la feuille statique.
Les textes sont échappés ; les nombres affichés sont écrits à la française, ceux des attributs à la
machine (point décimal).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from quartiers.core.fr import number

BLUE = "#000091"
GREY = "#929292"
RED = "#c9191e"
GREEN = "#18753c"
# Cinq classes de la plus favorable à la plus défavorable (rouge du DSFR en dégradé).
RAMP = ("#fee9e7", "#fcbfb7", "#f58f80", "#e1000f", "#8f0000")
WIDTH = 640


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | None
    highlight: bool = False  # le quartier, parmi ses territoires de comparaison


def _num(value: Decimal | float, decimals: int) -> str:
    return number(value, decimals)


def _decimals(values: Sequence[Decimal | None]) -> int:
    return 1 if any(v is not None and v % 1 for v in values) else 0


def _svg(height: float, title: str, body: list[str], css: str) -> str:
    label = escape(title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="q-chart {css}" role="img" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" width="{WIDTH}" height="{height:.0f}" '
        f'font-family="Marianne, Arial, sans-serif" font-size="13" aria-label="{label}">'
        f"<title>{label}</title>{''.join(body)}</svg>"
    )


def bar_chart(title: str, bars: Sequence[Bar], unit: str = "") -> str:
    """Barres horizontales : le quartier (en bleu) et ses territoires (en gris) ; « secret » sinon."""
    row, top, left, right = 26, 8, 210, 110
    values = [b.value for b in bars]
    published = [abs(v) for v in values if v is not None]
    scale = max(published) if published else Decimal(1)
    scale = scale or Decimal(1)
    decimals = _decimals(values)
    span = WIDTH - left - right
    body: list[str] = []
    for i, item in enumerate(bars):
        y = top + i * row
        body.append(
            f'<text x="{left - 8}" y="{y + 16}" text-anchor="end" fill="#161616">'
            f"{escape(item.label[:34])}</text>"
        )
        if item.value is None:
            body.append(
                f'<text x="{left + 4}" y="{y + 16}" fill="#666666" font-style="italic">secret</text>'
            )
            continue
        width = float(abs(item.value) / scale) * span
        color, css = (BLUE, "q-bar q-bar--qpv") if item.highlight else (GREY, "q-bar q-bar--ref")
        body.append(
            f'<rect class="{css}" x="{left}" y="{y + 4}" width="{max(width, 1):.1f}" height="16" '
            f'fill="{color}"/>'
        )
        shown = _num(item.value, decimals) + (f" {unit}" if unit else "")
        body.append(
            f'<text x="{left + width + 6:.1f}" y="{y + 16}" fill="#161616">{escape(shown)}</text>'
        )
    return _svg(top * 2 + row * len(bars), title, body, "q-chart--bars")


def gap_chart(
    title: str, rows: Sequence[tuple[str, Decimal | None]], unit: str, worse_if_higher: bool | None
) -> str:
    """Écarts de part et d'autre de zéro : rouge quand l'écart est défavorable, vert sinon."""
    row, top, left, right = 22, 8, 210, 90
    published = [abs(v) for _, v in rows if v is not None]
    scale = max(published) if published else Decimal(1)
    scale = scale or Decimal(1)
    decimals = _decimals([v for _, v in rows])
    half = (WIDTH - left - right) / 2
    zero = left + half
    height = top * 2 + row * len(rows)
    body = [
        f'<line x1="{zero:.1f}" y1="{top}" x2="{zero:.1f}" y2="{height - top}" stroke="#161616" '
        'stroke-width="1"/>'
    ]
    for i, (label, gap) in enumerate(rows):
        y = top + i * row
        body.append(
            f'<text x="{left - 8}" y="{y + 15}" text-anchor="end" fill="#161616">'
            f"{escape(label[:34])}</text>"
        )
        if gap is None:
            body.append(
                f'<text x="{zero + 4:.1f}" y="{y + 15}" fill="#666666" font-style="italic">—</text>'
            )
            continue
        worse = None if worse_if_higher is None or gap == 0 else (gap > 0) == worse_if_higher
        color = GREY if worse is None else (RED if worse else GREEN)
        css = "q-gap" + ("" if worse is None else (" q-gap--worse" if worse else " q-gap--better"))
        width = max(float(abs(gap) / scale) * half, 1)
        x = zero if gap >= 0 else zero - width
        body.append(
            f'<rect class="{css}" x="{x:.1f}" y="{y + 4}" width="{width:.1f}" height="14" '
            f'fill="{color}"/>'
        )
        shown = ("+" if gap > 0 else "") + _num(gap, decimals) + (f" {unit}" if unit else "")
        tx = zero + width + 4 if gap >= 0 else zero - width - 4
        anchor = "start" if gap >= 0 else "end"
        body.append(
            f'<text x="{tx:.1f}" y="{y + 15}" text-anchor="{anchor}" fill="#161616">'
            f"{escape(shown)}</text>"
        )
    return _svg(height, title, body, "q-chart--gaps")


Ring = Sequence[tuple[float, float]]


@dataclass(frozen=True)
class Shape:
    """Un périmètre à dessiner : ses anneaux (lon, lat en WGS84) et sa classe (0 à 4, ou None)."""

    code: str
    label: str
    rings: Sequence[Ring]
    quantile: int | None = None
    outline: bool = False  # contour seul (la commune autour du quartier)


def quantile_classes(
    values: dict[str, Decimal | None], worse_if_higher: bool | None
) -> dict[str, int]:
    """Classe de 0 (favorable) à 4 (défavorable) par rang parmi les valeurs publiées."""
    published = sorted((v, c) for c, v in values.items() if v is not None)
    if worse_if_higher is False:
        published.reverse()
    n = len(published)
    return {code: min(4, i * 5 // n) for i, (_, code) in enumerate(published)} if n else {}


def perimeter_map(title: str, shapes: Sequence[Shape], height: int = 360, legend: str = "") -> str:
    """Carte des périmètres (projection équirectangulaire à la latitude moyenne), sans fond."""
    points = [p for s in shapes for ring in s.rings for p in ring]
    if not points:
        return _svg(
            40, title, ['<text x="8" y="24" fill="#666666">périmètre non chargé</text>'], ""
        )
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    k = math.cos(math.radians((min(lats) + max(lats)) / 2))
    min_x, max_x = min(lons) * k, max(lons) * k
    min_y, max_y = min(lats), max(lats)
    pad, box_h = 10, height - (28 if legend else 0)
    span = max(max_x - min_x, (max_y - min_y) * (WIDTH / box_h), 1e-9)
    factor = (WIDTH - 2 * pad) / span
    off_x = (WIDTH - (max_x - min_x) * factor) / 2
    off_y = (box_h - (max_y - min_y) * factor) / 2

    def xy(lon: float, lat: float) -> str:
        return f"{off_x + (lon * k - min_x) * factor:.1f} {off_y + (max_y - lat) * factor:.1f}"

    body: list[str] = []
    for s in sorted(shapes, key=lambda s: not s.outline):
        d = " ".join("M " + " L ".join(xy(*p) for p in ring) + " Z" for ring in s.rings if ring)
        if s.outline:
            attrs = 'fill="none" stroke="#666666" stroke-width="1" stroke-dasharray="4 3"'
            css = "q-map-outline"
        elif s.quantile is None:
            attrs = f'fill="{RED}" fill-opacity="0.35" stroke="{RED}" stroke-width="1.5"'
            css = "q-map-qpv"
        else:
            attrs = f'fill="{RAMP[s.quantile]}" stroke="#3a3a3a" stroke-width="0.6"'
            css = f"q-map-qpv q-map-qpv--{s.quantile}"
        body.append(
            f'<path class="{css}" d="{d}" {attrs}><title>{escape(s.code)} {escape(s.label)}'
            "</title></path>"
        )
    if legend:
        y = box_h + 6
        body.append(f'<text x="8" y="{y + 13}" fill="#161616">{escape(legend)}</text>')
        for i, color in enumerate(RAMP):
            body.append(
                f'<rect x="{WIDTH - 280 + i * 36}" y="{y}" width="34" height="16" fill="{color}" '
                'stroke="#3a3a3a" stroke-width="0.5"/>'
            )
        body.append(
            f'<text x="{WIDTH - 284}" y="{y + 13}" text-anchor="end" fill="#161616">'
            "favorable</text>"
        )
        body.append(f'<text x="{WIDTH - 96}" y="{y + 13}" fill="#161616">défavorable</text>')
    return _svg(height, title, body, "q-chart--map")
