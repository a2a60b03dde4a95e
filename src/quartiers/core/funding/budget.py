"""Budget prévisionnel d'une action selon le CERFA 12156 : catégories 60 à 87, équilibre au centime.

Les comptes suivent le plan comptable des associations repris par le formulaire (charges 60 à
69 et 86, produits 70 à 79 et 87). Les contributions volontaires en nature (86 et 87) figurent
sous la ligne et s'équilibrent entre elles. Libellés du formulaire CERFA 12156*06 (la référence
du projet ne les recopie pas : à vérifier à chaque nouvelle version du formulaire).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from quartiers.core.funding import parameters

CENT = Decimal("0.01")
THIN_SPACE = "\u202f"
NBSP = "\u00a0"
ZERO = Decimal("0.00")
CERFA_REFERENCE = "CERFA 12156*06, budget prévisionnel de l'action (notice 51781#04)"


class Side(StrEnum):
    CHARGE = "charge"
    INCOME = "income"


SIDE_LABELS = {Side.CHARGE: "charges", Side.INCOME: "produits"}


@dataclass(frozen=True)
class BudgetCategory:
    """Un compte du budget CERFA : code, côté, libellé français, contribution en nature ou non."""

    code: str
    side: Side
    label: str
    in_kind: bool = False

    @property
    def full_label(self) -> str:
        return f"{self.code} – {self.label}"


CATEGORIES: tuple[BudgetCategory, ...] = (
    BudgetCategory("60", Side.CHARGE, "Achats"),
    BudgetCategory("61", Side.CHARGE, "Services extérieurs"),
    BudgetCategory("62", Side.CHARGE, "Autres services extérieurs"),
    BudgetCategory("63", Side.CHARGE, "Impôts et taxes"),
    BudgetCategory("64", Side.CHARGE, "Charges de personnel"),
    BudgetCategory("65", Side.CHARGE, "Autres charges de gestion courante"),
    BudgetCategory("66", Side.CHARGE, "Charges financières"),
    BudgetCategory("67", Side.CHARGE, "Charges exceptionnelles"),
    BudgetCategory("68", Side.CHARGE, "Dotation aux amortissements, provisions et engagements"),
    BudgetCategory("69", Side.CHARGE, "Impôt sur les bénéfices (IS) ; participation des salariés"),
    BudgetCategory("86", Side.CHARGE, "Emplois des contributions volontaires en nature", True),
    BudgetCategory(
        "70", Side.INCOME, "Vente de produits finis, de marchandises, prestations de services"
    ),
    BudgetCategory("73", Side.INCOME, "Dotations et produits de tarification"),
    BudgetCategory("74", Side.INCOME, "Subventions d'exploitation"),
    BudgetCategory("75", Side.INCOME, "Autres produits de gestion courante"),
    BudgetCategory("76", Side.INCOME, "Produits financiers"),
    BudgetCategory("77", Side.INCOME, "Produits exceptionnels"),
    BudgetCategory("78", Side.INCOME, "Reprises sur amortissements et provisions"),
    BudgetCategory("79", Side.INCOME, "Transferts de charges"),
    BudgetCategory("87", Side.INCOME, "Contributions volontaires en nature", True),
)
CATEGORY_BY_CODE: Mapping[str, BudgetCategory] = {c.code: c for c in CATEGORIES}
SUBSIDY_CODE = "74"


class BudgetError(ValueError):
    """Montant ou catégorie invalide : porte le champ et un message français."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field} : {message}")
        self.field = field
        self.message = message


def category(code: str) -> BudgetCategory:
    try:
        return CATEGORY_BY_CODE[code.strip()]
    except KeyError:
        known = ", ".join(CATEGORY_BY_CODE)
        raise BudgetError(
            "catégorie", f"compte « {code} » inconnu du CERFA 12156 (attendu : {known})"
        ) from None


def parse_amount(value: str | int | Decimal, field: str = "montant") -> Decimal:
    """Montant en euros (« 1 234,50 », « 1234.5 ») → `Decimal` au centime, positif ou nul."""
    if isinstance(value, Decimal):
        amount = value
    else:
        text = str(value).strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        text = text.removesuffix("€").replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise BudgetError(field, f"« {value} » n'est pas un montant (ex. 1 234,50)") from None
    if not amount.is_finite():
        raise BudgetError(field, "montant fini attendu")
    if amount < 0:
        raise BudgetError(field, f"montant négatif refusé ({value})")
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise BudgetError(field, f"au plus deux décimales (centimes) : « {value} »")
    return amount.quantize(CENT)


@dataclass(frozen=True)
class BudgetEntry:
    """Une ligne du budget : compte CERFA, libellé libre, montant."""

    code: str
    label: str
    amount: Decimal

    @property
    def category(self) -> BudgetCategory:
        return category(self.code)


@dataclass(frozen=True)
class BudgetTotals:
    charges: Decimal
    incomes: Decimal
    in_kind_charges: Decimal
    in_kind_incomes: Decimal
    subsidies: Decimal
    by_code: Mapping[str, Decimal]

    @property
    def gap(self) -> Decimal:
        """Produits moins charges (hors contributions en nature) : 0 quand le budget est équilibré."""
        return self.incomes - self.charges

    @property
    def in_kind_gap(self) -> Decimal:
        return self.in_kind_incomes - self.in_kind_charges


def totals(entries: Iterable[BudgetEntry]) -> BudgetTotals:
    by_code: dict[str, Decimal] = {}
    charges = incomes = kind_c = kind_i = ZERO
    for entry in entries:
        cat = entry.category
        by_code[cat.code] = by_code.get(cat.code, ZERO) + entry.amount
        if cat.side is Side.CHARGE:
            if cat.in_kind:
                kind_c += entry.amount
            else:
                charges += entry.amount
        elif cat.in_kind:
            kind_i += entry.amount
        else:
            incomes += entry.amount
    return BudgetTotals(charges, incomes, kind_c, kind_i, by_code.get(SUBSIDY_CODE, ZERO), by_code)


def balance_problems(entries: Iterable[BudgetEntry], on: dt.date) -> list[str]:
    """Ce qui empêche le budget d'être équilibré, en français (liste vide : équilibré)."""
    t = totals(entries)
    tolerance = parameters()["balance_tolerance"].decimal_at(on)
    problems = []
    if t.charges == ZERO:
        problems.append("le budget n'a aucune charge (comptes 60 à 69)")
    if abs(t.gap) > tolerance:
        direction = "dépassent" if t.gap > 0 else "sont inférieurs à"
        problems.append(
            f"budget déséquilibré : les produits ({format_euros(t.incomes)}) {direction} les "
            f"charges ({format_euros(t.charges)}) de {format_euros(abs(t.gap))}"
        )
    if abs(t.in_kind_gap) > tolerance:
        problems.append(
            f"contributions en nature déséquilibrées : emplois (86) {format_euros(t.in_kind_charges)}"
            f", contributions (87) {format_euros(t.in_kind_incomes)}"
        )
    return problems


def format_euros(amount: Decimal) -> str:
    """« 12 345,60 € » (espace fine insécable des milliers, virgule décimale)."""
    quantized = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if quantized < 0 else ""
    units, cents = f"{abs(quantized):.2f}".split(".")
    groups: list[str] = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    return f"{sign}{THIN_SPACE.join(groups)},{cents}{NBSP}€"
