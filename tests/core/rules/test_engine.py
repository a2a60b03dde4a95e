"""Le moteur hors dispositifs : faits typés, erreurs en français, QPV à une date, explications."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from quartiers.core.fr import euros
from quartiers.core.geo.zoning import DatedLocator
from quartiers.core.params import load_parameters
from quartiers.core.rules import registry
from quartiers.core.rules.evaluation import evaluate_programme
from quartiers.core.rules.facts import FACTS, parse_facts
from quartiers.core.rules.openfisca import export_parameters
from quartiers.core.rules.results import Status, Verdict
from tests.core.rules.test_cases import demo_resolver


def test_facts_are_typed_and_errors_are_french() -> None:
    facts, errors = parse_facts(
        {
            "birth_date": "01/03/2004",
            "working_time_percent": "80,5",
            "resides_in_qpv": "oui",
            "contract_type": "cdi",
            "lon": "2.4",
        }
    )
    assert errors == []
    assert facts == {
        "birth_date": dt.date(2004, 3, 1),
        "working_time_percent": Decimal("80.5"),
        "resides_in_qpv": True,
        "contract_type": "cdi",
        "lon": 2.4,
    }
    _, errors = parse_facts(
        {"birth_date": "hier", "jobseeker_category": "9", "x": 1, "resides_in_qpv": "peut-être"}
    )
    assert any("« birth_date » : date attendue" in e for e in errors)
    assert any("au plus 8" in e for e in errors)
    assert any("fait inconnu « x »" in e for e in errors)
    assert any("oui ou non attendu" in e for e in errors)


def test_every_fact_has_a_french_question_and_every_programme_parameters_load() -> None:
    for spec in FACTS:
        assert spec.label and spec.label[0].isupper()
    for slug in registry.SLUGS:
        params = load_parameters(registry.parameter_path(slug))
        assert len(params) > 0
        for parameter in params:
            for value in parameter.values:
                assert value.reference


def test_no_edition_in_force_leaves_the_fact_missing_with_its_reason() -> None:
    resolver = DatedLocator.in_memory([])
    programme = registry.programme("cites_educatives")
    facts = {
        "birth_date": dt.date(2010, 1, 1),
        "lon": 2.388,
        "lat": 46.654,
        "qpv_has_cite_educative": True,
    }
    result = evaluate_programme(
        programme, facts, dt.date(2024, 6, 1), registry.parameters_for(programme.slug), resolver
    )
    assert result.verdict is Verdict.MISSING_FACTS
    assert result.missing_facts == ["resides_in_qpv"]
    qpv = next(c for c in result.conditions if c.key == "qpv")
    assert qpv.status is Status.UNKNOWN and "aucune liste de QPV" in qpv.reason


def test_closed_programme_says_why_and_what_would_change() -> None:
    programme = registry.programme("emplois_francs")
    result = evaluate_programme(
        programme,
        {"hire_date": dt.date(2025, 3, 1)},
        dt.date(2025, 3, 1),
        registry.parameters_for(programme.slug),
    )
    assert result.verdict is Verdict.NOT_ELIGIBLE
    period = result.conditions[0]
    assert "fermé à partir du 01/01/2025" in period.reason and "2025-127" in period.reason
    assert result.what_would_change()[0].startswith("Contrat signé pendant la période")
    assert result.amounts == [] and result.missing_facts == []


def test_one_person_against_every_programme() -> None:
    facts = {
        "birth_date": dt.date(2013, 5, 1),
        "lon": 2.388,
        "lat": 46.654,
        "family_quotient": Decimal(400),
        "disability_recognised": False,
    }
    results = registry.evaluate(facts, dt.date(2024, 7, 1), demo_resolver(), audience="person")
    by_slug = {r.slug: r for r in results}
    assert by_slug["pass_colo"].verdict is Verdict.ELIGIBLE
    assert by_slug["pass_colo"].amounts[0].value == Decimal("300.00")
    assert by_slug["colos_apprenantes"].verdict is Verdict.ELIGIBLE  # QPV et QF < 1 500 €
    assert by_slug["epide"].verdict is Verdict.NOT_ELIGIBLE
    assert "emplois_francs" not in by_slug


def test_euros_format() -> None:
    assert euros(Decimal("5000")) == "5\u202f000 €"
    assert euros(Decimal("331.37")) == "331,37 €"
    with pytest.raises(ValueError, match="public"):
        registry.select(audience="chat")


def test_openfisca_export(tmp_path: Path) -> None:
    params = registry.parameters_for("contrat_engagement_jeune")
    written, skipped = export_parameters(params, tmp_path)
    assert "situations_fiscales_admises" in skipped
    doc = yaml.safe_load((tmp_path / "montant_majeur_non_imposable.yaml").read_text())
    assert doc["values"]["2025-04-01"] == {"value": 561.68}
    assert doc["metadata"]["unit"] == "currency-EUR"
    assert "à vérifier" in doc["metadata"]["notes"]["2026-04-01"]["title"]
    assert len(written) == len(params) - len(skipped)
