"""Comparaison officielle / simulée sur un cas connu (carrés de 200 m en Lambert-93)."""

from __future__ import annotations

import shapely

from quartiers.core.geo.crs import transformer
from quartiers.core.geo.perimeters import PerimeterRecord
from quartiers.core.identification.compare import compare


def square(x0, y0, w, h):
    tr = transformer(2154, 4326)
    geom = shapely.box(x0, y0, x0 + w, y0 + h).segmentize(50)
    return shapely.transform(
        geom, lambda xy: __import__("numpy").column_stack(tr.transform(xy[:, 0], xy[:, 1]))
    )


def rec(code, geom, population=None):
    return PerimeterRecord(code=code, name=code, geometry=geom, population=population)


def test_known_overlaps():
    # Officiel A : 400 × 200 m. Simulé S1 couvre sa moitié droite et déborde de 200 m :
    # intersection 200 × 200, union 600 × 200 → Jaccard 1/3 ; surface couverte 50 %.
    official = [
        rec("QP031001", square(574000, 6280000, 400, 200), population=1000),
        rec("QP031002", square(590000, 6290000, 200, 200), population=500),
    ]
    simulated = [
        rec("SIM-1", square(574200, 6280000, 400, 200), population=1200),
        rec("SIM-2", square(600000, 6300000, 200, 200), population=1500),
    ]
    result = compare(official, simulated, "2015", "SIM")
    first, second = result.matches
    assert abs(first.area_share_covered - 0.5) < 0.01
    assert first.best_code == "SIM-1"
    assert abs(first.best_jaccard - 1 / 3) < 0.01
    # Population couverte : la moitié des 1 200 habitants simulés (au prorata des surfaces).
    assert abs(first.population_covered - 600) < 10
    assert abs(first.population_share_covered - 0.6) < 0.01
    assert second.area_share_covered == 0 and second.best_code is None
    assert result.official_not_found == ["QP031002"]
    assert result.found_not_official == ["SIM-2"]
    text = result.summary()
    assert "Jaccard 0.333" in text and "non trouvés : QP031002" in text
