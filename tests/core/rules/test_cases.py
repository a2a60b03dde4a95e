"""Les cas écrits comme des données : tests/core/rules/cases/<dispositif>.yaml.

Chaque fichier : `programme`, `base_facts` (faits communs), `geography: demo` (facultatif :
les QPV du territoire de démonstration, listes 2015 et 2024), puis `cases` avec `name`,
`date`, `facts`, `expected` (`verdict`, `amounts`, `missing`, `failed`, `to_check`, `values` :
condition → texte attendu dans sa valeur) et `source`. `geography: demo_zonings` : tous les
zonages fictifs de la démonstration (QPV, ZFU-TE, QRR, communes, ZRR, écoles REP/REP+).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from quartiers import demo
from quartiers.core.geo.zoning import DatedLocator, Edition
from quartiers.core.geo.zonings import SchoolList, ZoningCatalogue, ZrrList
from quartiers.core.rules import registry
from quartiers.core.rules.evaluation import evaluate_programme
from quartiers.core.rules.facts import parse_facts
from quartiers.core.rules.results import Status

CASES_DIR = Path(__file__).parent / "cases"
MIN_CASES = 5


@cache
def demo_resolver() -> DatedLocator:
    return DatedLocator.in_memory(
        [
            (Edition("2015", dt.date(2015, 1, 1), dt.date(2023, 12, 31)), demo.perimeters_2015()),
            (Edition("2024", dt.date(2024, 1, 1), None), demo.perimeters_2024()),
        ]
    )


@cache
def demo_zonings() -> ZoningCatalogue:
    from quartiers.demo import zonings as dz

    zrr_from, zrr_to = dz.ZRR_VALIDITY
    return ZoningCatalogue(
        {
            "qpv": demo_resolver(),
            "zfu_te": DatedLocator.in_memory(
                [(Edition(dz.ZFU_TE_EDITION, dt.date(2015, 1, 1)), dz.zfu_te_perimeters())]
            ),
            "qrr": DatedLocator.in_memory(
                [(Edition(dz.QRR_EDITION, dt.date(2018, 9, 1)), dz.qrr_perimeters())]
            ),
        },
        DatedLocator.in_memory([(Edition(dz.COMMUNES_EDITION), dz.commune_perimeters())]),
        [
            ZrrList(
                Edition(dz.ZRR_EDITION, zrr_from, zrr_to, zoning_kind="zrr"),
                {e.insee_code: e.status for e in dz.zrr_entries()},
            )
        ],
        [SchoolList.of(Edition(dz.REP_EDITION, dt.date(2015, 9, 1)), dz.rep_schools())],
    )


GEOGRAPHIES = {"demo": demo_resolver, "demo_zonings": demo_zonings}


def _load() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    out = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in doc["cases"]:
            out.append((f"{path.stem}: {case['name']}", doc, case))
    return out


ALL = _load()


def test_every_programme_has_enough_boundary_cases() -> None:
    counts: dict[str, int] = {}
    for _, doc, _case in ALL:
        counts[doc["programme"]] = counts.get(doc["programme"], 0) + 1
    for slug in registry.SLUGS:
        assert counts.get(slug, 0) >= MIN_CASES, f"{slug} : {counts.get(slug, 0)} cas"


def _find(conditions: list[Any], key: str) -> Any:
    for c in conditions:
        if c.key == key:
            return c
        found = _find(c.children, key)
        if found is not None:
            return found
    return None


@pytest.mark.parametrize(("doc", "case"), [(d, c) for _, d, c in ALL], ids=[n for n, _, _ in ALL])
def test_case(doc: dict[str, Any], case: dict[str, Any]) -> None:
    raw = {**doc.get("base_facts", {}), **case.get("facts", {})}
    raw = {k: v for k, v in raw.items() if v is not None}
    facts, errors = parse_facts(raw)
    assert not errors, errors
    geography = case.get("geography", doc.get("geography"))
    resolver = GEOGRAPHIES[geography]() if geography else None
    programme = registry.programme(doc["programme"])
    on = case["date"]
    result = evaluate_programme(
        programme, facts, on, registry.parameters_for(programme.slug), resolver
    )
    expected = case["expected"]
    explain = [(c.key, c.status.value, c.value, c.reason) for c in result.conditions]
    assert result.verdict.value == expected["verdict"], (
        explain,
        result.missing_facts,
        result.notes,
    )
    amounts = {a.key: a.value for a in result.amounts}
    for key, value in (expected.get("amounts") or {}).items():
        assert key in amounts, (key, amounts, result.notes)
        assert amounts[key] == Decimal(str(value)), (
            key,
            amounts[key],
            [a.computation for a in result.amounts],
        )
    for name in expected.get("missing", []):
        assert name in result.missing_facts, result.missing_facts
    for key in expected.get("failed", []):
        found = _find(result.conditions, key)
        assert found is not None and found.status is Status.NOT_MET, explain
    if "to_check" in expected:
        assert result.to_check is expected["to_check"]
    if "qpv_code" in expected:
        found = _find(result.conditions, expected.get("qpv_condition", "residence_qpv"))
        assert expected["qpv_code"] in found.value, found.value
    for key, text in (expected.get("values") or {}).items():
        found = _find(result.conditions, key)
        assert found is not None and text in found.value, (key, found and found.value)
    assert case.get("source"), "chaque cas cite sa source"
    # Le mode lot (arrêt au premier échec) donne le même verdict, les mêmes montants et manques.
    quick = evaluate_programme(
        programme,
        facts,
        on,
        registry.parameters_for(programme.slug),
        resolver,
        stop_on_failure=True,
    )
    assert quick.verdict is result.verdict
    assert [(a.key, a.value) for a in quick.amounts] == [(a.key, a.value) for a in result.amounts]
    assert quick.missing_facts == result.missing_facts
