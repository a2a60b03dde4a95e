"""Nombres à la française, quelle que soit la langue demandée par le navigateur."""

from __future__ import annotations

from django import template

from quartiers.core.fr import THIN_SPACE, number

register = template.Library()


@register.filter
def fr_number(value: object, digits: int = 0) -> str:
    """12345.6 → « 12 345,6 » (avec `digits` décimales) ; vide → « — »."""
    if value is None or value == "":
        return "—"
    try:
        amount = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    return number(amount, int(digits), THIN_SPACE)


@register.filter
def result_type_fr(value: object) -> str:
    """Type de résultat du géocodage en français (numéro, voie, lieu-dit, commune)."""
    from quartiers.core.geo.geocoding.base import ResultType
    from quartiers.core.geo.geocoding.confidence import TYPE_NAMES

    try:
        return TYPE_NAMES[ResultType(str(value))]
    except (ValueError, KeyError):
        return str(value)


@register.filter
def percent_fr(value: object) -> str:
    """0.953 → « 95 % » (part de 0 à 1) ; vide → « — »."""
    if value is None or value == "":
        return "—"
    try:
        share = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    return f"{number(share * 100, 0, THIN_SPACE)}\u202f%"


@register.filter
def fr_iso_datetime(value: object) -> str:
    """« 2026-12-01T19:09:24+00:00 » → « 01/12/2026 à 20:09 » (heure de Paris) ; sinon tel quel."""
    import datetime as dt

    from django.utils import timezone

    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value) or "—"
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment:%d/%m/%Y} à {moment:%H:%M}"
