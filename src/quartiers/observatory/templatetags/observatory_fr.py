"""Nombres de l'observatoire à la française : une décimale quand la valeur en a, aucune sinon."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from quartiers.core.fr import number

register = template.Library()


@register.filter
def obs_number(value: object) -> str:
    """32291 → « 32 291 », 49.7 → « 49,7 », -10070.0 → « -10 070 » ; vide → « — »."""
    if value is None or value == "":
        return "—"
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return number(d, 1 if d % 1 else 0)
