"""Méthodes d'outre-mer du décret n° 2014-1575 sur tables du recensement (IRIS, villages, districts).

Texte intégral et tableaux : `reference/outre-mer.md`. Chaque territoire a sa méthode, ses
seuils et ses conditions de territoire urbain :

- Guyane (art. 4, annexe 1) : tableau de points (décile départemental × quartile communal),
  7 paramètres, pondérations 2/1, retenu si le total est strictement positif ;
- Polynésie française (art. 16, annexe 5) : même tableau, retenu si total ≥ 25 ;
- Guadeloupe (art. 7, annexe 2) : moyenne pondérée des rangs (chômage × 2) / 7, retenu si ≥ 80 ;
- Saint-Martin (art. 13, annexe 4) : somme pondérée des rangs, retenu si ≥ 55 ;
- Mayotte (art. 10, annexe 3) : moyenne des 5 proportions (en %) × part de population du
  village dans sa commune, retenu si ≥ 6,5 (**à vérifier** : formule ambiguë).

Classes d'effectifs égaux : l'unité de rang r (1 = plus favorable) sur n reçoit la classe
⌈k·r/n⌉ (k = 10 déciles ou 4 quartiles) ; les ex æquo sont départagés par l'ordre du fichier
(le décret ne dit rien des égalités). Rangs : 1 à n par ordre croissant, ex æquo au rang moyen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from quartiers.core.identification.explain import number
from quartiers.core.identification.parameters import IdentificationParameters

# Annexe 1 (Guyane) et annexe 5 (Polynésie) : lignes = quartile communal I..IV,
# colonnes = décile départemental 1..10.
POINTS_TABLE: tuple[tuple[int, ...], ...] = (
    (-30, -20, -15, -10, -10, -10, -10, -5, 0, 10),
    (-20, -10, -5, 0, 0, 0, 0, 5, 10, 20),
    (-20, -10, -5, 0, 0, 0, 0, 5, 10, 20),
    (-10, 0, 5, 10, 10, 10, 10, 15, 20, 30),
)
POINTS_PARAMETERS: Mapping[str, int] = {
    "unemployment_rate": 2,
    "inactive_rate": 1,
    "young_inactive_rate": 2,
    "no_diploma_rate": 1,
    "single_parent_rate": 1,
    "unfit_housing_rate": 2,
    "overcrowded_housing_rate": 1,
}
GUADELOUPE_PARAMETERS: Mapping[str, int] = {
    "unemployment_rate": 2,
    "young_inactive_rate": 1,
    "inactive_rate": 1,
    "no_diploma_rate": 1,
    "single_parent_rate": 1,
    "overcrowded_housing_rate": 1,
}
SAINT_MARTIN_PARAMETERS: Mapping[str, int] = {
    "unemployed_count": 2,
    "young_inactive_count": 2,
    "unfit_housing_count": 2,
    "no_diploma_rate": 1,
    "overcrowded_housing_rate": 1,
}
MAYOTTE_PARAMETERS = (
    "jobless_rate",
    "no_diploma_rate",
    "no_running_water_rate",
    "no_electricity_rate",
    "makeshift_housing_rate",
)
LABELS = {
    "unemployment_rate": "chômeurs / actifs",
    "inactive_rate": "inactifs 15-64 ans",
    "young_inactive_rate": "jeunes inactifs non scolarisés 18-25 ans",
    "no_diploma_rate": "non-diplômés",
    "single_parent_rate": "familles monoparentales",
    "unfit_housing_rate": "logements insalubres",
    "overcrowded_housing_rate": "logements surpeuplés",
    "unemployed_count": "nombre de chômeurs 15-64 ans",
    "young_inactive_count": "nombre de jeunes inactifs non scolarisés",
    "unfit_housing_count": "nombre de logements insalubres",
    "jobless_rate": "sans emploi 15-64 ans",
    "no_running_water_rate": "logements sans eau courante",
    "no_electricity_rate": "logements sans électricité",
    "makeshift_housing_rate": "habitations de fortune",
}


@dataclass(frozen=True)
class CensusUnit:
    """Une unité infracommunale (IRIS, village, district) et ses indicateurs du recensement."""

    code: str
    insee_code: str
    population: float
    values: Mapping[str, float]
    urban_territory: bool = True


@dataclass(frozen=True)
class UnitDecision:
    code: str
    insee_code: str
    score: Decimal
    selected: bool
    explanation: str
    details: Mapping[str, str] = field(default_factory=dict)


def equal_count_classes(values: npt.ArrayLike, k: int) -> npt.NDArray[np.int64]:
    """Classe 1..k d'effectifs égaux, valeur élevée = situation plus défavorable = classe haute."""
    v = np.asarray(values, dtype=np.float64)
    n = len(v)
    order = np.argsort(v, kind="stable")
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = np.arange(1, n + 1)
    return np.ceil(k * ranks / n).astype(np.int64)


def average_ranks(values: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Rangs 1..n par ordre croissant, ex æquo au rang moyen."""
    v = np.asarray(values, dtype=np.float64)
    order = np.argsort(v, kind="stable")
    ranks = np.empty(len(v), dtype=np.float64)
    ranks[order] = np.arange(1, len(v) + 1)
    for value in np.unique(v):
        tie = v == value
        if tie.sum() > 1:
            ranks[tie] = ranks[tie].mean()
    return ranks


def _check(units: Sequence[CensusUnit], names: Sequence[str]) -> None:
    for unit in units:
        missing = [n for n in names if n not in unit.values]
        if missing:
            raise ValueError(
                f"unité « {unit.code} » : indicateur(s) manquant(s) : {', '.join(missing)}"
            )


def points_method(
    units: Sequence[CensusUnit], cutoff: int, strict: bool, territory: str
) -> list[UnitDecision]:
    """Guyane et Polynésie : points du tableau (décile × quartile), pondérés 2/1, sommés."""
    eligible = [u for u in units if u.urban_territory]
    _check(eligible, list(POINTS_PARAMETERS))
    decisions = {u.code: _outside(u, territory) for u in units if not u.urban_territory}
    if eligible:
        total = np.zeros(len(eligible))
        details: list[dict[str, str]] = [{} for _ in eligible]
        communes = np.array([u.insee_code for u in eligible])
        for name, weight in POINTS_PARAMETERS.items():
            vals = np.array([u.values[name] for u in eligible], dtype=np.float64)
            deciles = equal_count_classes(vals, 10)
            quartiles = np.zeros(len(eligible), dtype=np.int64)
            for commune in np.unique(communes):
                sel = np.flatnonzero(communes == commune)
                quartiles[sel] = equal_count_classes(vals[sel], 4)
            points = np.array(
                [POINTS_TABLE[q - 1][d - 1] for q, d in zip(quartiles, deciles, strict=True)]
            )
            total += weight * points
            for i in range(len(eligible)):
                roman = ["I", "II", "III", "IV"][quartiles[i] - 1]
                details[i][name] = (
                    f"{LABELS[name]} : décile {deciles[i]}, quartile {roman} → "
                    f"{points[i]} pt × {weight}"
                )
        for i, unit in enumerate(eligible):
            score = Decimal(int(total[i]))
            ok = score > cutoff if strict else score >= cutoff
            sign = (">" if ok else "≤") if strict else ("≥" if ok else "<")
            decisions[unit.code] = UnitDecision(
                unit.code,
                unit.insee_code,
                score,
                ok,
                f"{territory} : indicateur synthétique {number(score)} {sign} {cutoff}",
                details[i],
            )
    return [decisions[u.code] for u in units]


def guyane(units: Sequence[CensusUnit], params: IdentificationParameters) -> list[UnitDecision]:
    """Art. 4 : « un résultat positif » (lu strictement positif)."""
    return points_method(units, params.guyane_cutoff, True, "Guyane")


def polynesie(units: Sequence[CensusUnit], params: IdentificationParameters) -> list[UnitDecision]:
    """Art. 16 : « supérieur ou égal à 25 »."""
    return points_method(units, params.polynesie_cutoff, False, "Polynésie française")


def _ranks_method(
    units: Sequence[CensusUnit],
    weights: Mapping[str, int],
    divisor: int,
    cutoff: Decimal,
    territory: str,
) -> list[UnitDecision]:
    eligible = [u for u in units if u.urban_territory]
    _check(eligible, list(weights))
    decisions = {u.code: _outside(u, territory) for u in units if not u.urban_territory}
    if eligible:
        total = np.zeros(len(eligible))
        details: list[dict[str, str]] = [{} for _ in eligible]
        for name, weight in weights.items():
            ranks = average_ranks([u.values[name] for u in eligible])
            total += weight * ranks
            for i in range(len(eligible)):
                details[i][name] = f"{LABELS[name]} : rang {number(ranks[i], 1)} × {weight}"
        for i, unit in enumerate(eligible):
            score = (Decimal(str(total[i])) / Decimal(divisor)).quantize(Decimal("0.01"))
            ok = score >= cutoff
            decisions[unit.code] = UnitDecision(
                unit.code,
                unit.insee_code,
                score,
                ok,
                f"{territory} : indicateur synthétique {number(score, 2)} "
                + ("≥" if ok else "<")
                + f" {number(cutoff)}",
                details[i],
            )
    return [decisions[u.code] for u in units]


def guadeloupe(units: Sequence[CensusUnit], params: IdentificationParameters) -> list[UnitDecision]:
    """Annexe 2 : S = (2 × rang chômage + 5 autres rangs) / 7, retenu si ≥ 80."""
    return _ranks_method(
        units, GUADELOUPE_PARAMETERS, 7, Decimal(params.guadeloupe_cutoff), "Guadeloupe"
    )


def saint_martin(
    units: Sequence[CensusUnit], params: IdentificationParameters
) -> list[UnitDecision]:
    """Annexe 4 : S = 2 × (chômage + jeunes inactifs + insalubrité) + non-diplômés + surpeuplement."""
    return _ranks_method(
        units, SAINT_MARTIN_PARAMETERS, 1, Decimal(params.saint_martin_cutoff), "Saint-Martin"
    )


def mayotte(units: Sequence[CensusUnit], params: IdentificationParameters) -> list[UnitDecision]:
    """Annexe 3 (à vérifier) : moyenne des 5 proportions (%) × part du village dans la commune."""
    eligible = [u for u in units if u.urban_territory]
    _check(eligible, MAYOTTE_PARAMETERS)
    decisions = {u.code: _outside(u, "Mayotte") for u in units if not u.urban_territory}
    commune_pop: dict[str, float] = {}
    for u in eligible:
        commune_pop[u.insee_code] = commune_pop.get(u.insee_code, 0.0) + u.population
    for u in eligible:
        mean = sum((Decimal(str(u.values[n])) for n in MAYOTTE_PARAMETERS), Decimal(0)) / len(
            MAYOTTE_PARAMETERS
        )
        share = (
            Decimal(str(u.population)) / Decimal(str(commune_pop[u.insee_code]))
            if commune_pop[u.insee_code]
            else Decimal(0)
        )
        score = (mean * share).quantize(Decimal("0.01"))
        ok = score >= params.mayotte_cutoff
        decisions[u.code] = UnitDecision(
            u.code,
            u.insee_code,
            score,
            ok,
            f"Mayotte : indicateur synthétique {number(score, 2)} "
            + ("≥" if ok else "<")
            + f" {number(params.mayotte_cutoff, 1)} (formule à vérifier)",
            {
                "mean": f"moyenne des proportions {number(mean, 2)} %",
                "share": f"part de la population communale {number(share * 100, 1)} %",
            },
        )
    return [decisions[u.code] for u in units]


def _outside(unit: CensusUnit, territory: str) -> UnitDecision:
    return UnitDecision(
        unit.code,
        unit.insee_code,
        Decimal(0),
        False,
        f"{territory} : hors territoire urbain (conditions de commune non remplies)",
    )


def guyane_urban_territory(
    commune_population: int, urban_area_population: int, params: IdentificationParameters
) -> bool:
    """Art. 4, 1° : commune ≥ 5 000 habitants dans une aire urbaine ≥ 15 000."""
    return (
        commune_population >= params.overseas_census_commune_min_population
        and urban_area_population >= params.overseas_census_urban_area_min_population
    )


def guadeloupe_urban_territory(
    commune_population: int,
    density: float,
    urban_area_population: int,
    params: IdentificationParameters,
) -> bool:
    """Art. 7, 1° : commune ≥ 5 000 habitants, densité > 150 hab./km², aire urbaine ≥ 15 000."""
    return (
        guyane_urban_territory(commune_population, urban_area_population, params)
        and density > params.guadeloupe_min_density
    )


def polynesie_urban_territory(
    density: float, urban_pole_jobs: int, params: IdentificationParameters
) -> bool:
    """Art. 16, II, 1° : densité > 100 hab./km², pôle urbain de plus de 10 000 emplois."""
    return (
        density > params.polynesie_min_density
        and urban_pole_jobs > params.polynesie_urban_pole_min_jobs
    )


METHODS = {
    "guyane": guyane,
    "polynesie": polynesie,
    "guadeloupe": guadeloupe,
    "saint-martin": saint_martin,
    "mayotte": mayotte,
}

METHOD_PARAMETERS: Mapping[str, tuple[str, ...]] = {
    "guyane": tuple(POINTS_PARAMETERS),
    "polynesie": tuple(POINTS_PARAMETERS),
    "guadeloupe": tuple(GUADELOUPE_PARAMETERS),
    "saint-martin": tuple(SAINT_MARTIN_PARAMETERS),
    "mayotte": MAYOTTE_PARAMETERS,
}


def read_census_units(path: str, method: str) -> list[CensusUnit]:
    """CSV `unit_code`, `insee_code`, `population`, les indicateurs de la méthode, et facultatif
    `urban_territory` (1/0, conditions de territoire urbain déjà vérifiées) ; erreur précise."""
    import csv

    from quartiers.core.identification.errors import IdentificationError

    if method not in METHODS:
        raise IdentificationError(
            path, f"méthode « {method} » inconnue ; attendues : {', '.join(METHODS)}"
        )
    needed = ("unit_code", "insee_code", "population", *METHOD_PARAMETERS[method])
    from pathlib import Path

    if not Path(path).is_file():
        raise IdentificationError(path, "fichier introuvable")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        sample = handle.readline()
        handle.seek(0)
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        reader = csv.DictReader(handle, delimiter=delimiter)
        header = [h.strip() for h in reader.fieldnames or []]
        missing = [n for n in needed if n not in header]
        if missing:
            raise IdentificationError(
                path, f"colonne(s) absente(s) : {', '.join(missing)}", field=missing[0]
            )
        units = []
        for line, row in enumerate(reader, start=2):
            values: dict[str, float] = {}
            for name in ("population", *METHOD_PARAMETERS[method]):
                text = (row.get(name) or "").strip().replace(",", ".")
                try:
                    values[name] = float(text)
                except ValueError:
                    raise IdentificationError(
                        path, f"nombre attendu, lu « {text} »", row=line, field=name
                    ) from None
            flag = (row.get("urban_territory") or "1").strip().lower()
            units.append(
                CensusUnit(
                    code=(row.get("unit_code") or "").strip(),
                    insee_code=(row.get("insee_code") or "").strip(),
                    population=values.pop("population"),
                    values=values,
                    urban_territory=flag not in ("0", "non", "false", "faux"),
                )
            )
    if not units:
        raise IdentificationError(path, "aucune unité dans le fichier")
    return units
