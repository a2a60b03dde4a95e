"""Le dictionnaire des indicateurs : libellés français, unités, sens, formules des dérivés.

Un code absent du dictionnaire reste importé et affiché par son code : le fichier de l'INSEE fait
foi sur ses colonnes ; le dictionnaire ne fait que les nommer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DICTIONARY_FILE = Path(__file__).with_name("dictionary.yaml")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    unit: str = ""
    theme: str = ""
    worse_if_higher: bool | None = None
    formula: str = ""  # « AM/A » : rapport de deux indicateurs du même fichier, en %

    def derive(self, values: Mapping[str, Decimal | None]) -> Decimal | None:
        """La valeur d'un dérivé (None si une des deux est secrète ou le dénominateur nul)."""
        numerator, _, denominator = self.formula.partition("/")
        top, bottom = values.get(numerator), values.get(denominator)
        if top is None or bottom is None or bottom == 0:
            return None
        return (top / bottom * HUNDRED).quantize(Decimal("0.1"))


def _entry(code: str, raw: Mapping[str, Any]) -> Indicator:
    return Indicator(
        code=code,
        label=str(raw["label"]),
        unit=str(raw.get("unit", "")),
        theme=str(raw.get("theme", "")),
        worse_if_higher=raw.get("worse_if_higher"),
        formula=str(raw.get("formula", "")),
    )


@cache
def dictionary() -> dict[str, Indicator]:
    data = yaml.safe_load(DICTIONARY_FILE.read_text(encoding="utf-8"))
    entries = {code: _entry(code, raw) for code, raw in data["indicators"].items()}
    entries.update({code: _entry(code, raw) for code, raw in data["derived"].items()})
    return entries


@cache
def _comparable() -> dict[str, tuple[str, ...]]:
    data = yaml.safe_load(DICTIONARY_FILE.read_text(encoding="utf-8"))
    return {code: tuple(others) for code, others in (data.get("comparable") or {}).items()}


def comparable_codes(code: str) -> tuple[str, ...]:
    """Le code lui-même, puis ceux qui mesurent la même chose dans d'autres fichiers."""
    return (code, *_comparable().get(code, ()))


@dataclass(frozen=True)
class Pillar:
    key: str
    label: str
    indicators: tuple[str, ...]


@cache
def pillars() -> tuple[Pillar, ...]:
    """Les trois piliers (cohésion sociale, cadre de vie, emploi) et leurs indicateurs."""
    data = yaml.safe_load(DICTIONARY_FILE.read_text(encoding="utf-8"))
    return tuple(
        Pillar(key, str(raw["label"]), tuple(raw["indicators"]))
        for key, raw in (data.get("pillars") or {}).items()
    )


def derived() -> list[Indicator]:
    return [i for i in dictionary().values() if i.formula]


def indicator(code: str) -> Indicator:
    """L'indicateur du dictionnaire, ou un indicateur nommé par son seul code."""
    return dictionary().get(code, Indicator(code=code, label=code))
