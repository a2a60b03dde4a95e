"""Paramètres : valeurs et références du décret, surcharges de simulation, erreurs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from quartiers.core.identification import IdentificationParameters
from quartiers.core.identification.parameters import parse_overrides
from quartiers.core.params import ParameterError


def test_values_and_references_from_the_decree():
    p = IdentificationParameters.at(dt.date(2015, 1, 1))
    assert p.median_share == Decimal("0.6")
    assert (p.national_weight, p.urban_unit_weight) == (Decimal("0.7"), Decimal("0.3"))
    assert p.large_urban_unit_population == 5_000_000
    assert p.urban_unit_min_population == 10_000
    assert p.quartier_min_population == 1_000
    assert p.threshold_rounding == 100
    assert "2014-767" in p.references["median_share"]
    assert "2014-1575" in p.references["overseas_department_weight"]
    later = IdentificationParameters.at(dt.date(2024, 1, 1))
    assert "2023-1312" in later.references["median_share"]
    assert "median_share" in later.to_check  # « à vérifier » reste visible


def test_overrides_for_what_if_runs():
    p = IdentificationParameters.at(
        overrides=parse_overrides(["contiguity=8", "median_share=0,65"])
    )
    assert p.contiguity == 8 and p.median_share == Decimal("0.65")
    described = {name: (value, ref, o) for name, value, ref, o in p.describe()}
    assert described["contiguity"] == ("8", "valeur modifiée pour la simulation", True)
    with pytest.raises(ParameterError, match="inconnu"):
        IdentificationParameters.at(overrides={"nope": 1})
    with pytest.raises(ParameterError, match="4 ou 8"):
        IdentificationParameters.at(overrides={"contiguity": 6})
    with pytest.raises(ParameterError, match="nombre attendu, lu « beaucoup »"):
        IdentificationParameters.at(overrides={"median_share": "beaucoup"})
    with pytest.raises(ParameterError, match="nom=valeur"):
        parse_overrides(["median_share"])
