"""Moteur de localisation : les grilles emboîtées répondent exactement comme shapely.

Chaque test compare `ZoningIndex.locate_indices` à un test géométrique direct
(`shapely.intersects`, limite comprise, plus petit rang gagnant en cas de chevauchement),
sur les périmètres réels d'Occitanie et sur des cas construits à la main.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quartiers.core.geo import PerimeterRecord, ZoningIndex, read_perimeters
from quartiers.core.geo.crs import transformer
from quartiers.core.geo.grid import DEFAULT_EXPONENTS


def direct(geoms: list, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Référence : chaque point contre chaque périmètre, le plus petit rang touché gagne."""
    if not len(geoms):
        return np.full(len(x), -1)
    points = shapely.points(x, y)
    hits = shapely.intersects(np.array(geoms, dtype=object)[:, None], points[None, :])
    return np.where(hits.any(axis=0), hits.argmax(axis=0), -1)


def strtree(geoms: list, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Référence rapide : `STRtree.query(..., predicate="intersects")`, plus petit rang gagnant."""
    pairs = shapely.STRtree(geoms).query(shapely.points(x, y), predicate="intersects")
    found = np.full(len(x), -1)
    order = np.lexsort((pairs[1], pairs[0]))[::-1]
    found[pairs[0][order]] = pairs[1][order]
    return found


def gridded(records: list[PerimeterRecord], exponents: tuple = DEFAULT_EXPONENTS) -> ZoningIndex:
    """Index dont les grilles sont construites d'emblée (sinon les petits lots passent par le
    STRtree) : c'est bien le moteur à grilles que ces tests éprouvent."""
    index = ZoningIndex(records, grid_exponents=exponents)
    assert index.grid is not None and index.grid_ready
    return index


def records_of(*geoms: object) -> list[PerimeterRecord]:
    return [
        PerimeterRecord(code=f"Z{i}", name=f"zone {i}", geometry=g) for i, g in enumerate(geoms)
    ]


@pytest.fixture(scope="module")
def occitanie() -> tuple[list[PerimeterRecord], ZoningIndex]:
    from tests.conftest import OCCITANIE_QP

    if not OCCITANIE_QP.exists():
        pytest.skip(f"donnée réelle absente : {OCCITANIE_QP}")
    records = read_perimeters(Path(OCCITANIE_QP), "qpv", "2015").records
    return records, gridded(records)


def _geoms(records: list[PerimeterRecord]) -> list:
    return [r.geometry for r in records]


def _vertices(records: list[PerimeterRecord]) -> np.ndarray:
    return shapely.get_coordinates(shapely.boundary(np.array(_geoms(records), dtype=object)))


# --- Périmètres réels -------------------------------------------------------------------


def test_random_points_match_strtree(occitanie: tuple) -> None:
    records, index = occitanie
    rng = np.random.default_rng(1)
    vertices = _vertices(records)
    base = vertices[rng.integers(0, len(vertices), 150_000)]
    near = base + rng.normal(0, 0.002, base.shape)  # quelques centaines de mètres
    close = base[:50_000] + rng.normal(0, 0.0002, (50_000, 2))  # quelques dizaines de mètres
    far = np.column_stack((rng.uniform(-0.5, 5, 100_000), rng.uniform(42, 45, 100_000)))
    pts = np.concatenate([near, close, far])
    ours = index.locate_indices(pts[:, 0], pts[:, 1])
    np.testing.assert_array_equal(ours, strtree(_geoms(records), pts[:, 0], pts[:, 1]))
    assert (ours >= 0).sum() > 10_000  # beaucoup de points dedans, pas seulement dehors


def test_every_vertex_and_axis_aligned_edge_midpoint_is_inside(occitanie: tuple) -> None:
    records, index = occitanie
    vertices = _vertices(records)
    ours = index.locate_indices(vertices[:, 0], vertices[:, 1])
    assert (ours >= 0).all()
    np.testing.assert_array_equal(ours, direct(_geoms(records), vertices[:, 0], vertices[:, 1]))
    # Milieux d'arêtes horizontales ou verticales : exactement sur la limite en float64.
    mids = []
    for g in _geoms(records):
        for ring in shapely.get_rings(shapely.get_parts(g)):
            c = shapely.get_coordinates(ring)
            a, b = c[:-1], c[1:]
            flat = a[:, 1] == b[:, 1]
            upright = a[:, 0] == b[:, 0]
            mids.append(np.column_stack(((a[flat, 0] + b[flat, 0]) / 2, a[flat, 1])))
            mids.append(np.column_stack((a[upright, 0], (a[upright, 1] + b[upright, 1]) / 2)))
    m = np.concatenate(mids)
    assert len(m) > 20
    ours = index.locate_indices(m[:, 0], m[:, 1])
    exact_mid = shapely.intersects(
        np.array(_geoms(records), dtype=object)[ours], shapely.points(m[:, 0], m[:, 1])
    )
    assert (ours >= 0).all() and exact_mid.all()
    np.testing.assert_array_equal(ours, direct(_geoms(records), m[:, 0], m[:, 1]))


@pytest.mark.parametrize("delta", [1e-9, 1e-12])
def test_points_just_inside_and_outside_the_boundary(occitanie: tuple, delta: float) -> None:
    records, index = occitanie
    v = _vertices(records)[::3]
    dx, dy = np.array([delta, 0.0]), np.array([0.0, delta])
    pts = np.concatenate([v + dx, v - dx, v + dy, v - dy])
    ours = index.locate_indices(pts[:, 0], pts[:, 1])
    np.testing.assert_array_equal(ours, direct(_geoms(records), pts[:, 0], pts[:, 1]))
    assert 0 < (ours >= 0).mean() < 1  # des deux côtés de la limite


def test_points_on_the_edges_and_corners_of_the_grid_cells(occitanie: tuple) -> None:
    records, index = occitanie
    v = _vertices(records)[::2]
    pts = [v]
    for e in index.grid.exponents:
        s = float(2**e)
        lo = np.floor(v * s) / s
        hi = (np.floor(v * s) + 1) / s
        # coins de cellules, et points d'un bord de cellule alignés sur un sommet
        pts += [lo, hi, np.column_stack((lo[:, 0], v[:, 1])), np.column_stack((v[:, 0], hi[:, 1]))]
    p = np.unique(np.concatenate(pts), axis=0)
    ours = index.locate_indices(p[:, 0], p[:, 1])
    np.testing.assert_array_equal(ours, strtree(_geoms(records), p[:, 0], p[:, 1]))


def test_outside_france_invalid_and_out_of_range(occitanie: tuple) -> None:
    _records, index = occitanie
    lons = [-74.0, 55.45, 139.7, 180.0, -180.0, np.nan, 1.44, 200.0, 1.44, np.inf, -np.inf]
    lats = [40.7, -20.9, 35.7, 90.0, -90.0, 43.6, np.nan, 43.6, 95.0, 43.6, 43.6]
    assert (index.locate_indices(lons, lats) == -1).all()
    assert list(index.locate([], [])) == []
    with pytest.raises(ValueError, match="même longueur"):
        index.locate_indices([1.0, 2.0], [43.0])


def test_single_point_and_scalar_like_inputs(occitanie: tuple) -> None:
    records, index = occitanie
    inside = records[5].geometry.representative_point()
    assert index.locate([inside.x], [inside.y])[0] == records[5].code
    assert index.locate(np.array([[inside.x]]), np.array([[inside.y]]))[0] == records[5].code


def test_grid_memory_is_small(occitanie: tuple) -> None:
    _records, index = occitanie
    assert index.grid.nbytes < 20_000_000


# --- Cas construits ---------------------------------------------------------------------


def test_hole_boundary_is_inside_and_hole_interior_is_outside() -> None:
    outer = [(1.0, 43.0), (1.1, 43.0), (1.1, 43.1), (1.0, 43.1)]
    hole = [(1.03, 43.03), (1.07, 43.03), (1.07, 43.07), (1.03, 43.07)]
    index = gridded(records_of(shapely.Polygon(outer, [hole])))
    x = np.array([1.05, 1.03, 1.05, 1.07, 1.031, 1.02, 1.0, 1.1, 1.2])
    y = np.array([43.05, 43.05, 43.03, 43.07, 43.05, 43.05, 43.05, 43.1, 43.05])
    assert list(index.locate_indices(x, y)) == [-1, 0, 0, 0, -1, 0, 0, 0, -1]


def test_multipolygon_parts_and_overlaps_lowest_rank_wins() -> None:
    two_parts = shapely.MultiPolygon(
        [shapely.box(2.0, 44.0, 2.01, 44.01), shapely.box(2.5, 44.5, 2.51, 44.51)]
    )
    overlapping = shapely.box(2.005, 44.0, 2.02, 44.01)
    index = gridded(records_of(overlapping, two_parts))
    x = np.array([2.005, 2.007, 2.505, 2.015, 2.3, 2.01])
    y = np.array([44.005, 44.005, 44.505, 44.005, 44.3, 44.0])
    assert list(index.locate_indices(x, y)) == [0, 0, 1, 0, -1, 0]
    assert list(index.locate_indices(x, y)) == list(direct([overlapping, two_parts], x, y))


def test_perimeter_aligned_on_cell_edges() -> None:
    """Un carré dont les côtés sont des bords de cellule de chaque niveau : un point sur le côté
    droit tombe dans la cellule de droite, vide, et doit pourtant être trouvé."""
    square = shapely.box(1.0, 43.0, 1.5, 43.5)
    index = gridded(records_of(square))
    x = np.array([1.5, 1.5, 1.0, 1.25, 1.5 + 2**-40, 1.0 - 2**-40, 1.25, 1.25])
    y = np.array([43.5, 43.25, 43.0, 43.5, 43.25, 43.25, 43.5 + 2**-40, 43.0 - 2**-40])
    assert list(index.locate_indices(x, y)) == [0, 0, 0, 0, -1, -1, -1, -1]


def test_tiny_perimeter_and_far_hemispheres() -> None:
    tiny = shapely.Polygon([(1.0, 43.0), (1.0 + 1e-7, 43.0), (1.0, 43.0 + 1e-7)])
    guyane = shapely.box(-52.35, 4.90, -52.30, 4.95)
    fidji = shapely.box(179.9, -17.0, 180.0, -16.9)
    index = gridded(records_of(tiny, guyane, fidji))
    x = np.array([1.0, 1.0 + 4e-8, 1.0 + 1e-7, -52.32, -52.36, 180.0, -180.0, 179.95])
    y = np.array([43.0, 43.0 + 4e-8, 43.0 + 1e-7, 4.92, 4.92, -16.95, -16.95, -16.95])
    assert list(index.locate_indices(x, y)) == [0, 0, -1, 1, -1, 2, -1, 2]


def test_small_batches_use_the_tree_until_the_grid_exists(occitanie: tuple) -> None:
    records, _index = occitanie
    index = ZoningIndex(records)
    v = _vertices(records)[:500]
    rng = np.random.default_rng(4)
    pts = np.concatenate([v, v + rng.normal(0, 0.001, v.shape)])
    small = index.locate_indices(pts[:, 0], pts[:, 1])
    assert not index.grid_ready
    np.testing.assert_array_equal(small, direct(_geoms(records), pts[:, 0], pts[:, 1]))
    many = np.repeat(pts, 3, axis=0)
    np.testing.assert_array_equal(index.locate_indices(many[:, 0], many[:, 1]), np.repeat(small, 3))
    assert index.grid_ready
    np.testing.assert_array_equal(index.locate_indices(pts[:, 0], pts[:, 1]), small)


def test_empty_index() -> None:
    index = ZoningIndex([])
    assert list(index.locate([1.0], [43.0])) == [None]
    best, dist = index.nearest([1.0], [43.0])
    assert best[0] == -1 and np.isnan(dist[0])


def test_invalid_grid_exponents() -> None:
    with pytest.raises(ValueError, match="exposants"):
        _ = ZoningIndex(records_of(shapely.box(0, 0, 1, 1)), grid_exponents=(0, 6, 6)).grid
    with pytest.raises(ValueError, match="écart ≤ 8"):
        _ = ZoningIndex(records_of(shapely.box(0, 0, 1, 1)), grid_exponents=(0, 12)).grid


# --- Propriété : polygones et points aléatoires sur une trame dyadique --------------------

STEP = (
    2.0**-13
)  # la moitié d'une cellule fine : sommets et points tombent sur les bords de cellules
coordinate = st.integers(-60, 60).map(lambda k: k * STEP)
ring = st.lists(st.tuples(coordinate, coordinate), min_size=3, max_size=8)


@st.composite
def perimeters(draw: st.DrawFn) -> list:
    shapes = []
    for _ in range(draw(st.integers(1, 3))):
        hull = shapely.convex_hull(shapely.MultiPoint(draw(ring)))
        if draw(st.booleans()):
            hull = shapely.difference(hull, shapely.convex_hull(shapely.MultiPoint(draw(ring))))
        polygonal = [g for g in shapely.get_parts(hull) if g.geom_type == "Polygon" and g.area]
        if polygonal:
            shapes.append(shapely.MultiPolygon(polygonal) if len(polygonal) > 1 else polygonal[0])
    return shapes


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    shapes=perimeters(),
    points=st.lists(
        st.tuples(coordinate | st.floats(-0.008, 0.008), coordinate | st.floats(-0.008, 0.008)),
        min_size=1,
        max_size=60,
    ),
    exponents=st.sampled_from([DEFAULT_EXPONENTS, (0, 4, 8, 14), (3,), (2, 8, 13)]),
    origin=st.sampled_from([(1.4, 43.6), (-52.3, 4.9), (55.45, -20.9), (0.0, 0.0)]),
)
def test_grid_equals_shapely_on_random_perimeters(
    shapes: list, points: list, exponents: tuple, origin: tuple
) -> None:
    shapes = [shapely.transform(g, lambda xy: xy + np.array(origin)) for g in shapes]
    pts = np.array(points) + np.array(origin)
    vertices = shapely.get_coordinates(np.array(shapes, dtype=object)) if shapes else pts
    pts = np.concatenate([pts, vertices])
    index = gridded(records_of(*shapes), exponents)
    np.testing.assert_array_equal(
        index.locate_indices(pts[:, 0], pts[:, 1]), direct(shapes, pts[:, 0], pts[:, 1])
    )


# --- Distances ---------------------------------------------------------------------------


def test_distances_match_a_direct_projected_measure(occitanie: tuple) -> None:
    records, index = occitanie
    rng = np.random.default_rng(3)
    x = rng.uniform(0.0, 4.5, 300)
    y = rng.uniform(42.6, 44.5, 300)
    best, dist = index.nearest(x, y)
    tr = transformer(4326, 2154)
    projected = [
        shapely.transform(r.geometry, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
        for r in records
    ]
    px, py = tr.transform(x, y)
    inside = index.locate_indices(x, y)
    for i in range(len(x)):
        d = shapely.distance(np.array(projected, dtype=object), shapely.Point(px[i], py[i]))
        if inside[i] >= 0:
            assert dist[i] == 0 and best[i] == inside[i]
        else:
            assert dist[i] == pytest.approx(d.min(), rel=1e-9, abs=1e-6)
            assert best[i] == int(np.flatnonzero(d == d.min())[0])


def test_distance_overseas_uses_the_local_projection_and_ties_take_lowest_rank() -> None:
    square = shapely.box(55.45, -20.90, 55.46, -20.89)  # La Réunion
    index = ZoningIndex(records_of(square, square))
    best, dist = index.nearest([55.455, 55.455], [-20.88, -20.895])
    tr = transformer(4326, 2975)
    px, py = tr.transform(55.455, -20.88)
    expected = shapely.distance(
        shapely.transform(square, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1]))),
        shapely.Point(px, py),
    )
    assert list(best) == [0, 0]
    assert dist[0] == pytest.approx(expected) and 1_000 < dist[0] < 1_200
    assert dist[1] == 0


def test_many_outside_points_get_a_distance(occitanie: tuple) -> None:
    _records, index = occitanie
    rng = np.random.default_rng(9)
    x = rng.uniform(-0.5, 5, 20_000)
    y = rng.uniform(42, 45, 20_000)
    dist = index.distance_m(np.append(x, [np.nan, 2.35]), np.append(y, [43.0, 48.85]))
    assert np.isfinite(dist[:-2]).all() and (dist[:-2] >= 0).all()
    assert np.isnan(dist[-2]) and dist[-1] > 400_000


# --- Filtre d'orientation : un signe rendu est toujours le signe exact --------------------


def test_orientation_filter_never_lies_on_nearly_collinear_points() -> None:
    from fractions import Fraction

    from quartiers.core.geo.crossing import orientation

    rng = np.random.default_rng(5)
    n = 20_000
    ax, ay = rng.uniform(1.3, 1.5, n), rng.uniform(43.5, 43.7, n)
    bx, by = ax + rng.uniform(-1e-3, 1e-3, n), ay + rng.uniform(-1e-3, 1e-3, n)
    t = rng.uniform(-2, 2, n)
    # p presque sur la droite (a, b) : à quelques ulp près, là où le calcul naïf se trompe.
    px = ax + t * (bx - ax) + rng.integers(-3, 4, n) * np.spacing(ax)
    py = ay + t * (by - ay) + rng.integers(-3, 4, n) * np.spacing(ay)
    # Une moitié exactement alignée : coordonnées dyadiques, p = a + t (b - a) sans arrondi.
    half = n // 2
    ax[:half] = rng.integers(1 << 20, 1 << 21, half) * 2.0**-20
    ay[:half] = rng.integers(43 << 20, 44 << 20, half) * 2.0**-20
    bx[:half] = ax[:half] + rng.integers(-64, 64, half) * 2.0**-20
    by[:half] = ay[:half] + rng.integers(-64, 64, half) * 2.0**-20
    k = rng.integers(-4, 5, half) * 0.25
    px[:half] = ax[:half] + k * (bx[:half] - ax[:half])
    py[:half] = ay[:half] + k * (by[:half] - ay[:half])
    signs = orientation(ax, ay, bx, by, px, py)
    for i in range(n):
        exact = (Fraction(ax[i]) - Fraction(px[i])) * (Fraction(by[i]) - Fraction(py[i])) - (
            Fraction(ay[i]) - Fraction(py[i])
        ) * (Fraction(bx[i]) - Fraction(px[i]))
        if signs[i]:
            assert signs[i] == (1 if exact > 0 else -1)
        elif exact == 0:
            assert signs[i] == 0
    assert (signs == 0).any() and (signs != 0).any()
    same = np.array([1.0]), np.array([2.0]), np.array([3.0])
    assert orientation(same[0], same[0], same[1], same[1], same[2], same[2])[0] == 0
