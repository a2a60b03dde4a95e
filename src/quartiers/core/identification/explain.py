"""Explications en français de chaque décision (quartier retenu, agrégat rejeté, carreau).

Les nombres suivent l'usage français : espace pour les milliers (« 1 000 »), virgule décimale,
« € » après le montant. Exemples : « population 840 < 1 000 », « médiane 12 950 € ≥ seuil
12 400 € ».
"""

from __future__ import annotations

from decimal import Decimal

from quartiers.core.fr import number

ESTIMATION = "estimation"
__all__ = ["ESTIMATION", "euros", "number", "people", "percent"]


def euros(value: Decimal | float | int) -> str:
    return f"{number(value)} €"


def people(value: Decimal | float | int) -> str:
    return number(value)


def percent(value: Decimal | float) -> str:
    return f"{number(Decimal(str(value)) * 100, 1)} %"


def population_test(population: float, minimum: int, estimated: bool = False) -> tuple[bool, str]:
    """« population 1 240 ≥ 1 000 » ou « population 840 < 1 000 » (art. 2, I, 2°)."""
    shown = people(population)
    tag = f" ({ESTIMATION})" if estimated else ""
    if population >= minimum:
        return True, f"population {shown}{tag} ≥ {people(minimum)}"
    return False, f"population {shown}{tag} < {people(minimum)}"


def median_test(median: Decimal, threshold: Decimal, estimated: bool) -> tuple[bool, str]:
    """Strictement sous le seuil (« inférieur au seuil », art. 2, I, 3°) : 11 500 = 11 500 échoue."""
    tag = f" ({ESTIMATION})" if estimated else ""
    if median < threshold:
        return True, f"médiane {euros(median)}{tag} < seuil {euros(threshold)}"
    return False, f"médiane {euros(median)}{tag} ≥ seuil {euros(threshold)}"


def poor_share_test(share: Decimal, minimum: Decimal) -> tuple[bool, str]:
    """Plus de la moitié des ménages pauvres : « part de ménages pauvres 54,2 % > 50,0 % »."""
    if share > minimum:
        return True, f"part de ménages pauvres {percent(share)} > {percent(minimum)}"
    return False, f"part de ménages pauvres {percent(share)} ≤ {percent(minimum)}"


def density_test(density: float, minimum: int) -> tuple[bool, str]:
    """Martinique, La Réunion : au moins 2 000 habitants au km² (décret n° 2014-1575, art. 1)."""
    if density >= minimum:
        return True, f"densité {people(density)} hab./km² ≥ {people(minimum)}"
    return False, f"densité {people(density)} hab./km² < {people(minimum)}"
