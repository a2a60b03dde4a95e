"""Fichiers de résultats : encodages mêlés, formules neutralisées, libellé français du statut,
virgule décimale pour un fichier reçu en « ; » (issue 9, §5)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from quartiers.core.csvfile import neutralise, sniff
from quartiers.core.geo.batch import check_coordinates_file
from quartiers.core.geo.zoning import Location, LocationStatus


def _locate(lons: np.ndarray, lats: np.ndarray) -> Sequence[Location]:
    return [
        Location(float(x), float(y), LocationStatus.OUTSIDE, distance_m=1234.5)
        if x > 0
        else Location(float(x), float(y), LocationStatus.IN, code="QP031007", name="=Mirail")
        for x, y in zip(lons, lats, strict=True)
    ]


def _run(tmp_path: Path, content: bytes) -> list[list[str]]:
    src = tmp_path / "in.csv"
    src.write_bytes(content)
    out = tmp_path / "out.csv"
    check_coordinates_file(src, out, "lon", "lat", _locate)
    delimiter = sniff(out).delimiter
    return list(csv.reader(out.open(encoding="utf-8", newline=""), delimiter=delimiter))


def test_mixed_encodings_keep_every_accent(tmp_path: Path) -> None:
    content = (
        b"nom;lon;lat\n"
        + "Généré Latin-1;1,4;43,6\n".encode("cp1252")
        + "Généré UTF-8;1,4;43,6\n".encode()
        + "Cœur € ’;1,4;43,6\n".encode("cp1252")
    )
    rows = _run(tmp_path, content)
    assert [r[0] for r in rows[1:]] == ["Généré Latin-1", "Généré UTF-8", "Cœur € ’"]
    assert not any("Ã" in cell for row in rows for cell in row)


def test_formulas_neutralised_labels_and_decimal_commas(tmp_path: Path) -> None:
    rows = _run(
        tmp_path,
        b'nom;lon;lat\n=HYPERLINK("http://x","clic");1,4;43,6\n@SUM(A1);-1,5;43,6\n'
        b"+33 1 23;1,4;43,6\n-2+3;1,4;43,6\n",
    )
    header = rows[0]
    assert header[-6:] == [
        "qpv_code",
        "qpv_name",
        "qpv_distance_m",
        "statut",
        "status",
        "status_detail",
    ]
    assert rows[1][0] == '\'=HYPERLINK("http://x","clic")'
    assert rows[2][0] == "'@SUM(A1)"
    assert rows[2][1] == "-1,5"  # un nombre négatif reste un nombre
    assert rows[3][0] == "'+33 1 23" and rows[4][0] == "'-2+3"
    assert rows[2][4] == "'=Mirail"  # un nom venu d'un fichier de périmètres aussi
    assert rows[1][5] == "1234,5"  # reçu en « ; » : virgule décimale
    assert [r[6] for r in rows[1:]] == ["hors QPV", "en QPV", "hors QPV", "hors QPV"]
    assert [r[7] for r in rows[1:]] == ["outside", "in_qpv", "outside", "outside"]


def test_comma_separated_input_keeps_decimal_points(tmp_path: Path) -> None:
    rows = _run(tmp_path, b"nom,lon,lat\nA,1.4,43.6\nB,abc,43\n")
    assert rows[1][5] == "1234.5"
    assert rows[2][6] == "erreur" and rows[2][7] == "error"


@pytest.mark.parametrize(
    ("cell", "shown"),
    [("=1+1", "'=1+1"), ("-1.5", "-1.5"), ("+12", "+12"), ("\tx", "'\tx"), ("Paris", "Paris")],
)
def test_neutralise(cell: str, shown: str) -> None:
    assert neutralise(cell) == shown
