"""Rapport HTML autonome : carte SVG en ligne (sans réseau), seuils, quartiers, rejets."""

from __future__ import annotations

import html
from typing import Any

import numpy as np

from quartiers.core.identification.aggregate import (
    STATUS_CODES,
    STATUS_LABELS,
    CellStatus,
    IdentificationResult,
)
from quartiers.core.identification.explain import euros, people
from quartiers.core.identification.outputs import polygons

STATUS_COLOURS = {
    CellStatus.OUTSIDE: "#e5e5e5",
    CellStatus.NO_DATA: "#cccccc",
    CellStatus.NOT_CANDIDATE: "#b8d3ea",
    CellStatus.REJECTED: "#f6c28b",
    CellStatus.TRIMMED: "#c77dff",
    CellStatus.QUARTIER: "#d6341f",
    CellStatus.ENCLAVE: "#8a1c10",
}
MAX_MAP_CELLS = 200_000


def _path_of(geom: Any, x0: float, y1: float) -> str:
    parts = []
    polys = getattr(geom, "geoms", [geom])
    for poly in polys:
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        for ring in (poly.exterior, *poly.interiors):
            coords = np.asarray(ring.coords)
            pts = " ".join(f"{x - x0:.0f},{y1 - y:.0f}" for x, y in coords[:-1])
            parts.append(f"M{pts}Z")
    return " ".join(parts)


def svg_map(result: IdentificationResult, interactive: bool = False) -> str:
    """Carte SVG : carreaux colorés par statut (un chemin par statut), agrégats cliquables."""
    grid = result.grid
    shown = np.flatnonzero(result.cell_status != CellStatus.OUTSIDE)
    if len(shown) == 0:
        shown = np.arange(len(grid))
    size = grid.cell_size
    xs = grid.x_min()[shown]
    ys = grid.y_min()[shown]
    x0, x1 = float(xs.min()), float(xs.max()) + size
    y0, y1 = float(ys.min()), float(ys.max()) + size
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {x1 - x0:.0f} {y1 - y0:.0f}" '
        'class="ident-map" role="img" aria-label="Carte des carreaux et des quartiers">'
    ]
    if len(shown) <= MAX_MAP_CELLS:
        status = result.cell_status[shown]
        for s in CellStatus:
            sel = status == s
            if not sel.any():
                continue
            d = "".join(
                f"M{x - x0:.0f} {y1 - y - size:.0f}h{size}v{size}h-{size}z"
                for x, y in zip(xs[sel].tolist(), ys[sel].tolist(), strict=True)
            )
            out.append(
                f'<path class="cells cells-{STATUS_CODES[s]}" fill="{STATUS_COLOURS[s]}" d="{d}"/>'
            )
    # Les rejets d'abord, les quartiers ensuite (dessinés par-dessus, donc cliquables).
    aggregates = [a for a in result.aggregates if not a.is_quartier and a.population >= 200][
        :2000
    ] + [a for a in result.aggregates if a.is_quartier]
    for agg, geom in zip(aggregates, polygons(result, aggregates), strict=True):
        cls = "quartier" if agg.is_quartier else "rejected"
        stroke = "#000091" if agg.is_quartier else "#a94645"
        width = size * 0.6 if agg.is_quartier else size * 0.3
        title = html.escape(agg.explanation)
        attrs = f'data-code="{html.escape(agg.code)}"' + (
            f' data-explanation="{title}" tabindex="0"' if interactive else ""
        )
        out.append(
            f'<path class="agg agg-{cls}" {attrs} fill="transparent" stroke="{stroke}" '
            f'stroke-width="{width:.0f}" fill-rule="evenodd" d="{_path_of(geom, x0, y1)}">'
            f"<title>{html.escape(agg.code)} — {title}</title></path>"
        )
    out.append("</svg>")
    return "".join(out)


def legend() -> str:
    items = "".join(
        f'<li><span style="display:inline-block;width:1em;height:1em;background:{STATUS_COLOURS[s]}">'
        f"</span> {STATUS_LABELS[s]}</li>"
        for s in CellStatus
    )
    return f'<ul class="ident-legend">{items}</ul>'


def html_report(result: IdentificationResult, title: str = "Identification des quartiers") -> str:
    """Rapport complet (une page HTML sans dépendance externe)."""
    esc = html.escape
    est = " (estimation)" if result.estimated else ""
    rows_q = "".join(
        f"<tr><td>{esc(a.code)}</td><td>{esc(a.territory)}</td><td>{people(a.population)}</td>"
        f"<td>{_value(result, a)}</td><td>{_thr(a)}</td><td>{esc(a.explanation)}</td></tr>"
        for a in result.quartiers
    )
    rejected = sorted(result.rejected, key=lambda a: -a.population)[:500]
    rows_r = "".join(
        f"<tr><td>{esc(a.code)}</td><td>{esc(a.territory)}</td><td>{people(a.population)}</td>"
        f"<td>{_value(result, a)}</td><td>{_thr(a)}</td><td>{esc('; '.join(a.reasons))}</td></tr>"
        for a in rejected
    )
    rows_t = "".join(
        f"<tr><td>{esc(t.uu_code)}</td><td>{people(t.population) if t.population is not None else '—'}</td>"
        f"<td>{'oui' if t.eligible else 'non'}</td>"
        f"<td>{euros(t.low_income_threshold) if t.low_income_threshold is not None else '—'}</td>"
        f"<td>{esc(t.formula or t.reason)}</td></tr>"
        for t in result.thresholds.values()
    )
    rows_p = "".join(
        f"<tr><td>{esc(n)}</td><td>{esc(v)}</td><td>{esc(r)}</td></tr>"
        for n, v, r, _o in result.params.describe()
    )
    counts = "".join(
        f"<li>{esc(label)} : {people(c)}</li>" for label, c in result.status_counts().items()
    )
    warnings = "".join(f"<li>{esc(w)}</li>" for w in result.warnings)
    return f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>{esc(title)}</title>
<style>body{{font-family:Marianne,Arial,sans-serif;margin:2em;max-width:1200px}}
table{{border-collapse:collapse;font-size:.85em}}td,th{{border:1px solid #ccc;padding:.2em .4em;vertical-align:top}}
.ident-legend{{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:1em}}
.ident-map{{width:100%;height:auto;max-height:80vh;background:#fff}}</style></head>
<body><h1>{esc(title)}</h1>
<p>Grille : {esc(result.grid.source)} ({people(len(result.grid))} carreaux, {esc(result.grid.crs)}).
Critère : {esc(result.criterion_label)}{est}.
{len(result.quartiers)} quartier(s) retenu(s), {len(result.rejected)} agrégat(s) rejeté(s).</p>
<p><strong>Limites</strong> : reproduction approchée d'un calcul officiel non publié ; la grille
publique est imputée et winsorisée et donne des revenus disponibles, pas le revenu déclaré du
décret ; les médianes issues de résumés par carreau sont des estimations.</p>
<ul>{warnings}</ul>
{legend()}
{svg_map(result)}
<h2>Carreaux</h2><ul>{counts}</ul>
<h2>Quartiers retenus</h2><table><thead><tr><th>Code</th><th>Territoire</th><th>Population</th>
<th>Valeur</th><th>Seuil</th><th>Explication</th></tr></thead><tbody>{rows_q}</tbody></table>
<h2>Agrégats rejetés (500 plus peuplés)</h2><table><thead><tr><th>Code</th><th>Territoire</th>
<th>Population</th><th>Valeur</th><th>Seuil</th><th>Raisons</th></tr></thead><tbody>{rows_r}</tbody></table>
<h2>Seuils par territoire</h2><table><thead><tr><th>Territoire</th><th>Population</th>
<th>Éligible</th><th>Seuil</th><th>Calcul</th></tr></thead><tbody>{rows_t}</tbody></table>
<h2>Paramètres</h2><table><thead><tr><th>Nom</th><th>Valeur</th><th>Référence</th></tr></thead>
<tbody>{rows_p}</tbody></table>
</body></html>"""


def _value(result: IdentificationResult, agg: Any) -> str:
    if agg.median_income_per_cu is not None:
        return euros(agg.median_income_per_cu) + (" (estimation)" if agg.estimated else "")
    if agg.poor_share is not None:
        return f"{agg.poor_share * 100:.1f} %".replace(".", ",")
    return "—"


def _thr(agg: Any) -> str:
    return euros(agg.low_income_threshold) if agg.low_income_threshold is not None else "—"
