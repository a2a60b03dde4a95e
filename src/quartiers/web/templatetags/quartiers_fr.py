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


@register.filter
def fr_date(value: object) -> str:
    """Date (ou texte AAAA-MM-JJ) → « 1er décembre 2026 » ; vide → « — » ; sinon tel quel."""
    import datetime as dt

    from quartiers.core.fr import long_date

    if value is None or value == "":
        return "—"
    if isinstance(value, dt.datetime):
        return long_date(value.date())
    if isinstance(value, dt.date):
        return long_date(value)
    try:
        return long_date(dt.date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


@register.filter
def fr_euros(value: object) -> str:
    """Montant → « 5 000,00 € » (toujours les centimes) ; vide → « — »."""
    from decimal import Decimal, InvalidOperation

    from quartiers.core.fr import euros

    if value is None or value == "":
        return "—"
    try:
        return euros(Decimal(str(value)), cents=True)
    except InvalidOperation:
        return str(value)


@register.filter
def fr_amount(value: object, unit: str = "") -> str:
    """Montant d'un résultat avec son unité : (561.68, « €/mois ») → « 561,68 €/mois »."""
    text = fr_euros(value)
    unit = str(unit or "")
    if unit.startswith("€"):
        return text + unit[1:]
    return f"{fr_number(value, 2)} {unit}".strip() if unit else text


@register.filter
def official(value: object) -> str:
    """Le texte sans ses sources non officielles (notes de recherche : blogs, presse)."""
    from quartiers.core.rules.sources import official_text

    return official_text(str(value or ""))


@register.filter
def official_reference(value: object) -> str:
    """Une référence réduite à ses sources officielles ; aucune → la raison, en clair."""
    text = official(value)
    return text or "aucune source officielle retrouvée (à vérifier)"
