"""Seuil de bas revenus par unité urbaine (décret n° 2014-767, art. 2 et 4) et variante
Martinique / La Réunion (décret n° 2014-1575, art. 1 et 2).

Références : `reference/geography.md` §1.2 (texte de l'art. 4), §1.5, §2.1–2.2 (cas d'école).

    S = 0,6 × (0,7 × RMUC-nat + 0,3 × RMUC-UU), arrondi aux 100 € supérieurs ;
    poids inversés (0,3 / 0,7) pour les unités urbaines de 5 millions d'habitants ou plus ;
    outre-mer (Martinique, La Réunion) : S = 0,6 × (0,3 × RMUC-métro + 0,7 × RMUC-dép).

Tout est en `Decimal` : aucun arrondi binaire ne peut faire passer 11 499,999 à 11 400.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from quartiers.core.identification.explain import euros, number, people
from quartiers.core.identification.parameters import IdentificationParameters


def round_up(value: Decimal, step: int) -> Decimal:
    """Arrondi au multiple de `step` supérieur (11 475 → 11 500 ; 11 500 reste 11 500)."""
    step_d = Decimal(step)
    return (value / step_d).to_integral_value(rounding=ROUND_CEILING) * step_d


def rounded_urban_unit_population(population: int, params: IdentificationParameters) -> int:
    """Population de l'unité urbaine arrondie aux 100 habitants supérieurs (art. 2, I, 1°)."""
    return int(round_up(Decimal(population), params.urban_unit_population_rounding))


@dataclass(frozen=True)
class Threshold:
    """Le seuil d'un territoire (unité urbaine ou département d'outre-mer) et son calcul."""

    uu_code: str
    population: int | None
    rounded_population: int | None
    eligible: bool
    median_income_per_cu: Decimal | None
    national_median: Decimal
    low_income_threshold: Decimal | None
    raw_value: Decimal | None
    formula: str
    reason: str
    estimated: bool = False
    illustrative: bool = False


def low_income_threshold(
    national_median: Decimal,
    local_median: Decimal,
    urban_unit_population: int,
    params: IdentificationParameters,
) -> tuple[Decimal, Decimal, str]:
    """(seuil arrondi, valeur brute, formule en clair) pour une unité urbaine de métropole."""
    large = urban_unit_population >= params.large_urban_unit_population
    w_nat = params.large_urban_unit_national_weight if large else params.national_weight
    w_uu = params.large_urban_unit_weight if large else params.urban_unit_weight
    raw = params.median_share * (w_nat * national_median + w_uu * local_median)
    value = round_up(raw, params.threshold_rounding)
    formula = (
        f"{_num(params.median_share)} × ({_num(w_nat)} × {euros(national_median)} + "
        f"{_num(w_uu)} × {euros(local_median)}) = {number(raw, 2)} € → {euros(value)}"
        + (
            f" (unité urbaine ≥ {people(params.large_urban_unit_population)} habitants : "
            "poids inversés, art. 4, 2°)"
            if large
            else ""
        )
    )
    return value, raw, formula


def overseas_threshold(
    metro_median: Decimal, department_median: Decimal, params: IdentificationParameters
) -> tuple[Decimal, Decimal, str]:
    """Martinique, La Réunion : S = 0,6 × (0,3 × RMUC-métro + 0,7 × RMUC-dép) (décret 2014-1575, art. 2)."""
    raw = params.median_share * (
        params.overseas_metro_weight * metro_median
        + params.overseas_department_weight * department_median
    )
    value = round_up(raw, params.threshold_rounding)
    formula = (
        f"{_num(params.median_share)} × ({_num(params.overseas_metro_weight)} × "
        f"{euros(metro_median)} + {_num(params.overseas_department_weight)} × "
        f"{euros(department_median)}) = {number(raw, 2)} € → {euros(value)} "
        "(décret n° 2014-1575, art. 2)"
    )
    return value, raw, formula


def urban_unit_threshold(
    uu_code: str,
    population: int | None,
    local_median: Decimal | None,
    national_median: Decimal,
    params: IdentificationParameters,
    estimated: bool = False,
    illustrative: bool = False,
) -> Threshold:
    """Éligibilité (≥ 10 000 habitants, arrondis aux 100 supérieurs) et seuil d'une unité urbaine."""
    if population is None:
        return Threshold(
            uu_code,
            None,
            None,
            False,
            local_median,
            national_median,
            None,
            None,
            "",
            "population de l'unité urbaine inconnue",
            estimated,
            illustrative,
        )
    rounded = rounded_urban_unit_population(population, params)
    if rounded < params.urban_unit_min_population:
        return Threshold(
            uu_code,
            population,
            rounded,
            False,
            local_median,
            national_median,
            None,
            None,
            "",
            f"unité urbaine de {people(rounded)} habitants (arrondi aux 100 supérieurs) "
            f"< {people(params.urban_unit_min_population)} : pas un territoire urbain "
            "(décret n° 2014-767, art. 2, I, 1°)",
            estimated,
            illustrative,
        )
    if local_median is None:
        return Threshold(
            uu_code,
            population,
            rounded,
            True,
            None,
            national_median,
            None,
            None,
            "",
            "médiane de l'unité urbaine inconnue : seuil non calculable",
            estimated,
            illustrative,
        )
    value, raw, formula = low_income_threshold(national_median, local_median, population, params)
    return Threshold(
        uu_code,
        population,
        rounded,
        True,
        local_median,
        national_median,
        value,
        raw,
        formula,
        f"territoire urbain ({people(rounded)} habitants ≥ "
        f"{people(params.urban_unit_min_population)}), seuil {euros(value)}",
        estimated,
        illustrative,
    )


def _num(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return text.replace(".", ",")
