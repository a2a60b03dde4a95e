"""Index point → QPV : exact, limites comprises, identique à un test géométrique direct."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import shapely

from quartiers.core.geo import ZoningIndex, read_perimeters


def _reference(records: list, lons: np.ndarray, lats: np.ndarray) -> list:
    """Test géométrique direct (shapely.intersects) sur chaque périmètre réparé."""
    out = []
    for x, y in zip(lons, lats, strict=True):
        p = shapely.Point(x, y)
        hits = [r.code for r in records if shapely.intersects(r.geometry, p)]
        out.append(hits[0] if hits else None)
    return out


def test_locate_matches_exact_geometry_on_real_perimeters(occitanie_qp: Path) -> None:
    records = read_perimeters(occitanie_qp, "qpv", "2015").records
    index = ZoningIndex(records)
    rng = np.random.default_rng(42)
    # Points près des quartiers toulousains, où les périmètres sont denses.
    lons = rng.uniform(1.35, 1.50, 3000)
    lats = rng.uniform(43.55, 43.66, 3000)
    assert list(index.locate(lons, lats)) == _reference(records, lons, lats)


def test_vertices_and_edges_count_as_inside(occitanie_qp: Path) -> None:
    records = read_perimeters(occitanie_qp, "qpv", "2015").records
    index = ZoningIndex(records)
    mirail = index.perimeter("QP009001").geometry
    ring = np.asarray(mirail.exterior.coords)
    # Sommets exacts de la limite.
    assert set(index.locate(ring[:50, 0], ring[:50, 1])) == {"QP009001"}
    # Milieux d'arêtes horizontales ou verticales : exactement sur la limite.
    on_edge = [((a[0] + b[0]) / 2, a[1]) for a, b in itertools.pairwise(ring) if a[1] == b[1]][:20]
    if on_edge:
        xs, ys = np.array(on_edge).T
        assert all(c is not None for c in index.locate(xs, ys))


def test_outside_france_and_invalid_points(occitanie_qp: Path) -> None:
    index = ZoningIndex.from_file(occitanie_qp)
    codes = index.locate([2.35, -74.0, 200.0, np.nan], [48.85, 40.7, 10.0, 43.6])
    assert list(codes) == [None, None, None, None]
    dist = index.distance_m([2.35, np.nan], [48.85, 0])
    assert dist[0] > 400_000 and np.isnan(dist[1])


def test_distance_is_metric_and_zero_inside(occitanie_qp: Path) -> None:
    index = ZoningIndex.from_file(occitanie_qp)
    inside = index.perimeter("QP009001").geometry.representative_point()
    assert index.distance_m([inside.x], [inside.y])[0] == 0
    # 0,01° de latitude au nord du point le plus au nord de Saint-Girons ≈ 1 112 m (Lambert-93 étire un peu).
    north = index.perimeter("QP009001").geometry.bounds[3]
    d = index.distance_m([inside.x], [north + 0.01])[0]
    assert 1_000 < d <= 1_130  # facteur d'échelle de Lambert-93 compris
