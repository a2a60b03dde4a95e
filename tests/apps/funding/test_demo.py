"""Démonstration : un contrat, un appel et des demandes fictives dans des statuts variés."""

from __future__ import annotations

import pytest

from quartiers.demo.accounts import build_demo_accounts
from quartiers.demo.funding import APPLICATIONS, build_demo_funding
from quartiers.funding.models import GrantApplication

pytestmark = pytest.mark.django_db


def test_demo_funding_covers_statuses_and_is_idempotent() -> None:
    build_demo_accounts(write_file=False)
    assert "9 demandes" in build_demo_funding()
    statuses = set(GrantApplication.objects.values_list("status", flat=True))
    assert statuses == {target for _, _, target, _, _ in APPLICATIONS}
    assert all("fictif" in t for t in GrantApplication.objects.values_list("title", flat=True))
    assert build_demo_funding() == "financements de démonstration déjà présents"
    assert GrantApplication.objects.count() == len(APPLICATIONS)
