"""Fixtures communes : données réelles de ../shared/data, base de test Django."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

pytest_plugins = ["tests.browser", "tests.addok_server", "tests.workers"]

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("QUARTIERS_SHARED_DATA", ROOT.parent / "shared" / "data"))
OCCITANIE_QP = SHARED_DATA / "qpv2015_occitanie" / "qp.geojson"

os.environ.setdefault("QUARTIERS_VAR_DIR", tempfile.mkdtemp(prefix="quartiers-test-"))


def shared(path: str) -> Path:
    """Chemin d'un fichier de données réelles ; le test est ignoré (avec la raison) s'il manque."""
    full = SHARED_DATA / path
    if not full.exists():
        pytest.skip(f"donnée réelle absente : {full}")
    return full


@pytest.fixture
def occitanie_qp() -> Path:
    return shared("qpv2015_occitanie/qp.geojson")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tout test qui utilise la base est marqué `db`, pour être rejoué sur PostgreSQL."""
    for item in items:
        if "django_db" in item.keywords or "db" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)
