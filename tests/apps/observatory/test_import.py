"""Import des indicateurs de l'INSEE en base (tout ou rien) et profil d'un QPV, sur données réelles."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from quartiers import cli
from quartiers.core.indicators.files import IndicatorFileError
from quartiers.observatory import services
from quartiers.observatory.models import IndicatorSource, TerritoryIndicators
from tests.conftest import SHARED_DATA, shared

pytestmark = pytest.mark.django_db


def test_every_national_file_imports_and_demo_2021_totals(
    capsys: pytest.CaptureFixture[str],
) -> None:
    shared("insee_qpv_thematiques/data_DEMO_2021_V1_QP.csv")
    for path in sorted((SHARED_DATA / "insee_qpv_thematiques").glob("*.csv")):
        assert cli.main(["observatory", "import", str(path)]) == 0, capsys.readouterr().err
    demo = IndicatorSource.objects.get(theme="DEMO", year=2021)
    assert demo.row_count == 1400
    total = sum(
        Decimal(r.values["POP_MUN"])
        for r in TerritoryIndicators.objects.filter(indicator_source=demo)
    )
    assert total == 5_189_952
    assert IndicatorSource.objects.count() == 9


def test_occitanie_profile_gives_each_vintage_from_its_source(
    capsys: pytest.CaptureFixture[str],
) -> None:
    occitanie = shared("qpv2015_occitanie/qp.csv")
    args = ["observatory", "import", str(occitanie), "--source", "hackaviz2021", "--year", "2015"]
    assert cli.main(args) == 0
    assert "105 territoire(s)" in capsys.readouterr().out
    services.import_indicators(shared("insee_qpv_thematiques/data_DEMO_2021_V1_QP.csv"))
    assert cli.main(["observatory", "profile", "QP031007", "--format", "json"]) == 0
    found = json.loads(capsys.readouterr().out)
    pop = {
        (v["source"], v["year"]): v["value"] for v in found["values"] if v["indicator"] == "POP_MUN"
    }
    assert pop[("hackaviz2021", 2015)] == "31691"
    assert pop[("insee", 2021)] == "32291"
    assert found["name"] == "Grand Mirail"


def test_filosofi_aggregates_give_medians_to_france_departments_and_urban_units() -> None:
    for name in ("METRO", "DEP", "UU2020"):
        path = shared(f"filosofi_aggregates/cc_filosofi_2018_{name}-geo2021.CSV")
        services.import_indicators(path, source="insee-filosofi", theme="FILO")
    from quartiers.core.indicators.files import Level

    assert services.profile("1", Level.FRANCE).value("MED18") == 21730
    assert services.profile("31", Level.DEPARTMENT).value("MED18") is not None
    assert services.profile("00758", Level.URBAN_UNIT).value("MED18") is not None  # Toulouse


def test_a_malformed_file_changes_nothing(tmp_path: Path) -> None:
    good = shared("insee_qpv_thematiques/data_DEMO_2021_V1_QP.csv")
    services.import_indicators(good)
    before = TerritoryIndicators.objects.count()
    lines = good.read_text(encoding="utf-8").splitlines()
    for broken, expected in (
        ([lines[0].replace('";"', '"|"'), *lines[1:]], "séparateur ou ligne tronquée"),
        ([lines[0], '"QX999999"' + lines[1][lines[1].index(";") :], *lines[2:]], "inconnu"),
    ):
        path = tmp_path / "data_DEMO_2021_V1_QP.csv"
        path.write_text("\n".join(broken), encoding="utf-8")
        with pytest.raises(IndicatorFileError, match=expected):
            services.import_indicators(path)
    bad_value = tmp_path / "data_DEMO_2021_V1_QP.csv"
    cells = lines[1].split(";")
    cells[1] = "beaucoup"
    bad_value.write_text("\n".join([lines[0], ";".join(cells), *lines[2:]]), encoding="utf-8")
    with pytest.raises(
        IndicatorFileError, match="ligne 2, colonne « POP_MUN » : valeur « beaucoup »"
    ):
        services.import_indicators(bad_value)
    assert TerritoryIndicators.objects.count() == before
    assert IndicatorSource.objects.get(theme="DEMO", year=2021).row_count == 1400


def test_reimport_replaces_the_vintage() -> None:
    path = shared("insee_qpv_thematiques/data_DEMO_2021_V1_QP.csv")
    first = services.import_indicators(path)
    second = services.import_indicators(path)
    assert not first.replaced and second.replaced
    assert IndicatorSource.objects.filter(theme="DEMO", year=2021).count() == 1
    assert TerritoryIndicators.objects.count() == 1400


def test_missing_year_and_unknown_profile_are_explained(tmp_path: Path) -> None:
    path = tmp_path / "indicateurs.csv"
    path.write_text("CODGEO;POP_MUN\nQP001001;12\n", encoding="utf-8")
    with pytest.raises(services.ObservatoryError, match="indiquez --year"):
        services.import_indicators(path)
    with pytest.raises(services.ObservatoryError, match="aucun indicateur importé"):
        services.profile("QP999999")


def test_ranks_and_gaps_with_the_perimeters_and_filosofi(client: Any, occitanie_qp: Path) -> None:
    from quartiers.zoning.services import import_zoning

    import_zoning(occitanie_qp, "2015")
    services.import_indicators(shared("insee_qpv_thematiques/REVN_2022.csv"))
    for name in ("METRO", "DEP"):
        path = shared(f"filosofi_aggregates/cc_filosofi_2018_{name}-geo2021.CSV")
        services.import_indicators(path, source="insee-filosofi", theme="FILO")
    found = services.profile("QP031007")
    tp60 = next(v for v in found.values if v.code == "TP60")
    assert tp60.value == Decimal("49.7")
    assert tp60.rank is not None and tp60.rank.out_of == 1347  # les secrets ne sont pas classés
    by_level = {c.level.value: c for c in tp60.comparisons}
    assert by_level["france"].indicator == "TP6018" and by_level["france"].value == Decimal("14.6")
    assert by_level["france"].gap == Decimal("35.1")
    assert by_level["departement"].code == "31"
    # Les mêmes chiffres sur la page et par l'API.
    page = client.get("/observatoire/qpv/QP031007")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Taux de pauvreté au seuil de 60 %" in html and "35,1" in html
    api = client.get("/api/v1/observatory/profiles/QP031007").json()
    row = next(v for v in api["values"] if v["indicator"] == "TP60")
    assert row["rank_out_of"] == 1347 and row["comparisons"][-1]["gap"] == "35.1"
    assert client.get("/api/v1/observatory/profiles/QP999999").status_code == 404
    assert client.get("/observatoire/qpv/QP999999").status_code == 404
