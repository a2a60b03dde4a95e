"""Seuil de bas revenus : formule, arrondi, bascule des 5 millions, variante d'outre-mer.

Cas d'école de `reference/geography.md` §2.1 et §2.2.
"""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from quartiers.core.identification import IdentificationParameters
from quartiers.core.identification.thresholds import (
    low_income_threshold,
    overseas_threshold,
    round_up,
    rounded_urban_unit_population,
    urban_unit_threshold,
)
from tests.conftest import shared

P = IdentificationParameters.at()
D = Decimal


@pytest.mark.parametrize(
    ("uu_median", "national", "population", "expected", "raw"),
    [
        (20000, 18750, 100_000, 11500, "11475.00"),  # UU < 5 M, §2.1 ligne 1
        (23660, 21730, 10_785_000, 13900, "13848.60"),  # Paris, poids inversés
        (23350, 21730, 1_000_000, 13400, "13329.60"),  # Toulouse
        (17920, 21730, 500_000, 12400, "12352.20"),  # Douai-Lens
    ],
)
def test_decree_worked_examples(uu_median, national, population, expected, raw):
    value, raw_value, formula = low_income_threshold(D(national), D(uu_median), population, P)
    assert value == D(expected)
    assert raw_value == D(raw)
    assert formula.endswith("€") or "poids inversés" in formula


def test_overseas_variant_department_weighs_07():
    value, raw, formula = overseas_threshold(D(18750), D(15000), P)
    assert (value, raw) == (D(9700), D("9675.00"))
    assert "2014-1575" in formula


def test_rounding_up_to_next_100():
    assert round_up(D("11475"), 100) == D(11500)
    assert round_up(D("11500"), 100) == D(11500)  # déjà rond : inchangé
    assert round_up(D("11500.01"), 100) == D(11600)
    assert round_up(D("11400.0001"), 100) == D(11500)


def test_five_million_switch_at_exactly_5_000_000():
    below, _, _ = low_income_threshold(D(21730), D(23660), 4_999_999, P)
    at, _, formula = low_income_threshold(D(21730), D(23660), 5_000_000, P)
    assert below == D(13400)  # 0,6 × (0,7 × 21 730 + 0,3 × 23 660) = 13 384,8
    assert at == D(13900)
    assert "poids inversés" in formula


def test_urban_unit_population_rounded_up_to_100():
    assert rounded_urban_unit_population(9901, P) == 10000
    assert urban_unit_threshold("X", 9901, D(20000), D(18750), P).eligible
    refused = urban_unit_threshold("X", 9900, D(20000), D(18750), P)
    assert not refused.eligible
    assert "9 900" in refused.reason and "< 10 000" in refused.reason


def test_what_if_overrides_change_the_threshold():
    params = P.with_overrides({"median_share": "0.65"})
    value, _, _ = low_income_threshold(D(18750), D(20000), 100_000, params)
    assert value == D(12500)  # 0,65 × 19 125 = 12 431,25 → 12 500
    assert params.overrides == {"median_share": "0.65"}


def test_thresholds_for_all_2435_urban_units_illustrative():
    """Seuils ILLUSTRATIFS : MED18 est un revenu disponible (Filosofi 2018), pas le revenu déclaré."""
    path = shared("filosofi_aggregates/cc_filosofi_2018_UU2020-geo2021.CSV")
    metro = shared("filosofi_aggregates/cc_filosofi_2018_METRO-geo2021.CSV")
    with open(metro, encoding="ascii") as handle:
        national = D(next(csv.DictReader(handle, delimiter=";"))["MED18"])
    assert national == D(21730)
    with open(path, encoding="ascii") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    assert len(rows) == 2435
    computed = {}
    for row in rows:
        population = int(row["NBPERSMENFISC18"] or 0)  # population des ménages fiscaux
        median = D(row["MED18"]) if row["MED18"] else None
        th = urban_unit_threshold(
            row["CODGEO"], max(population, 10_000), median, national, P, illustrative=True
        )
        assert th.illustrative
        if median is None:
            assert th.low_income_threshold is None
            continue
        assert th.low_income_threshold is not None
        assert th.low_income_threshold % 100 == 0
        assert th.raw_value is not None
        assert th.raw_value <= th.low_income_threshold < th.raw_value + 100
        computed[row["CODGEO"]] = th.low_income_threshold
    assert len(computed) >= 2400
    assert computed["00758"] == D(13400)  # Toulouse
    assert computed["00756"] == D(12400)  # Douai-Lens
    assert computed["00851"] == D(13900)  # Paris : ≥ 5 millions, poids inversés
