"""Évolutions entre deux millésimes : d'un indicateur et de son écart au territoire de comparaison.

L'INSEE ne permet pas toutes les comparaisons : au niveau infra-communal, les données de la Cnaf et
de la Cnam de deux millésimes ne se comparent pas (changements de géolocalisation et de champ,
avertissement de l'INSEE) ; deux fichiers dont toutes les valeurs sont identiques sont le même
millésime de source republié (ré-enregistrement, PROVENANCE.md) : aucune évolution n'y est lisible ;
deux éditions différentes de la géographie prioritaire (2015, 2024) n'ont pas les mêmes périmètres.
Dans ces cas l'évolution n'est pas calculée et l'avertissement dit pourquoi.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

# Fichiers DEMO et REVN : colonnes de la Cnaf et de la Cnam (dans IPRO, `A` est la catégorie A de
# France Travail, comparable d'un millésime à l'autre).
CNAF_CODES = frozenset(
    {
        "A",
        "PERCOU",
        "AM",
        "AI",
        "ACSSENF",
        "ACAVENF",
        "AC3ENF",
        "A_NETUD_24",
        "A_ETUD",
        "ENF",
        "ENF_2",
        "ENF_3_5",
        "ENF_6_10",
        "ENF_11_14",
        "ENF_15_17",
        "ENF_18_24",
        "APPA",
        "ARSAS",
        "AAAH",
        "APRES50",
        "APRES100",
        "PART_MONOPARENTS",
        "PART_RSA_SOCLE",
        "PART_PRIME_ACTIVITE",
        "PART_AAH",
    }
)
CNAM_CODES = frozenset({"C", "C_C2SNP", "C_C2SP"})
CNAF_THEMES = frozenset({"DEMO", "REVN"})

WARN_CNAF = (
    "données de la Cnaf : l'INSEE ne permet pas de comparer deux millésimes au niveau "
    "infra-communal (géolocalisation des allocataires revue d'un millésime à l'autre)"
)
WARN_CNAM = (
    "données de la Cnam : l'INSEE ne permet pas de comparer deux millésimes successifs au niveau "
    "infra-communal"
)
WARN_REPUBLISHED = (
    "valeurs identiques pour tous les quartiers des deux fichiers : le même millésime de source "
    "republié, aucune évolution mesurable"
)
WARN_EDITION = "éditions de la géographie prioritaire différentes : périmètres non comparables"
WARN_SAME_REFERENCE = "le territoire de comparaison n'a qu'un millésime : l'évolution de l'écart est celle du quartier"


def producer_warning(code: str, theme: str, infra_communal: bool) -> str:
    """L'avertissement de l'INSEE sur la source d'un indicateur, ou « » s'il se compare."""
    if not infra_communal or theme.upper() not in CNAF_THEMES:
        return ""
    if code in CNAM_CODES:
        return WARN_CNAM
    if code in CNAF_CODES:
        return WARN_CNAF
    return ""


def identical_series(
    before: Mapping[str, Decimal | None], after: Mapping[str, Decimal | None]
) -> bool:
    """Vrai si les deux millésimes ont les mêmes valeurs publiées pour tous leurs quartiers communs."""
    common = [c for c in before.keys() & after.keys() if before[c] is not None]
    if len(common) < 2:
        return False
    return all(before[c] == after[c] for c in common)


@dataclass(frozen=True)
class Trend:
    """Un indicateur d'un territoire entre deux millésimes (et son écart à une référence)."""

    indicator: str
    year_before: int
    year_after: int
    value_before: Decimal | None
    value_after: Decimal | None
    change: Decimal | None
    gap_before: Decimal | None = None
    gap_after: Decimal | None = None
    gap_change: Decimal | None = None
    reference: str = ""
    warning: str = ""

    @property
    def comparable(self) -> bool:
        return self.change is not None

    def as_dict(self) -> dict[str, Any]:
        def text(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "indicator": self.indicator,
            "year_before": self.year_before,
            "year_after": self.year_after,
            "value_before": text(self.value_before),
            "value_after": text(self.value_after),
            "change": text(self.change),
            "gap_before": text(self.gap_before),
            "gap_after": text(self.gap_after),
            "gap_change": text(self.gap_change),
            "reference": self.reference,
            "comparable": self.comparable,
            "warning": self.warning,
        }


def trend(
    indicator: str,
    theme: str,
    years: tuple[int, int],
    values: tuple[Decimal | None, Decimal | None],
    references: tuple[Decimal | None, Decimal | None] = (None, None),
    *,
    reference: str = "",
    same_reference_vintage: bool = False,
    infra_communal: bool = True,
    republished: bool = False,
    same_edition: bool = True,
) -> Trend:
    """Évolution (après − avant) et évolution de l'écart, ou l'avertissement qui l'interdit."""
    before, after = values
    warning = (
        producer_warning(indicator, theme, infra_communal)
        or (WARN_REPUBLISHED if republished else "")
        or ("" if same_edition else WARN_EDITION)
    )
    gap_before = _minus(before, references[0])
    gap_after = _minus(after, references[1])
    if warning:
        return Trend(
            indicator, *years, before, after, None, gap_before, gap_after, None, reference, warning
        )
    gap_change = _minus(gap_after, gap_before)
    if gap_change is not None and same_reference_vintage:
        warning = WARN_SAME_REFERENCE
    return Trend(
        indicator,
        *years,
        before,
        after,
        _minus(after, before),
        gap_before,
        gap_after,
        gap_change,
        reference,
        warning,
    )


def _minus(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else a - b
