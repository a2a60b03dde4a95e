"""Lecture des périmètres : formats, CRS, réparation, codes, tout ou rien."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pyogrio
import pytest
import shapely

from quartiers.core.geo import ZoningFileError, read_perimeters
from quartiers.core.geo.perimeters import department_from_code


def test_occitanie_reads_105_and_repairs_32(occitanie_qp: Path) -> None:
    parsed = read_perimeters(occitanie_qp, "qpv", "2015")
    assert len(parsed.records) == 105
    assert parsed.repaired_count == 32
    assert all(shapely.is_valid(r.geometry) for r in parsed.records)
    mirail = next(r for r in parsed.records if r.code == "QP031007")
    assert mirail.name == "Grand Mirail"
    assert mirail.insee_codes == ("31555",)
    assert mirail.department_code == "31"


def _write_geojson(path: Path, features: list[dict], crs: str | None = None) -> Path:
    doc: dict = {"type": "FeatureCollection", "features": features}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _square(x: float, y: float, d: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]],
    }


def test_bad_code_and_duplicate_are_refused_with_row_and_field(tmp_path: Path) -> None:
    path = _write_geojson(
        tmp_path / "bad.geojson",
        [
            {
                "type": "Feature",
                "properties": {"code_qp": "QP031001", "nom_qp": "A"},
                "geometry": _square(1.4, 43.6, 0.01),
            },
            {
                "type": "Feature",
                "properties": {"code_qp": "XX1", "nom_qp": "B"},
                "geometry": _square(1.5, 43.6, 0.01),
            },
            {
                "type": "Feature",
                "properties": {"code_qp": "QP031001", "nom_qp": "C"},
                "geometry": _square(1.6, 43.6, 0.01),
            },
        ],
    )
    with pytest.raises(ZoningFileError) as err:
        read_perimeters(path, "qpv", "2015")
    text = str(err.value)
    assert "objet n° 2, champ « code_qp » : code « XX1 » invalide" in text
    assert "objet n° 3" in text and "en double (déjà à l'objet n° 1)" in text


def test_2024_codes_and_2024_property_names(tmp_path: Path) -> None:
    path = _write_geojson(
        tmp_path / "qp2024.geojson",
        [
            {
                "type": "Feature",
                "properties": {
                    "code_qp": "QN07511M",
                    "lib_qp": "Goutte D'Or",
                    "insee_com": "75118",
                },
                "geometry": _square(2.35, 48.88, 0.005),
            },
        ],
    )
    record = read_perimeters(path, "qpv", "2024").records[0]
    assert (record.code, record.name, record.insee_codes) == ("QN07511M", "Goutte D'Or", ("75118",))
    assert record.department_code == "75"
    with pytest.raises(ZoningFileError):
        read_perimeters(path, "qpv", "2015")


def test_lambert93_shapefile_zip_is_reprojected(tmp_path: Path, occitanie_qp: Path) -> None:
    import numpy as np

    parsed = read_perimeters(occitanie_qp, "qpv", "2015")
    from quartiers.core.geo.crs import transformer

    tr = transformer(4326, 2154)
    geoms = [
        shapely.transform(r.geometry, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
        for r in parsed.records[:5]
    ]
    folder = tmp_path / "shp"
    folder.mkdir()
    shp = folder / "QP_METROPOLE_LB93.shp"
    pyogrio.write_dataframe  # noqa: B018 - présence de l'API
    pyogrio.raw.write(
        str(shp),
        geometry=shapely.to_wkb(np.array(geoms, dtype=object)),
        field_data=[
            np.array([r.code for r in parsed.records[:5]]),
            np.array([r.name for r in parsed.records[:5]]),
        ],
        fields=["CODE_QP", "NOM_QP"],
        crs="EPSG:2154",
        geometry_type="Polygon",
        driver="ESRI Shapefile",
    )
    archive = tmp_path / "qp.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for f in folder.iterdir():
            z.write(f, f"QP/{f.name}")
    for source in (folder, archive):
        again = read_perimeters(source, "qpv", "2015")
        assert again.reprojected
        assert [r.code for r in again.records] == [r.code for r in parsed.records[:5]]
        for a, b in zip(again.records, parsed.records[:5], strict=True):
            assert a.geometry.symmetric_difference(b.geometry).area < 1e-9


def test_geoparquet_and_geopackage(tmp_path: Path) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    geom = shapely.Polygon([(1, 43), (1.01, 43), (1.01, 43.01), (1, 43)])
    table = pa.table(
        {"code_qp": ["QP031001"], "nom_qp": ["Essai"], "geometry": [shapely.to_wkb(geom)]}
    )
    meta = {
        "version": "1.0.0",
        "primary_column": "geometry",
        "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Polygon"]}},
    }
    table = table.replace_schema_metadata({b"geo": json.dumps(meta).encode()})
    pq.write_table(table, tmp_path / "qp.parquet")
    assert read_perimeters(tmp_path / "qp.parquet", "qpv", "2015").records[0].code == "QP031001"
    pyogrio.raw.write(
        str(tmp_path / "qp.gpkg"),
        geometry=np.array([shapely.to_wkb(geom)], dtype=object),
        field_data=[np.array(["QP031001"]), np.array(["Essai"])],
        fields=["code_qp", "nom_qp"],
        crs="EPSG:4326",
        geometry_type="Polygon",
        driver="GPKG",
    )
    assert read_perimeters(tmp_path / "qp.gpkg", "qpv", "2015").records[0].name == "Essai"


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("rien")
    with pytest.raises(ZoningFileError, match=r"format « \.txt » non pris en charge"):
        read_perimeters(tmp_path / "x.txt")
    with pytest.raises(ZoningFileError, match="fichier introuvable"):
        read_perimeters(tmp_path / "absent.geojson")


def test_point_geometry_refused(tmp_path: Path) -> None:
    path = _write_geojson(
        tmp_path / "p.geojson",
        [
            {
                "type": "Feature",
                "properties": {"code_qp": "QP031001", "nom_qp": "A"},
                "geometry": {"type": "Point", "coordinates": [1, 43]},
            }
        ],
    )
    with pytest.raises(ZoningFileError, match="type Point, attendu Polygon ou MultiPolygon"):
        read_perimeters(path, "qpv", "2015")


@pytest.mark.parametrize(
    ("code", "dep"),
    [("QP031007", "31"), ("QN97414I", "974"), ("QP02A001", "2A"), ("QN07511M", "75")],
)
def test_department_from_code(code: str, dep: str) -> None:
    assert department_from_code(code) == dep
