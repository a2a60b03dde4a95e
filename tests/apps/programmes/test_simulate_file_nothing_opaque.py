"""`quartiers rules simulate-file` : fichier binaire, dates démesurées, aucune colonne connue —
un message français, jamais un verdict calculé sur une date absurde ni une trace Python."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from quartiers.cli import main

pytestmark = pytest.mark.django_db


def _run(tmp_path: Path, content: bytes, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    source = tmp_path / "cas.csv"
    source.write_bytes(content)
    code = main(["rules", "simulate-file", str(source), "-o", str(tmp_path / "sortie.csv")])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.err


def test_binary_file_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(tmp_path, b"PK\x03\x04\x00\x00" + bytes(range(256)) * 8, capsys)
    assert code == 2 and "encodage non reconnu (fichier binaire" in err


def test_no_known_column_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(tmp_path, b"foo;bar\n1;2\n", capsys)
    assert code == 2
    assert "aucune colonne reconnue (colonnes lues : « foo », « bar »)" in err
    assert not (tmp_path / "sortie.csv").exists()


def test_far_future_dates_get_their_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _err = _run(
        tmp_path,
        b"date;birth_date;tax_year\n"
        b"9999-12-31;2000-01-01;\n"
        b"2024-01-01;9999-01-01;\n"
        b"2024-01-01;2030-01-01;\n"
        b"2024-01-01;2000-01-01;99999\n"
        b"2024-01-01;2000-01-01;2024\n",
        capsys,
    )
    assert code == 0
    rows = list(csv.DictReader((tmp_path / "sortie.csv").open(encoding="utf-8")))
    errors = [r["error"] for r in rows]
    assert "ligne 2 : date 9999-12-31 hors des années 1900 à 2100" in errors[0]
    assert "ligne 3 : birth_date 9999-01-01 hors des années 1900 à 2100" in errors[1]
    assert "ligne 4 : birth_date 2030-01-01 postérieure à la date du cas" in errors[2]
    assert "tax_year" in errors[3] and "99999" in errors[3]
    assert errors[4] == ""
