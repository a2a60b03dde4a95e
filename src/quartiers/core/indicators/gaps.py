"""Écarts et rangs : ce que la politique de la ville cherche à réduire.

L'écart d'un indicateur est la valeur du QPV moins celle du territoire de comparaison (commune,
EPCI, unité urbaine, département, région, France) ; le rang situe le QPV parmi les autres quartiers
du même millésime, le rang 1 étant le plus défavorisé quand le sens de l'indicateur est connu.
Une valeur secrète n'a ni écart ni rang : elle n'est jamais comptée comme zéro.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

_QPV_2015 = re.compile(r"^QP(?P<dep>[0-9]{2}[0-9AB])[0-9]{3}$")
_QPV_2024 = re.compile(r"^QN(?P<dep>[0-9]{2}[0-9AB])[0-9]{2}[0-9A-Z]$")


def department_of(qpv_code: str) -> str | None:
    """Le département d'un code de QPV : QP031007 → « 31 », QP02A001 → « 2A », QP974001 → « 974 »."""
    match = _QPV_2015.match(qpv_code) or _QPV_2024.match(qpv_code)
    if match is None:
        return None
    dep = match.group("dep")  # trois caractères : « 031 », « 02A », « 974 »
    return dep[1:] if dep.startswith("0") else dep


@dataclass(frozen=True)
class Rank:
    position: int
    out_of: int

    def __str__(self) -> str:
        return f"{self.position} sur {self.out_of}"


def rank(
    values: Mapping[str, Decimal | None], code: str, worse_if_higher: bool | None
) -> Rank | None:
    """Rang de `code` parmi les valeurs publiées : 1 = le plus défavorisé (ou la plus haute valeur
    quand le sens n'est pas connu) ; ex æquo au même rang."""
    own = values.get(code)
    if own is None:
        return None
    published = [v for v in values.values() if v is not None]
    ascending = worse_if_higher is False  # revenu : le plus bas est le plus défavorisé
    better = sum(1 for v in published if (v < own if ascending else v > own))
    return Rank(better + 1, len(published))


def ranks(values: Mapping[str, Decimal | None], worse_if_higher: bool | None) -> dict[str, Rank]:
    """Le rang de chaque code publié, comme `rank`, en un seul tri (n log n au lieu de n²)."""
    published = sorted(v for v in values.values() if v is not None)
    n = len(published)
    ascending = worse_if_higher is False
    found: dict[str, Rank] = {}
    for code, own in values.items():
        if own is None:
            continue
        better = bisect_left(published, own) if ascending else n - bisect_right(published, own)
        found[code] = Rank(better + 1, n)
    return found


def gap(qpv_value: Decimal | None, reference_value: Decimal | None) -> Decimal | None:
    if qpv_value is None or reference_value is None:
        return None
    return qpv_value - reference_value
