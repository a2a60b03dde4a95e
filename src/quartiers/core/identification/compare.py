"""Comparaison d'une édition simulée avec une édition officielle (ou deux éditions quelconques).

Pour chaque QPV officiel : part de sa surface couverte par la simulation, part de sa population
couverte (estimée au prorata des surfaces des quartiers simulés, dont on connaît la population),
le quartier simulé qui lui ressemble le plus et l'indice de Jaccard (surface de l'intersection
sur surface de l'union). Puis les quartiers simulés sans aucun recouvrement officiel (« trouvés,
non officiels ») et les QPV officiels sans aucun recouvrement (« officiels, non trouvés »).
Les surfaces sont mesurées dans la projection locale officielle (`core.geo.crs`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from quartiers.core.geo.crs import local_epsg, transformer
from quartiers.core.geo.perimeters import PerimeterRecord


@dataclass(frozen=True)
class OfficialMatch:
    code: str
    name: str
    area_m2: float
    area_share_covered: float
    population: int | None
    population_covered: float | None
    population_share_covered: float | None
    best_code: str | None
    best_jaccard: float

    @property
    def found(self) -> bool:
        return self.area_share_covered > 0


@dataclass(frozen=True)
class Comparison:
    edition_a: str
    edition_b: str
    matches: list[OfficialMatch]
    found_not_official: list[str]
    official_not_found: list[str]

    def summary(self) -> str:
        lines = [
            f"Comparaison {self.edition_a} (référence) / {self.edition_b} : "
            f"{len(self.matches)} périmètre(s) de référence.",
        ]
        for m in self.matches:
            pop = (
                f", population couverte {m.population_share_covered * 100:.1f} %"
                if m.population_share_covered is not None
                else ""
            )
            lines.append(
                f"  {m.code:<14} surface couverte {m.area_share_covered * 100:5.1f} %{pop} ; "
                f"meilleur : {m.best_code or '—'} (Jaccard {m.best_jaccard:.3f})"
            )
        lines.append(
            f"Trouvés, non présents dans {self.edition_a} : "
            + (", ".join(self.found_not_official) or "aucun")
        )
        lines.append(
            f"Présents dans {self.edition_a}, non trouvés : "
            + (", ".join(self.official_not_found) or "aucun")
        )
        return "\n".join(lines)


def _project(geoms: Sequence[Any], epsg: int) -> list[Any]:
    tr = transformer(4326, epsg)

    def fn(xy: Any) -> Any:
        x, y = tr.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return [shapely.transform(g, fn) for g in geoms]


def compare(
    official: Sequence[PerimeterRecord],
    simulated: Sequence[PerimeterRecord],
    edition_a: str = "A",
    edition_b: str = "B",
) -> Comparison:
    """Compare deux listes de périmètres WGS84 (A = référence, B = simulation)."""
    if not official and not simulated:
        return Comparison(edition_a, edition_b, [], [], [])
    all_geoms = [r.geometry for r in (*official, *simulated)]
    centre = shapely.centroid(shapely.union_all(shapely.envelope(np.asarray(all_geoms))))
    epsg = local_epsg(centre.x, centre.y)
    a_geoms = _project([r.geometry for r in official], epsg)
    b_geoms = _project([r.geometry for r in simulated], epsg)
    b_area = np.array([g.area for g in b_geoms]) if b_geoms else np.zeros(0)
    tree = shapely.STRtree(b_geoms) if b_geoms else None
    matched_b: set[int] = set()
    matches: list[OfficialMatch] = []
    not_found: list[str] = []
    for record, geom in zip(official, a_geoms, strict=True):
        area = float(geom.area)
        candidates = tree.query(geom, predicate="intersects").tolist() if tree is not None else []
        covered = 0.0
        pop_covered = 0.0
        pop_known = False
        best_code, best_j = None, 0.0
        for j in candidates:
            inter = float(shapely.intersection(geom, b_geoms[j]).area)
            if inter <= 0:
                continue
            matched_b.add(j)
            covered += inter
            sim_pop = simulated[j].population
            if sim_pop is not None and b_area[j] > 0:
                pop_known = True
                pop_covered += sim_pop * inter / b_area[j]
            jaccard = inter / (area + b_area[j] - inter)
            if jaccard > best_j:
                best_code, best_j = simulated[j].code, jaccard
        share = min(1.0, covered / area) if area > 0 else 0.0
        pop_share = None
        if record.population and pop_known:
            pop_share = min(1.0, pop_covered / record.population)
        matches.append(
            OfficialMatch(
                record.code,
                record.name,
                area,
                share,
                record.population,
                round(pop_covered, 1) if pop_known else None,
                pop_share,
                best_code,
                round(best_j, 4),
            )
        )
        if share == 0:
            not_found.append(record.code)
    found_not_official = [r.code for j, r in enumerate(simulated) if j not in matched_b]
    return Comparison(edition_a, edition_b, matches, found_not_official, not_found)
