"""La commande `quartiers identify` et `quartiers qpv compare`, sur fichiers réels et faits main."""

from __future__ import annotations

import pyogrio
import pytest

from quartiers.cli import main
from tests.conftest import shared

HEADER = "idcar_200m;lcog_geo;ind;ind_snv\n"


def toulouse_grid(tmp_path):
    """Six carreaux à Toulouse (31555, UU 00758) : 3 pauvres contigus, 3 aisés."""
    rows = []
    for i, (pop, mean) in enumerate(
        [(400, 9000), (400, 9500), (400, 10000), (300, 25000), (300, 26000), (300, 30000)]
    ):
        rows.append(f"CRS3035RES200mN2300000E{3600000 + 200 * i};31555;{pop};{pop * mean}")
    path = tmp_path / "grille.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    uu = tmp_path / "uu.csv"
    uu.write_text(
        "uu_code,population,median_income_per_cu\n00758,1000000,23350\n", encoding="utf-8"
    )
    return path, uu


def test_identify_median_criterion_on_toulouse(tmp_path, capsys):
    grid, uu = toulouse_grid(tmp_path)
    out = tmp_path / "out.gpkg"
    report = tmp_path / "rapport.html"
    code = main(
        [
            "identify",
            "--grid",
            str(grid),
            "--urban-units",
            str(uu),
            "--uu-composition",
            str(shared("unites_urbaines/uu2020_composition_communale_geo2023.csv")),
            "--national-median",
            "21730",
            "-o",
            str(out),
            "--report",
            str(report),
            "--no-progress",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "1 quartier(s) retenu(s), 1200 habitants (estimation)" in captured.out
    assert "médiane 9 500 € (estimation) < seuil 13 400 €" in captured.out  # seuil de Toulouse
    _meta, table = pyogrio.read_arrow(out, layer="quartiers")
    row = table.to_pylist()[0]
    assert row["uu_code"] == "00758" and row["population"] == 1200
    assert row["median_income_per_cu"] == 9500.0 and row["low_income_threshold"] == 13400.0
    assert row["estimated"] in (True, 1)
    assert "<svg" in report.read_text(encoding="utf-8")


def test_identify_with_individual_incomes_is_exact_and_params_override(tmp_path, capsys):
    grid, uu = toulouse_grid(tmp_path)
    incomes = tmp_path / "revenus.csv"
    lines = ["idcar_200m,income_per_cu,weight"]
    for i, value in enumerate([8000, 9000, 12000]):
        lines.append(f"CRS3035RES200mN2300000E{3600000 + 200 * i},{value},400")
    for i in range(3, 6):
        lines.append(f"CRS3035RES200mN2300000E{3600000 + 200 * i},30000,300")
    incomes.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.geojson"
    code = main(
        [
            "identify",
            "--grid",
            str(grid),
            "--urban-units",
            str(uu),
            "--uu-composition",
            str(shared("unites_urbaines/uu2020_composition_communale_geo2023.csv")),
            "--incomes",
            str(incomes),
            "--national-median",
            "21730",
            "--contiguity",
            "8",
            "--param",
            "quartier_min_population=1300",
            "-o",
            str(out),
            "--no-progress",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "0 quartier(s) retenu(s)" in captured.out  # 1 200 < 1 300 (paramètre modifié)
    assert "(estimation)" not in captured.out


def test_identify_reunion_poor_share(tmp_path, capsys):
    out = tmp_path / "reunion.gpkg"
    code = main(
        [
            "identify",
            "--grid",
            str(shared("grid_rfl2010_reunion/reunion_rfl2010_200m.csv")),
            "--criterion",
            "poor-share",
            "-o",
            str(out),
            "--no-progress",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0
    assert "quartier(s) retenu(s)" in captured.out and "densité" in captured.out
    assert "part de ménages pauvres" in captured.err  # avertissement : critère de substitution


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "idcar_200m;lcog_geo;ind;ind_snv\nCRS3035RES200mN23E;31555;1;1\n",
            "ligne 2, champ « idcar_200m »",
        ),
        (
            "idcar_200m;lcog_geo;ind;ind_snv\nCRS3035RES200mN2300000E3600000;31555;x;1\n",
            "ligne 2, champ « ind » : nombre attendu, lu « x »",
        ),
        ("idcar_200m;lcog_geo\nCRS3035RES200mN2300000E3600000;31555\n", "colonne de population"),
    ],
)
def test_bad_input_gives_a_precise_french_error(tmp_path, capsys, content, expected):
    grid = tmp_path / "mauvaise.csv"
    grid.write_text(content, encoding="utf-8")
    out = tmp_path / "out.gpkg"
    code = main(["identify", "--grid", str(grid), "-o", str(out), "--no-progress"])
    captured = capsys.readouterr()
    assert code == 1
    assert "Erreur : fichier « " in captured.err and "mauvaise.csv" in captured.err
    assert expected in captured.err
    assert not out.exists()  # rien n'est produit


def test_unknown_parameter_is_refused(tmp_path, capsys):
    grid, _uu = toulouse_grid(tmp_path)
    code = main(
        [
            "identify",
            "--grid",
            str(grid),
            "--param",
            "seuil=3",
            "-o",
            str(tmp_path / "o.gpkg"),
            "--no-progress",
        ]
    )
    assert code == 1
    assert "paramètre « seuil » inconnu" in capsys.readouterr().err


@pytest.mark.django_db(transaction=True)
def test_save_edition_then_compare_with_official(tmp_path, capsys, occitanie_qp):
    grid, uu = toulouse_grid(tmp_path)
    composition = str(shared("unites_urbaines/uu2020_composition_communale_geo2023.csv"))
    assert (
        main(
            [
                "identify",
                "--grid",
                str(grid),
                "--urban-units",
                str(uu),
                "--uu-composition",
                composition,
                "--national-median",
                "21730",
                "-o",
                str(tmp_path / "o.gpkg"),
                "--no-progress",
                "--save-edition",
                "SIM-TEST",
            ]
        )
        == 0
    )
    assert "Édition SIM-TEST (qpv) créée : 1 périmètres importés" in capsys.readouterr().out
    assert main(["qpv", "import", str(occitanie_qp), "--edition", "2015"]) == 0
    capsys.readouterr()
    assert main(["qpv", "compare", "2015", "SIM-TEST"]) == 0
    out = capsys.readouterr().out
    assert "105 périmètre(s) de référence" in out
    assert "Trouvés, non présents dans 2015 : SIM-00758-001" in out  # carreaux loin de tout QPV
    assert main(["qpv", "compare", "2015", "NOPE"]) == 1
    assert "édition « NOPE » inconnue" in capsys.readouterr().err


def test_identify_census_guadeloupe(tmp_path, capsys):
    names = [
        "unemployment_rate",
        "young_inactive_rate",
        "inactive_rate",
        "no_diploma_rate",
        "single_parent_rate",
        "overcrowded_housing_rate",
    ]
    lines = [",".join(["unit_code", "insee_code", "population", *names])]
    for i in range(100):
        lines.append(",".join([f"IRIS{i:03d}", "97101", "1500", *[str(i)] * 6]))
    table = tmp_path / "iris.csv"
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "decisions.csv"
    assert main(["identify-census", "--method", "guadeloupe", str(table), "-o", str(out)]) == 0
    assert "21 unité(s) retenue(s) sur 100." in capsys.readouterr().out  # rangs 80 à 100
    assert "indicateur synthétique 80,00 ≥ 80" in out.read_text(encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(lines[0] + "\nIRIS1,97101,1500,x,1,1,1,1,1\n", encoding="utf-8")
    assert main(["identify-census", "--method", "guadeloupe", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "ligne 2, champ « unemployment_rate » : nombre attendu, lu « x »" in err
