"""Lecture des fichiers de l'INSEE dans leurs mises en page réelles ; secret ≠ zéro."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from quartiers.core.indicators.dictionary import indicator
from quartiers.core.indicators.files import (
    IndicatorFileError,
    Level,
    parse_number,
    read_indicator_file,
)
from tests.conftest import shared


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6490", Decimal(6490)),
        ("6\u202f490", Decimal(6490)),
        ("14\u00a0010", Decimal(14010)),
        ("52,1", Decimal("52.1")),
        ("-17.3", Decimal("-17.3")),
        ("", None),
        ("  ", None),
    ],
)
def test_numbers_in_insee_layouts(text: str, expected: Decimal | None) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["abc", "1,2,3", "inf", "NaN"])
def test_non_numbers_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_number(text)


def test_national_demo_file_totals_and_secrecy() -> None:
    table = read_indicator_file(shared("insee_qpv_thematiques/data_DEMO_2021_V1_QP.csv"))
    assert table.count(Level.QPV) == 1400
    assert table.total("POP_MUN") == 5_189_952
    # Une case vide reste un secret (None), jamais zéro.
    assert any(r.values.get("TX_TOT_ET") is None for r in table.rows)
    assert all(r.values["POP_MUN"] is not None for r in table.rows)


def test_resaved_layout_with_bom_thin_spaces_and_empty_columns() -> None:
    table = read_indicator_file(shared("insee_qpv_thematiques/REVN_2022.csv"))
    assert table.count() == 1352
    assert "" not in table.indicators and "LIBGEO" not in table.indicators
    by_code = {r.code: r for r in table.rows}
    assert by_code["QP075001"].values["DECUC_Q2"] == 13870
    assert by_code["QP013001"].values["TP60"] == Decimal("55.0")
    assert by_code["QP075001"].name.startswith("Bédier")
    assert "NOTE_FILO" not in table.indicators  # drapeau de qualité, gardé comme texte


def test_corsican_and_overseas_codes_and_the_national_row() -> None:
    table = read_indicator_file(shared("insee_qpv_thematiques/data_DEMO_2019_V1_QP.csv"))
    codes = {r.code for r in table.rows}
    assert "QP02A001" in codes and any(c.startswith("QP974") for c in codes)
    assert table.count(Level.ALL_QPV) == 1


def test_filosofi_levels_from_the_file_name() -> None:
    departments = read_indicator_file(
        shared("filosofi_aggregates/cc_filosofi_2018_DEP-geo2021.CSV")
    )
    assert {r.level for r in departments.rows} == {Level.DEPARTMENT}
    france = read_indicator_file(shared("filosofi_aggregates/cc_filosofi_2018_METRO-geo2021.CSV"))
    assert france.rows[0].values["MED18"] == 21730


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("CODGEO POP_MUN\nQP001001 12\n", "colonne de code du territoire introuvable"),
        ("CODGEO;POP_MUN;TX_F\nQP001001,12,50\n", "ligne 2 : 1 case(s) pour 3 colonnes nommées"),
        (
            "CODGEO;POP_MUN\nQP001001;beaucoup\n",
            "ligne 2, colonne « POP_MUN » : valeur « beaucoup »",
        ),
        (
            "CODGEO;POP_MUN\nXX001001;12\n",
            "ligne 2, colonne « CODGEO » : code « XX001001 » inconnu",
        ),
        ("CODGEO;POP_MUN\nQP001001;12\nQP001001;13\n", "en double (déjà ligne 2)"),
        ("CODGEO;POP_MUN\n", "aucune ligne de données"),
    ],
)
def test_malformed_files_are_refused_with_line_and_column(
    tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "DEMO_2022.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(IndicatorFileError) as refused:
        read_indicator_file(path)
    assert expected in str(refused.value)
    assert "rien n'a été importé" in str(refused.value)


def test_dictionary_names_and_derives() -> None:
    assert indicator("TP60").label == "Taux de pauvreté au seuil de 60 %"
    assert indicator("INCONNU").label == "INCONNU"
    part = indicator("PART_MONOPARENTS")
    assert part.derive({"AM": Decimal(30), "A": Decimal(120)}) == Decimal("25.0")
    assert part.derive({"AM": None, "A": Decimal(120)}) is None
