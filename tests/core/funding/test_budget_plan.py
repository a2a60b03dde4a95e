"""Budget CERFA 12156, plan de financement et CPO : les totaux se réconcilient au centime."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quartiers.core.funding import budget, plan
from quartiers.core.funding.budget import BudgetEntry, Side
from quartiers.core.funding.plan import Decision, PlanLine

ON = dt.date(2025, 1, 1)
cents = st.integers(min_value=0, max_value=10_000_000_00).map(lambda c: Decimal(c) / 100)
codes = st.sampled_from([c.code for c in budget.CATEGORIES])


def test_categories_cover_cerfa_accounts_with_french_labels() -> None:
    assert {c.code for c in budget.CATEGORIES if c.side is Side.CHARGE} == {
        "60", "61", "62", "63", "64", "65", "66", "67", "68", "69", "86",
    }  # fmt: skip
    assert budget.category("74").label == "Subventions d'exploitation"
    assert budget.category("87").in_kind
    with pytest.raises(budget.BudgetError, match="compte « 99 » inconnu"):
        budget.category("99")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1 234,50", "1234.50"), ("12\u202f000 €", "12000.00"), ("7", "7.00"), ("0,1", "0.10")],
)
def test_parse_amount(text: str, expected: str) -> None:
    assert budget.parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [("abc", "n'est pas un montant"), ("-5", "négatif"), ("1,234", "deux décimales")],
)
def test_parse_amount_refuses(text: str, message: str) -> None:
    with pytest.raises(budget.BudgetError, match=message):
        budget.parse_amount(text)


def test_format_euros() -> None:
    assert budget.format_euros(Decimal("12345.6")) == "12\u202f345,60\u00a0€"


@given(st.lists(st.tuples(codes, cents), max_size=30))
def test_totals_reconcile(rows: list[tuple[str, Decimal]]) -> None:
    entries = [BudgetEntry(code, "ligne", amount) for code, amount in rows]
    t = budget.totals(entries)
    assert t.charges + t.in_kind_charges + t.incomes + t.in_kind_incomes == sum(
        (a for _, a in rows), Decimal(0)
    )
    assert sum(t.by_code.values(), Decimal(0)) == sum((a for _, a in rows), Decimal(0))
    assert t.subsidies == sum((a for c, a in rows if c == "74"), Decimal(0))


@given(st.lists(st.tuples(st.sampled_from(["60", "61", "64"]), cents), min_size=1, max_size=10))
def test_budget_balanced_by_subsidy_has_no_problem(rows: list[tuple[str, Decimal]]) -> None:
    entries = [BudgetEntry(code, "charge", amount) for code, amount in rows]
    total = sum((a for _, a in rows), Decimal(0))
    entries.append(BudgetEntry("74", "subvention", total))
    problems = budget.balance_problems(entries, ON)
    if total == 0:
        assert problems == ["le budget n'a aucune charge (comptes 60 à 69)"]
    else:
        assert problems == []
        # Un centime de trop côté produits suffit à déséquilibrer.
        one_cent_off = [*entries, BudgetEntry("70", "vente", Decimal("0.01"))]
        assert "de 0,01\u00a0€" in budget.balance_problems(one_cent_off, ON)[0]


def test_in_kind_contributions_balance_separately() -> None:
    entries = [
        BudgetEntry("60", "achats", Decimal("100")),
        BudgetEntry("74", "État", Decimal("100")),
        BudgetEntry("86", "bénévolat", Decimal("50")),
    ]
    assert budget.balance_problems(entries, ON) == [
        "contributions en nature déséquilibrées : emplois (86) 50,00\u00a0€, contributions (87) "
        "0,00\u00a0€"
    ]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["État", "EPCI", "CAF", "Département"]),
            st.integers(2024, 2027),
            cents,
            st.sampled_from(list(Decision)),
        ),
        max_size=20,
    )
)
def test_plan_totals_reconcile(rows: list[tuple[str, int, Decimal, Decision]]) -> None:
    lines = [PlanLine(f, y, r, d, r if d is Decision.GRANTED else None) for f, y, r, d in rows]
    t = plan.plan_totals(lines)
    assert sum(t.by_funder.values(), Decimal(0)) == t.requested
    assert sum(t.by_year.values(), Decimal(0)) == t.requested
    refused = sum((r for _, _, r, d in rows if d is Decision.REFUSED), Decimal(0))
    assert t.granted + t.pending + refused == t.requested
    assert t.funders == len({f for f, *_ in rows})


def test_decision_rules() -> None:
    assert plan.decision_problems(
        PlanLine("État", 2025, Decimal(100), Decision.GRANTED, Decimal(150))
    )
    assert plan.decision_problems(
        PlanLine("État", 2025, Decimal(100), Decision.GRANTED, Decimal(0))
    )
    assert plan.decision_problems(
        PlanLine("État", 2025, Decimal(100), Decision.REFUSED, Decimal(5))
    )
    assert not plan.decision_problems(
        PlanLine("État", 2025, Decimal(100), Decision.GRANTED, Decimal(100))
    )


def test_cpo_one_commitment_per_year_only_first_firm() -> None:
    result = plan.commitments(2025, 3, {2025: Decimal(1000), 2027: Decimal(800)}, ON)
    assert [(c.year, c.amount, c.firm) for c in result] == [
        (2025, Decimal(1000), True),
        (2026, Decimal(0), False),
        (2027, Decimal(800), False),
    ]
    assert "sous réserve" in result[1].label
    with pytest.raises(ValueError, match="au plus 4 exercices"):
        plan.commitments(2025, 5, {}, ON)
    with pytest.raises(ValueError, match="exercice 2029 hors de la convention"):
        plan.commitments(2025, 2, {2029: Decimal(1)}, ON)


@given(st.integers(2000, 2090), st.integers(1, 4))
def test_cpo_years_count(first: int, years: int) -> None:
    result = plan.commitments(first, years, {}, ON)
    assert len(result) == years
    assert [c.firm for c in result].count(True) == 1
