"""`quartiers identify` : valeurs démesurées, effectifs incohérents, dossier de sortie absent —
toujours un message français nommant la ligne et le champ, jamais une trace Python."""

from __future__ import annotations

from pathlib import Path

import pytest

from quartiers.cli import main

HEADER = "idcar_200m;lcog_geo;ind;men;men_pauv;ind_snv\n"
CELL = "CRS3035RES200mN2029800E4254200;31555;{ind};{men};{pauv};{snv}\n"


def _grid(tmp_path: Path, ind: str = "100", men: str = "40", pauv: str = "20") -> Path:
    path = tmp_path / "grille.csv"
    path.write_text(HEADER + CELL.format(ind=ind, men=men, pauv=pauv, snv="1500000"), "utf-8")
    return path


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"ind": "1e300"}, r"ligne 2, champ « ind ».*nombre démesuré, lu 1e\+300"),
        ({"ind": "inf"}, r"ligne 2, champ « ind ».*nombre (attendu|démesuré)"),
        ({"men": "-3"}, r"champ « men ».*positif ou nul"),
        ({"men": "10", "pauv": "12"}, r"ligne 2, champ « men_pauv ».*12 ménages pauvres pour 10"),
        ({"ind": "250000"}, r"champ « ind ».*au plus 100 000"),
    ],
)
def test_absurd_grid_values_refused(
    values: dict[str, str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import re

    grid = _grid(tmp_path, **values)
    code = main(["identify", "--grid", str(grid), "-o", str(tmp_path / "q.gpkg"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    assert re.search(message, err), err


def test_missing_output_folder_refused_before_computing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    grid = _grid(tmp_path)
    out = tmp_path / "absent" / "q.gpkg"
    code = main(["identify", "--grid", str(grid), "-o", str(out), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1
    assert f"le dossier « {out.parent} » n'existe pas" in err
    code = main(
        ["identify", "--grid", str(grid), "-o", str(tmp_path / "q.gpkg"), "--report", str(tmp_path)]
    )
    assert code == 1
    assert "c'est un dossier" in capsys.readouterr().err
