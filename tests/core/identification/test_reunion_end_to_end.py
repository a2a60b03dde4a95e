"""La vraie grille de La Réunion (INSEE, RFL 2010) de bout en bout, critère « ménages pauvres »."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pyogrio
import pytest
import shapely

from quartiers.core.identification import CellStatus, RunOptions, run
from quartiers.core.identification.outputs import write_outputs
from quartiers.core.identification.report import html_report
from tests.conftest import shared


@pytest.fixture(scope="module")
def reunion():
    return run(
        RunOptions(
            grid=shared("grid_rfl2010_reunion/reunion_rfl2010_200m.csv"), criterion="poor-share"
        )
    )


def test_reunion_yields_explained_quartiers(reunion):
    assert reunion.overseas  # EPSG:2975 : règles de Martinique et de La Réunion
    assert reunion.estimated  # population = ménages × personnes par ménage
    quartiers = reunion.quartiers
    assert len(quartiers) >= 10
    for q in quartiers:
        assert q.population >= 1000
        assert q.density >= 2000
        assert q.poor_share is not None and q.poor_share > 0.5
        assert "part de ménages pauvres" in q.explanation
        assert "densité" in q.explanation
        assert "(estimation)" in q.explanation
    # Des agrégats sont rejetés pour chacune des raisons possibles, et le disent.
    reasons = " ".join(a.explanation for a in reunion.rejected)
    assert "< 1 000" in reasons
    assert "hab./km² < 2 000" in reasons
    counts = reunion.status_counts()
    assert sum(counts.values()) == 14076
    assert counts["dans un quartier"] > 0
    # Une cellule en quartier porte bien le numéro d'un quartier.
    in_q = (reunion.cell_status == CellStatus.QUARTIER).nonzero()[0][0]
    assert reunion.aggregates[reunion.cell_aggregate[in_q]].is_quartier


def test_outputs_are_readable_back(reunion, tmp_path):
    gpkg = tmp_path / "reunion.gpkg"
    write_outputs(reunion, gpkg)
    layers = dict(pyogrio.list_layers(gpkg).tolist())
    assert {"quartiers", "rejected", "cells", "thresholds"} <= set(layers)
    meta, table = pyogrio.read_arrow(gpkg, layer="quartiers")
    for column in (
        "population",
        "median_income_per_cu",
        "low_income_threshold",
        "uu_code",
        "estimated",
    ):
        assert column in table.column_names
    assert table.num_rows == len(reunion.quartiers)
    assert "2975" in meta["crs"]
    geoms = shapely.from_wkb(table.column(meta["geometry_name"] or "geom").to_pylist())
    assert all(g.is_valid and g.area >= 40_000 for g in geoms)  # au moins un carreau
    expected_area = sum(q.n_cells for q in reunion.quartiers) * 40_000
    assert abs(sum(g.area for g in geoms) - expected_area) < 1
    assert table.column("estimated").to_pylist() == [True] * table.num_rows
    _meta, cells = pyogrio.read_arrow(gpkg, layer="cells")
    assert cells.num_rows == 14076
    assert set(cells.column("status").to_pylist()) >= {"quartier", "rejected", "not_candidate"}

    geojson = tmp_path / "reunion.geojson"
    write_outputs(reunion, geojson)
    data = json.loads(geojson.read_text(encoding="utf-8"))
    lon, lat = shapely.geometry.shape(data["features"][0]["geometry"]).centroid.coords[0]
    assert 55.1 < lon < 55.9 and -21.5 < lat < -20.8  # WGS84, sur l'île
    parquet = tmp_path / "reunion.parquet"
    write_outputs(reunion, parquet)
    table = pq.read_table(parquet)  # GeoParquet : métadonnées « geo », géométrie WKB
    assert table.num_rows == len(reunion.quartiers)
    geo = json.loads(table.schema.metadata[b"geo"])
    assert geo["primary_column"] == "geometry"
    assert shapely.from_wkb(table.column("geometry")[0].as_py()).area >= 40_000


def test_html_report_has_an_inline_map(reunion):
    page = html_report(reunion)
    assert page.count("<svg") == 1 and "http://" not in page.replace("http://www.w3.org", "")
    assert "cells-quartier" in page and "agg-quartier" in page
    assert "estimation" in page and "Limites" in page


def test_smoothing_keeps_valid_polygons_close_to_the_cells(reunion):
    from quartiers.core.identification.outputs import aggregate_polygon

    for q in reunion.quartiers[:5]:
        raw = aggregate_polygon(reunion, q)
        smooth = aggregate_polygon(reunion, q, smooth_m=50)
        assert raw.area == q.n_cells * 40_000
        assert smooth.is_valid and abs(smooth.area - raw.area) < 0.1 * raw.area
