"""Données réelles de l'observatoire : périmètres et indicateurs d'Occitanie, fichiers nationaux de
deux millésimes (DEMO, REVN, IPRO) et agrégats Filosofi (France, régions, départements)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import shared

NATIONAL = (
    "data_DEMO_2021_V1_QP.csv",
    "DEMO_2022.csv",
    "REVN_2019.csv",
    "REVN_2022.csv",
    "IPRO_2019.csv",
    "IPRO_2022.csv",
)


def load_observatory() -> None:
    from quartiers.observatory import services
    from quartiers.zoning import services as zoning

    zoning.import_zoning(
        shared("qpv2015_occitanie/qp.geojson"),
        "2015",
        valid_from=dt.date(2015, 1, 1),
        valid_to=dt.date(2023, 12, 31),
    )
    for name in NATIONAL:
        services.import_indicators(shared(f"insee_qpv_thematiques/{name}"))
    services.import_indicators(shared("qpv2015_occitanie/qp.csv"), source="hackaviz2021", year=2015)
    for name in ("METRO", "REG", "DEP"):
        services.import_indicators(
            shared(f"filosofi_aggregates/cc_filosofi_2018_{name}-geo2021.CSV"),
            source="insee-filosofi",
            theme="FILO",
        )


@pytest.fixture(scope="module")
def _observatory_module(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Chargées une fois par module (l'import prend plusieurs secondes), retirées à la fin."""
    from quartiers.observatory.models import IndicatorSource
    from quartiers.zoning.models import ZoningEdition

    with django_db_blocker.unblock():
        load_observatory()
    yield
    with django_db_blocker.unblock():
        IndicatorSource.objects.all().delete()
        ZoningEdition.objects.filter(edition="2015").delete()


@pytest.fixture
def observatory_data(_observatory_module: None, db: None) -> None:
    """Les données de l'observatoire, chaque test dans sa transaction."""
