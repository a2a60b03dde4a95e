"""Financements sans framework : budget CERFA 12156, plan de financement, CPO, complétude, workflow.

Typé strictement, sans Django : l'application `quartiers.funding` ne fait que lire et écrire en
base et appeler ces fonctions. Les erreurs portent leurs données et un message français.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

from quartiers.core.params import ParameterSet, load_parameters

PARAMETERS_FILE = Path(__file__).with_name("parameters") / "funding.yaml"


@cache
def parameters() -> ParameterSet:
    """Les paramètres datés des financements (durée des CPO, équilibre, générations…)."""
    return load_parameters(PARAMETERS_FILE)


def int_parameter(name: str, on: dt.date) -> int:
    return int(parameters()[name].at(on))
