"""Évolutions comparables ou non (règles de l'INSEE) et graphiques SVG sans style en ligne."""

from __future__ import annotations

import re
from decimal import Decimal as D

from quartiers.core.indicators import trends
from quartiers.core.indicators.charts import (
    Bar,
    Shape,
    bar_chart,
    gap_chart,
    perimeter_map,
    quantile_classes,
)
from quartiers.core.indicators.regions import region_of_department


def test_comparable_change_and_change_of_gap() -> None:
    t = trends.trend("TP60", "REVN", (2019, 2022), (D("40.1"), D("42.0")), (D("14.0"), D("14.5")))
    assert t.comparable and t.change == D("1.9")
    assert (t.gap_before, t.gap_after, t.gap_change) == (D("26.1"), D("27.5"), D("1.4"))
    assert t.warning == ""
    same = trends.trend(
        "TP60", "REVN", (2019, 2022), (D(40), D(42)), (D(14), D(14)), same_reference_vintage=True
    )
    assert same.gap_change == D(2) and same.warning == trends.WARN_SAME_REFERENCE


def test_cnaf_cnam_republished_and_edition_are_not_compared() -> None:
    cnaf = trends.trend("A", "DEMO", (2021, 2022), (D(100), D(120)))
    assert not cnaf.comparable and "Cnaf" in cnaf.warning
    assert cnaf.as_dict()["comparable"] is False and cnaf.as_dict()["change"] is None
    assert "Cnam" in trends.trend("C", "REVN", (2019, 2022), (D(1), D(2))).warning
    # Dans IPRO, A est la catégorie A de France Travail : comparable.
    assert trends.trend("A", "IPRO", (2019, 2022), (D(1), D(2))).comparable
    # Au niveau communal, la Cnaf se compare.
    assert trends.trend("A", "DEMO", (2021, 2022), (D(1), D(2)), infra_communal=False).comparable
    republished = trends.trend("POP_MUN", "DEMO", (2021, 2022), (D(5), D(5)), republished=True)
    assert republished.warning == trends.WARN_REPUBLISHED
    assert not trends.trend("TP60", "REVN", (1, 2), (D(1), D(2)), same_edition=False).comparable


def test_identical_series() -> None:
    a = {"QP1": D(1), "QP2": D(2), "QP3": None}
    assert trends.identical_series(a, {"QP1": D(1), "QP2": D(2), "QP4": D(9)})
    assert not trends.identical_series(a, {"QP1": D(1), "QP2": D(3)})
    assert not trends.identical_series({"QP1": D(1)}, {"QP1": D(1)})  # un seul quartier commun


def test_region_of_department() -> None:
    assert region_of_department("31") == "76"
    assert region_of_department("2A") == "94"
    assert region_of_department("974") == "04"
    assert region_of_department("99") is None


def test_charts_are_svg_without_inline_style_and_escaped() -> None:
    svg = bar_chart(
        "Taux <pauvreté>",
        [Bar("Quartier & co", D("43.9"), True), Bar("France", D("14.6")), Bar("Commune", None)],
        "%",
    )
    gaps = gap_chart("Écarts", [("A", D("12.5")), ("B", D("-3")), ("C", None)], "pts", True)
    shape = Shape("QP1", "Q", [[(1.40, 43.58), (1.41, 43.58), (1.41, 43.59), (1.40, 43.58)]], 4)
    carte = perimeter_map("Carte", [shape], legend="Quintiles")
    for text in (svg, gaps, carte):
        assert text.startswith("<svg") and text.endswith("</svg>")
        assert not re.search(r"\sstyle=", text) and "<script" not in text
        # Les attributs numériques sont écrits à la machine (point), jamais localisés.
        assert not re.search(r'(x|y|width|height)="[0-9]+,[0-9]', text)
    assert "Taux &lt;pauvreté&gt;" in svg and "Quartier &amp; co" in svg
    assert "43,9 %" in svg and "secret" in svg
    assert "+12,5 pts" in gaps and 'class="q-gap q-gap--worse"' in gaps
    assert 'class="q-gap q-gap--better"' in gaps
    assert "q-map-qpv--4" in carte


def test_quantile_classes_follow_the_direction() -> None:
    values = {f"Q{i}": D(i) for i in range(10)}
    high_is_worse = quantile_classes(values, True)
    assert high_is_worse["Q9"] == 4 and high_is_worse["Q0"] == 0
    income = quantile_classes(values, False)
    assert income["Q0"] == 4 and income["Q9"] == 0


def test_ranks_in_one_sort_match_rank() -> None:
    from quartiers.core.indicators.gaps import rank, ranks

    values = {"A": D(5), "B": D(9), "C": None, "D": D(5), "E": D(1)}
    for worse in (True, False, None):
        together = ranks(values, worse)
        assert "C" not in together
        for code in ("A", "B", "D", "E"):
            assert together[code] == rank(values, code, worse), (code, worse)
