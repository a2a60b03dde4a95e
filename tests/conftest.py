"""Fixtures communes : données réelles de ../shared/data, base de test Django."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
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


def _uses_transactional_db(request: pytest.FixtureRequest) -> bool | None:
    """Vrai : base en transactions réelles ; faux : base dans une transaction ; None : sans base."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if "transactional_db" in names or "live_server" in names:
        return True
    if marker is not None:
        return bool(marker.kwargs.get("transaction", False))
    return False if "db" in names else None


@pytest.fixture(autouse=True)
def _append_only_audit(request: pytest.FixtureRequest) -> Iterator[None]:
    """Le journal d'audit reste en ajout seul pendant chaque test ; sur SQLite, ses déclencheurs
    sont retirés juste le temps que pytest-django vide la base après un test en transactions
    réelles (DELETE), puis reposés au test suivant. PostgreSQL vide par TRUNCATE, non bloqué."""
    transactional = _uses_transactional_db(request)
    if transactional is None:
        yield
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.db import connection

    from quartiers.accounts.append_only import create_triggers, drop_triggers

    create_triggers(connection)
    yield
    if transactional and connection.vendor == "sqlite":
        drop_triggers(connection)
