"""`quartiers qpv check-file` répond exactement comme `shapely.intersects` sur les périmètres
réparés : points aléatoires, sommets et arêtes (limites), voisins à ±1e-9°, hors de France."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pytest
import shapely

from quartiers.cli import main
from quartiers.core.geo import read_perimeters
from quartiers.zoning import services

pytestmark = pytest.mark.django_db


def _points(records: list) -> np.ndarray:
    rng = np.random.default_rng(11)
    geoms = np.array([r.geometry for r in records], dtype=object)
    vertices = shapely.get_coordinates(shapely.boundary(geoms))
    a, b = vertices[:-1], vertices[1:]
    flat = (a[:, 1] == b[:, 1]) & (a[:, 0] != b[:, 0])
    mids = np.column_stack(((a[flat, 0] + b[flat, 0]) / 2, a[flat, 1]))
    some = vertices[rng.integers(0, len(vertices), 3_000)]
    return np.concatenate(
        [
            vertices[::4],
            mids,
            some + np.array([1e-9, 0.0]),
            some - np.array([0.0, 1e-9]),
            some + rng.normal(0, 0.001, some.shape),
            np.column_stack((rng.uniform(-0.2, 4.8, 3_000), rng.uniform(42.5, 44.6, 3_000))),
            [[-74.0, 40.7], [55.45, -20.9], [2.35, 48.85], [-61.0, 14.6], [180.0, -90.0]],
        ]
    )


def test_check_file_answers_exactly_like_shapely(occitanie_qp: Path, tmp_path: Path) -> None:
    services.import_zoning(
        occitanie_qp, "2015", valid_from=dt.date(2015, 1, 1), valid_to=dt.date(2023, 12, 31)
    )
    records = read_perimeters(occitanie_qp, "qpv", "2015").records
    pts = _points(records)
    src = tmp_path / "points.csv"
    with src.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["id", "lon", "lat"])
        for i, (x, y) in enumerate(pts.tolist()):
            writer.writerow([i, repr(x), repr(y)])  # repr : le float64 exact, sans arrondi
        writer.writerow([len(pts), "nan", "43.6"])
        writer.writerow([len(pts) + 1, "1.44", "95"])
    out = tmp_path / "out.csv"
    args = ["qpv", "check-file", str(src), "-o", str(out), "--lon-col", "lon", "--lat-col", "lat"]
    assert main([*args, "--date", "2020-01-01", "--no-progress"]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8"), delimiter=";"))
    assert len(rows) == len(pts) + 2

    points = shapely.points(pts[:, 0], pts[:, 1])
    expected = []
    for p in points:
        hits = [r.code for r in records if shapely.intersects(r.geometry, p)]
        expected.append(hits[0] if hits else "")
    assert [r["qpv_code"] for r in rows[: len(pts)]] == expected
    assert [r["status"] for r in rows[: len(pts)]] == [
        "in_qpv" if code else "outside" for code in expected
    ]
    assert sum(1 for code in expected if code) > 3_000  # limites et intérieurs bien représentés
    assert [r["status"] for r in rows[-2:]] == ["error", "error"]
    outside = [r for r in rows[: len(pts)] if r["status"] == "outside"]
    # Le pôle Sud n'a pas d'image en Lambert-93 : pas de distance pour lui seul.
    assert [r["id"] for r in outside if not r["qpv_distance_m"]] == [str(len(pts) - 1)]
    # Fichier reçu en « ; » : virgule décimale rendue, comme l'attend Excel.
    metres = [float(r["qpv_distance_m"].replace(",", ".")) for r in outside if r["qpv_distance_m"]]
    assert min(metres) >= 0 and sum(m > 1_000 for m in metres) > 1_000  # 0,0 à 1e-9° près
