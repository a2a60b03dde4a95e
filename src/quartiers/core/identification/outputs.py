"""Sorties : quartiers en polygones (carreaux fusionnés), carreaux avec leur statut.

GeoPackage (couches `quartiers`, `rejected`, `cells`, `thresholds`), GeoJSON (WGS84, RFC 7946)
et GeoParquet, écrits par pyogrio / pyarrow. Les géométries du GeoPackage et du GeoParquet
restent dans la projection de la grille (mesures justes) ; le GeoJSON est en WGS84.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import shapely

from quartiers.core.geo.crs import transformer
from quartiers.core.identification.aggregate import (
    STATUS_CODES,
    STATUS_LABELS,
    Aggregate,
    CellStatus,
    IdentificationResult,
)
from quartiers.core.identification.grid import IntArray

TEXT_FIELDS = ("median_income_per_cu_text", "formula", "reason", "uu_name", "aggregate_code")


def cell_boxes(result: IdentificationResult, cells: IntArray) -> Any:
    grid = result.grid
    size = grid.cell_size
    x0 = (grid.col[cells] * size).astype(np.float64)
    y0 = (grid.row[cells] * size).astype(np.float64)
    return shapely.box(x0, y0, x0 + size, y0 + size)


def aggregate_polygon(
    result: IdentificationResult, aggregate: Aggregate, smooth_m: float = 0
) -> Any:
    """Les carreaux fusionnés (union de couverture : carrés sans recouvrement), lissés si demandé."""
    boxes = cell_boxes(result, aggregate.cells)
    geom = shapely.coverage_union_all(boxes)
    if smooth_m > 0:
        geom = shapely.buffer(shapely.buffer(geom, smooth_m, join_style="round"), -smooth_m)
    return shapely.make_valid(geom)


def polygons(
    result: IdentificationResult, aggregates: Sequence[Aggregate], smooth_m: float = 0
) -> list[Any]:
    """Polygones des agrégats ; un agrégat d'un seul carreau est son carré (sans union)."""
    if smooth_m > 0:
        return [aggregate_polygon(result, a, smooth_m) for a in aggregates]
    single = [i for i, a in enumerate(aggregates) if a.n_cells == 1]
    out: list[Any] = [None] * len(aggregates)
    if single:
        cells = np.array([aggregates[i].cells[0] for i in single], dtype=np.int64)
        for i, box in zip(single, cell_boxes(result, cells).tolist(), strict=True):
            out[i] = box
    for i, a in enumerate(aggregates):
        if out[i] is None:
            out[i] = aggregate_polygon(result, a)
    return out


def to_wgs84(geoms: Sequence[Any], crs: str) -> list[Any]:
    tr = transformer(crs, 4326)

    def project(xy: Any) -> Any:
        x, y = tr.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return [shapely.transform(g, project) for g in geoms]


def aggregate_rows(
    result: IdentificationResult, aggregates: Sequence[Aggregate]
) -> dict[str, list[Any]]:
    """Attributs des agrégats (une colonne par champ), montants en texte décimal exact."""
    rows: dict[str, list[Any]] = {
        "code": [],
        "is_quartier": [],
        "decision": [],
        "uu_code": [],
        "uu_name": [],
        "insee_codes": [],
        "population": [],
        "n_cells": [],
        "median_income_per_cu": [],
        "poor_share": [],
        "low_income_threshold": [],
        "criterion": [],
        "density": [],
        "enclaves": [],
        "estimated": [],
        "estimation": [],
        "explanation": [],
    }
    for a in aggregates:
        med = a.median_income_per_cu
        thr = a.low_income_threshold
        rows["code"].append(a.code)
        rows["is_quartier"].append(a.is_quartier)
        rows["decision"].append(a.decision)
        rows["uu_code"].append(a.territory)
        rows["uu_name"].append(a.territory_name)
        rows["insee_codes"].append(",".join(a.communes))
        rows["population"].append(round(a.population))
        rows["n_cells"].append(a.n_cells)
        rows["median_income_per_cu"].append(None if med is None else float(med))
        rows["poor_share"].append(a.poor_share)
        rows["low_income_threshold"].append(None if thr is None else float(thr))
        rows["criterion"].append(result.criterion)
        rows["density"].append(round(a.density, 1))
        rows["enclaves"].append(a.enclaves)
        rows["estimated"].append(a.estimated)
        rows["estimation"].append("estimation" if a.estimated else "exact")
        rows["explanation"].append(a.explanation)
    return rows


def _arrow_table(columns: Mapping[str, Any], geoms: Any | None) -> pa.Table:
    arrays = {}
    for key, values in columns.items():
        array = values if isinstance(values, pa.Array) else pa.array(values)
        if pa.types.is_null(array.type):
            array = pa.array(values, pa.string() if key in TEXT_FIELDS else pa.float64())
        arrays[key] = array
    if isinstance(geoms, pa.Array):
        arrays["geometry"] = geoms
    elif geoms is not None:
        wkb = shapely.to_wkb(np.asarray(geoms, dtype=object))
        arrays["geometry"] = pa.array(wkb, pa.binary())
    return pa.table(arrays)


def box_wkb(result: IdentificationResult, cells: IntArray) -> pa.Array:
    """WKB des carrés des carreaux, écrit directement en mémoire (93 octets par polygone)."""
    grid = result.grid
    size = float(grid.cell_size)
    n = len(cells)
    x0 = (grid.col[cells] * grid.cell_size).astype("<f8")
    y0 = (grid.row[cells] * grid.cell_size).astype("<f8")
    coords = np.empty((n, 10), dtype="<f8")
    coords[:, 0], coords[:, 1] = x0, y0
    coords[:, 2], coords[:, 3] = x0 + size, y0
    coords[:, 4], coords[:, 5] = x0 + size, y0 + size
    coords[:, 6], coords[:, 7] = x0, y0 + size
    coords[:, 8], coords[:, 9] = x0, y0
    header = np.frombuffer(
        b"\x01" + np.array([3, 1, 5], dtype="<u4").tobytes(), dtype=np.uint8
    )  # petit-boutiste, Polygon, 1 anneau, 5 points
    raw = np.empty((n, 93), dtype=np.uint8)
    raw[:, :13] = header
    raw[:, 13:] = coords.view(np.uint8).reshape(n, 80)
    fixed = pa.FixedSizeBinaryArray.from_buffers(pa.binary(93), n, [None, pa.py_buffer(raw)])
    return fixed.cast(pa.binary())


def cell_rows(result: IdentificationResult) -> tuple[dict[str, pa.Array], IntArray]:
    """Carreaux des territoires urbains (les carreaux hors territoire ne sont pas écrits).

    Colonnes construites sans boucle Python (2 millions de carreaux en quelques secondes).
    """
    grid = result.grid
    keep = np.flatnonzero(result.cell_status != CellStatus.OUTSIDE)
    status = result.cell_status[keep].astype(np.int64)
    codes = np.array([STATUS_CODES[s] for s in CellStatus], dtype=object)
    labels = np.array([STATUS_LABELS[s] for s in CellStatus], dtype=object)
    agg_codes = np.array([a.code for a in result.aggregates] + [""], dtype=object)
    agg = result.cell_aggregate[keep]
    size = grid.cell_size
    ids = pc.binary_join_element_wise(
        f"CRS{grid.epsg}RES{size}mN",
        pc.cast(pa.array(grid.row[keep] * size), pa.string()),
        "E",
        pc.cast(pa.array(grid.col[keep] * size), pa.string()),
        "",
    )
    values = result.cell_values[keep]
    columns = {
        "cell_id": ids,
        "status": pa.array(codes[status], pa.string()),
        "status_label": pa.array(labels[status], pa.string()),
        "aggregate_code": pa.array(agg_codes[agg], pa.string()),
        "population": pa.array(np.round(grid.population[keep], 1)),
        "value": pa.array(values, mask=np.isnan(values)),
    }
    return columns, keep


def threshold_rows(result: IdentificationResult) -> dict[str, list[Any]]:
    rows: dict[str, list[Any]] = {
        "uu_code": [],
        "population": [],
        "eligible": [],
        "median_income_per_cu": [],
        "low_income_threshold": [],
        "formula": [],
        "reason": [],
        "estimated": [],
    }
    for th in result.thresholds.values():
        rows["uu_code"].append(th.uu_code)
        rows["population"].append(th.population)
        rows["eligible"].append(th.eligible)
        rows["median_income_per_cu"].append(
            None if th.median_income_per_cu is None else str(th.median_income_per_cu)
        )
        rows["low_income_threshold"].append(
            None if th.low_income_threshold is None else str(th.low_income_threshold)
        )
        rows["formula"].append(th.formula)
        rows["reason"].append(th.reason)
        rows["estimated"].append(th.estimated)
    return rows


def write_outputs(
    result: IdentificationResult,
    path: str | Path,
    smooth_m: float = 0,
    with_cells: bool = True,
) -> list[Path]:
    """Écrit le résultat selon l'extension (.gpkg, .geojson, .parquet) ; renvoie les fichiers."""
    import pyogrio

    path = Path(path)
    suffix = path.suffix.lower()
    quartiers = result.quartiers
    rejected = [a for a in result.rejected if a.population > 0]
    q_geoms = polygons(result, quartiers, smooth_m)
    crs = result.grid.crs
    written = [path]
    if suffix == ".geojson":
        features = []
        rows = aggregate_rows(result, quartiers)
        for i, geom in enumerate(to_wgs84(q_geoms, crs)):
            props = {k: v[i] for k, v in rows.items()}
            features.append(
                {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}
            )
        path.write_text(
            json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
            encoding="utf-8",
        )
        return written
    if suffix in (".parquet", ".geoparquet"):
        table = _arrow_table(aggregate_rows(result, quartiers), q_geoms)
        meta = {
            "version": "1.0.0",
            "primary_column": "geometry",
            "columns": {
                "geometry": {
                    "encoding": "WKB",
                    "geometry_types": ["Polygon", "MultiPolygon"],
                    "crs": _projjson(crs),
                }
            },
        }
        table = table.replace_schema_metadata({b"geo": json.dumps(meta).encode()})
        pq.write_table(table, path)
        return written
    if path.exists():
        path.unlink()
    common = {"crs": crs, "geometry_type": "Unknown", "encoding": "UTF-8"}
    pyogrio.write_arrow(
        _arrow_table(aggregate_rows(result, quartiers), q_geoms),
        path,
        layer="quartiers",
        driver="GPKG",
        geometry_name="geometry",
        **common,
    )
    if rejected:
        pyogrio.write_arrow(
            _arrow_table(aggregate_rows(result, rejected), polygons(result, rejected)),
            path,
            layer="rejected",
            driver="GPKG",
            geometry_name="geometry",
            append=False,
            **common,
        )
    if with_cells:
        columns, keep = cell_rows(result)
        pyogrio.write_arrow(
            _arrow_table(columns, box_wkb(result, keep)),
            path,
            layer="cells",
            driver="GPKG",
            geometry_name="geometry",
            **common,
        )
    pyogrio.write_arrow(
        _arrow_table(threshold_rows(result), None),
        path,
        layer="thresholds",
        driver="GPKG",
        encoding="UTF-8",
    )
    return written


def _projjson(crs: str) -> Any:
    from pyproj import CRS

    return json.loads(CRS.from_user_input(crs).to_json())
