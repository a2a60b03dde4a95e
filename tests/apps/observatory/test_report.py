"""Écarts, rangs (France, région), évolutions, fiche quartier, rapport annuel (page, CSV, PDF,
traitement, API, ligne de commande), sur données réelles."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from quartiers import cli
from quartiers.core.indicators import trends as rules
from quartiers.core.indicators.regions import departments_of_region
from quartiers.observatory import report as reports
from quartiers.observatory import services
from quartiers.observatory.analysis import qpv_trends

pytestmark = pytest.mark.django_db

PDF_MISSING = reports.weasyprint_missing()
needs_pdf = pytest.mark.skipif(PDF_MISSING is not None, reason=PDF_MISSING or "")


def _by(trends: list[rules.Trend], indicator: str, year: int) -> rules.Trend:
    return next(t for t in trends if t.indicator == indicator and t.year_after == year)


def test_trends_follow_insee_comparability(observatory_data: None) -> None:
    places = services.comparison_places("QP031007")
    found = qpv_trends("QP031007", places)
    # DEMO 2021 et DEMO 2022 : mêmes valeurs partout, le même millésime republié.
    pop = _by(found, "POP_MUN", 2022)
    assert pop.change is None and pop.warning == rules.WARN_REPUBLISHED
    # Cnaf au niveau infra-communal : pas de comparaison de deux millésimes.
    assert "Cnaf" in _by(found, "PART_RSA_SOCLE", 2022).warning
    # Filosofi (REVN) 2019 → 2022 : comparable ; l'écart au département (Filosofi 2018, un seul
    # millésime) évolue comme le quartier, et l'avertissement le dit.
    tp60 = _by(found, "TP60", 2022)
    assert tp60.comparable and tp60.change == tp60.value_after - tp60.value_before  # type: ignore[operator]
    assert tp60.gap_change == tp60.change and tp60.warning == rules.WARN_SAME_REFERENCE
    assert tp60.reference.startswith("département")
    # Emploi (IPRO) : taux d'emploi comparable.
    assert _by(found, "TX_TOT_EMPL", 2022).comparable


def test_ranks_nationally_and_in_the_region(observatory_data: None) -> None:
    found = services.profile("QP031007")
    assert found.region == "76"
    tp60 = next(v for v in found.values if v.code == "TP60" and v.year == 2022)
    assert tp60.rank is not None and tp60.region_rank is not None
    assert tp60.rank.out_of > 1000
    assert 50 < tp60.region_rank.out_of < 120  # les QPV d'Occitanie publiés dans REVN 2022
    assert tp60.region_rank.position <= tp60.rank.position


def test_profile_page_csv_and_pdf(client: Any, observatory_data: None) -> None:
    page = client.get("/observatoire/qpv/QP031007")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Chiffres clés" in html and "Grand Mirail" in html
    assert html.index("Chiffres clés") < html.index("Évolutions") < html.index("Sources")
    assert html.count("<svg") >= 2 and not re.search(r"\sstyle=", html)
    assert 'data-geojson="/api/v1/qpv/QP031007"' in html
    assert "non comparable" in html and rules.WARN_REPUBLISHED in html
    assert "dans la région" in html
    # Les nombres des attributs data- ne sont jamais localisés.
    for value in re.findall(r'data-[a-z-]+="([^"]*)"', html):
        assert not re.fullmatch(r"-?\d+,\d+", value), value
    assert 'href="/observatoire/qpv/QP031007.csv"' in html
    download = client.get("/observatoire/qpv/QP031007.csv")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    pop = [r for r in rows if r["indicateur"] == "POP_MUN" and r["source"] == "hackaviz2021"]
    assert pop[0]["valeur"] == "31691"
    tp60 = next(r for r in rows if r["indicateur"] == "TP60" and r["millesime"] == "2022")
    assert tp60["departement_code"] == "31" and Decimal(tp60["departement_ecart"]) > 0
    assert tp60["rang_region"] and tp60["sur_region"]
    assert client.get("/observatoire/qpv/QP999999").status_code == 404
    if PDF_MISSING is None:
        pdf = client.get("/observatoire/qpv/QP031007.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_report_of_a_department_tables_ranking_and_changes(observatory_data: None) -> None:
    built = reports.build_report("dep:31", 2024)
    assert built.qpv_count == 19
    assert [p.key for p in built.pillars] == ["cohesion_sociale", "cadre_de_vie", "emploi"]
    cohesion = built.pillars[0]
    tp60 = next(s for s in cohesion.sections if s.code == "TP60")
    assert (tp60.year, tp60.previous_year) == (2022, 2019)
    assert tp60.rows[0].rank is not None and tp60.rows[0].rank.position == 1
    assert tp60.rows[0].code == "QP031007"  # Grand Mirail, le taux de pauvreté le plus haut
    assert tp60.territory_value == Decimal("13.3")  # Filosofi 2018, Haute-Garonne
    assert all(r.gap is not None for r in tp60.rows if r.value is not None)
    assert "<svg" in tp60.chart and cohesion.map.startswith("<svg")
    assert cohesion.map.count("<path") == 19
    rsa = next(s for s in cohesion.sections if s.code == "PART_RSA_SOCLE")
    assert "Cnaf" in rsa.warning
    assert built.ranking and built.ranking[0].score >= built.ranking[-1].score
    assert {r.code for r in built.ranking} <= {r.code for r in tp60.rows}
    emploi = built.pillars[2]
    assert any(s.code == "TX_TOT_EMPL" for s in emploi.sections)
    # Un EPCI (par son SIREN sur le périmètre) et la France.
    france = reports.build_report("fr", 2024)
    assert france.qpv_count > 1300
    with pytest.raises(services.ObservatoryError, match="dep:CODE"):
        reports.parse_territory("departement31")
    with pytest.raises(services.ObservatoryError, match="inconnu"):
        reports.parse_territory("dep:99")


def test_report_page_csv_and_api(client: Any, observatory_data: None) -> None:
    page = client.get("/observatoire/rapport?territoire=dep:31&annee=2024")
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("Cohésion sociale", "Cadre de vie", "Emploi", "Les quartiers classés"):
        assert text in html
    assert not re.search(r"\sstyle=", html)
    export = client.get("/observatoire/rapport.csv?territoire=dep:31&annee=2024")
    assert export.status_code == 200
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert rows and set(reports.CSV_COLUMNS) == set(rows[0])
    tp60 = [r for r in rows if r["indicateur"] == "TP60"]
    assert len(tp60) == 19 and tp60[0]["rang_territoire"] == "1"
    assert all("," not in r["valeur"] for r in rows)  # point décimal dans l'export ouvert
    assert client.get("/observatoire/rapport?territoire=xx:1").status_code == 404
    api = client.get("/api/v1/observatory/reports?territory=dep:31&year=2024")
    assert api.status_code == 200
    body = api.json()
    assert body["qpv_count"] == 19 and len(body["pillars"]) == 3
    assert client.get("/api/v1/observatory/reports?territory=zz").status_code == 422
    gaps = client.get("/api/v1/observatory/gaps/QP031007").json()
    assert gaps["region"] == "76"
    assert any(g["indicator"] == "TP60" and g["comparisons"] for g in gaps["gaps"])
    assert any(t["warning"] == rules.WARN_REPUBLISHED for t in gaps["trends"])
    assert client.get("/api/v1/observatory/gaps/QP999999").status_code == 404


def test_cli_report_and_errors(
    tmp_path: Path, observatory_data: None, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "rapport.json"
    assert (
        cli.main(
            ["observatory", "report", "--territory", "reg:76", "--year", "2024", "-o", str(out)]
        )
        == 0
    )
    assert "105 QPV" in capsys.readouterr().out
    assert json.loads(out.read_text("utf-8"))["qpv_count"] == 105
    assert cli.main(["observatory", "report", "--year", "2024", "-o", str(tmp_path / "x.doc")]) == 1
    assert "extension" in capsys.readouterr().err
    bad = ["observatory", "report", "--territory", "dep:99", "--year", "2024", "-o", str(out)]
    assert cli.main(bad) == 1
    assert "inconnu" in capsys.readouterr().err


@needs_pdf
def test_pdf_reports_of_occitanie_departments_render(
    tmp_path: Path, observatory_data: None, capsys: pytest.CaptureFixture[str]
) -> None:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm absent (apt-get install poppler-utils) : pages du PDF non rendues")
    with_qpv = sorted(
        {d for d in departments_of_region("76")}
        & {r.department for r in reports._places().values() if r.department}
    )
    assert len(with_qpv) >= 10
    for dep in with_qpv:
        out = tmp_path / f"rapport-{dep}.pdf"
        args = ["observatory", "report", "--territory", f"dep:{dep}", "--year", "2024"]
        assert cli.main([*args, "-o", str(out)]) == 0, capsys.readouterr().err
        assert out.read_bytes().startswith(b"%PDF")
        done = subprocess.run(
            [pdftoppm, "-r", "20", "-png", str(out), str(tmp_path / f"page-{dep}")],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0 and not done.stderr.strip(), done.stderr
        assert list(tmp_path.glob(f"page-{dep}*.png"))


def test_report_of_an_epci_through_its_communes(tmp_path: Path, observatory_data: None) -> None:
    from quartiers.territories import reference
    from tests.apps.territories.test_reference import package_data, write_tarball

    reference.import_decoupage(write_tarball(tmp_path / "pkg.tgz", package_data()))
    built = reports.build_report("epci:243100518", 2024)
    assert built.territory.name == "Toulouse Métropole"
    codes = {r.code for r in built.ranking}
    assert "QP031007" in codes and 10 <= built.qpv_count < 19
    assert all(c.startswith("QP031") for c in codes)
