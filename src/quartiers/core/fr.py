"""Écritures françaises : nombres, montants, pourcentages, dates — une seule copie de chacune.

Les explications des dispositifs et de l'identification, les pages, les fichiers et la ligne de
commande écrivent tous leurs nombres et leurs dates par ici.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

THIN_SPACE = "\u202f"  # espace fine insécable, séparateur des milliers des montants
CENT = Decimal("0.01")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def number(value: Decimal | float | int, decimals: int = 0, thousands: str = " ") -> str:
    """1234567.5 → « 1 234 568 » (0 décimale) ; virgule décimale sinon (arrondi au plus proche)."""
    quantum = Decimal(1).scaleb(-decimals)
    d = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if d < 0 else ""
    whole, _, frac = format(abs(d), "f").partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = sign + thousands.join(groups)
    return f"{text},{frac}" if frac else text


def euros(amount: Decimal, cents: bool = False) -> str:
    """`Decimal('5000')` → « 5 000 € », `Decimal('331.37')` → « 331,37 € » (centimes si non nuls ;
    toujours avec `cents` : « 5 000,00 € »)."""
    q = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    whole, _, frac = f"{q:,.2f}".partition(".")
    text = whole.replace(",", THIN_SPACE)
    return f"{text} €" if frac == "00" and not cents else f"{text},{frac} €"


def percent(ratio: Decimal) -> str:
    """`Decimal('0.3')` → « 30 % » : la valeur exacte, sans arrondi (taux légaux)."""
    value = (ratio * 100).normalize()
    return f"{value:f}".replace(".", ",") + " %"


def date(day: dt.date) -> str:
    """JJ/MM/AAAA."""
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def long_date(day: dt.date) -> str:
    """« 1er décembre 2026 », « 14 juillet 2004 » : la date des pages."""
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {MONTHS[day.month - 1]} {day.year}"


def value(raw: object, unit: str = "") -> str:
    """Une valeur de paramètre lisible : oui / non, « fermé », nombres et montants à la française,
    listes jointes ; jamais `True`, `None` ni `null`."""
    if raw is None:
        return "fermé"
    if isinstance(raw, bool):
        return "oui" if raw else "non"
    if isinstance(raw, dt.date):
        return long_date(raw)
    if isinstance(raw, list | tuple):
        return " ; ".join(value(item, unit) for item in raw) or "—"
    if isinstance(raw, dict):
        return " ; ".join(f"{value(k)} → {value(v, unit)}" for k, v in raw.items()) or "—"
    if isinstance(raw, int | float | Decimal):
        amount = Decimal(str(raw))
        if unit.startswith("€"):
            return euros(amount) + unit[1:]
        if unit in ("ratio", "liste de ratios"):
            return percent(amount)
        decimals = max(0, -amount.normalize().as_tuple().exponent)  # type: ignore[operator]
        text = number(amount, min(int(decimals), 6), THIN_SPACE)
        return f"{text} {unit}" if unit and unit not in ("booléen", "liste", "niveau") else text
    return str(raw)


def parse_date(text: str) -> dt.date:
    """AAAA-MM-JJ ou JJ/MM/AAAA ; `ValueError` au message français sinon."""
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(f"date « {text} » invalide : attendu AAAA-MM-JJ ou JJ/MM/AAAA")
