"""Méthodes d'outre-mer du décret n° 2014-1575 (outre-mer.md), sur des tables de recensement."""

from __future__ import annotations

from decimal import Decimal

import pytest

from quartiers.core.identification import IdentificationParameters
from quartiers.core.identification.overseas import (
    GUADELOUPE_PARAMETERS,
    POINTS_PARAMETERS,
    POINTS_TABLE,
    SAINT_MARTIN_PARAMETERS,
    CensusUnit,
    average_ranks,
    equal_count_classes,
    guadeloupe,
    guadeloupe_urban_territory,
    guyane,
    guyane_urban_territory,
    mayotte,
    polynesie,
    polynesie_urban_territory,
    saint_martin,
)

P = IdentificationParameters.at()


def test_points_table_properties_from_the_annex():
    assert POINTS_TABLE[0][0] == -30 and POINTS_TABLE[3][9] == 30
    for q in range(4):
        for d in range(10):
            assert POINTS_TABLE[q][d] == -POINTS_TABLE[3 - q][9 - d]  # antisymétrique
    assert POINTS_TABLE[1] == POINTS_TABLE[2]
    assert sum(POINTS_PARAMETERS.values()) == 10  # total entre -300 et +300


def test_equal_count_classes_and_ranks():
    assert equal_count_classes(range(10), 10).tolist() == list(range(1, 11))
    assert equal_count_classes([5, 1, 3, 2], 4).tolist() == [4, 1, 3, 2]
    assert average_ranks([10, 20, 20, 30]).tolist() == [1.0, 2.5, 2.5, 4.0]


def _units(n, names, worst=None, commune="97302"):
    units = []
    for i in range(n):
        value = float(i)
        values = dict.fromkeys(names, value)
        units.append(CensusUnit(f"IRIS{i:02d}", commune, 1000, values))
    return units


def test_guyane_worst_iris_selected_best_not_and_zero_is_not_positive():
    units = _units(20, POINTS_PARAMETERS)
    decisions = guyane(units, P)
    best, worst = decisions[0], decisions[-1]
    # Le plus favorable : décile 1, quartile I partout → -30 × 10 = -300.
    assert best.score == Decimal(-300) and not best.selected
    assert worst.score == Decimal(300) and worst.selected
    assert "indicateur synthétique 300 > 0" in worst.explanation
    # Un score nul n'est pas « positif » (lecture stricte).
    middle = [d for d in decisions if d.score == 0]
    assert all(not d.selected for d in middle)


def test_polynesie_cutoff_25_inclusive():
    decisions = polynesie(_units(20, POINTS_PARAMETERS), P)
    assert all(d.selected == (d.score >= 25) for d in decisions)
    assert any(d.selected for d in decisions)


def test_guadeloupe_weighted_mean_of_ranks():
    units = _units(100, GUADELOUPE_PARAMETERS)
    decisions = guadeloupe(units, P)
    # Rang identique r sur les 6 paramètres : (2r + 5r) / 7 = r ; retenu si r ≥ 80.
    assert decisions[79].score == Decimal("80.00") and decisions[79].selected
    assert decisions[78].score == Decimal("79.00") and not decisions[78].selected


def test_saint_martin_weighted_sum_of_ranks():
    units = _units(10, SAINT_MARTIN_PARAMETERS)
    decisions = saint_martin(units, P)
    # Rang r partout : 2r × 3 + r + r = 8r ; retenu si ≥ 55, soit r ≥ 7.
    assert [d.selected for d in decisions] == [False] * 6 + [True] * 4
    assert decisions[6].score == Decimal("56.00")


def test_mayotte_indicator_is_flagged_to_check():
    names = (
        "jobless_rate",
        "no_diploma_rate",
        "no_running_water_rate",
        "no_electricity_rate",
        "makeshift_housing_rate",
    )
    units = [
        CensusUnit("V1", "97601", 800, dict.fromkeys(names, 40.0)),
        CensusUnit("V2", "97601", 200, dict.fromkeys(names, 20.0)),
    ]
    first, second = mayotte(units, P)
    assert first.score == Decimal("32.00") and first.selected  # 40 × 0,8
    assert second.score == Decimal("4.00") and not second.selected  # 20 × 0,2
    assert "à vérifier" in first.explanation


def test_territory_conditions():
    assert guyane_urban_territory(5000, 15000, P) and not guyane_urban_territory(4999, 15000, P)
    assert not guyane_urban_territory(5000, 14999, P)
    assert not guadeloupe_urban_territory(6000, 150, 20000, P)  # densité > 150 stricte
    assert guadeloupe_urban_territory(6000, 150.1, 20000, P)
    assert polynesie_urban_territory(101, 10001, P)
    assert not polynesie_urban_territory(100, 20000, P)
    assert not polynesie_urban_territory(101, 10000, P)
    excluded = CensusUnit("X", "97302", 10, dict.fromkeys(POINTS_PARAMETERS, 99.0), False)
    decision = guyane([*_units(10, POINTS_PARAMETERS), excluded], P)[-1]
    assert not decision.selected and "hors territoire urbain" in decision.explanation


def test_missing_indicator_is_refused():
    with pytest.raises(ValueError, match="indicateur"):
        guyane([CensusUnit("X", "97302", 10, {"unemployment_rate": 1.0})], P)
