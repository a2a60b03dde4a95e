"""Attestation vérifiable : ce qui est affirmé, relu, comparé (sans framework)."""

from __future__ import annotations

import datetime as dt

import pytest

from quartiers.core.attestation import Claim, EditionStamp, Verdict, compare, decree_for

CLAIM = Claim(
    address="20 avenue des Tilleuls Bellerive",
    label="20 Avenue des Tilleuls 18999 Bellerive",
    lon=2.388,
    lat=46.654,
    on=dt.date(2025, 3, 1),
    status="in_qpv",
    code="QN01801M",
    editions=(EditionStamp("2024", "2026-11-30T10:00:00+00:00"),),
    checked_at="2026-12-01T10:00:00+00:00",
)


def test_payload_round_trip_and_bad_payload() -> None:
    assert Claim.from_payload(CLAIM.to_payload()) == CLAIM
    with pytest.raises(ValueError, match="illisible"):
        Claim.from_payload({"a": "x"})


def test_same_lists_same_result_is_valid() -> None:
    result = compare(CLAIM, "in_qpv", "QN01801M", CLAIM.editions)
    assert result.verdict is Verdict.VALID and not result.differences


def test_reimported_replaced_or_different_result_is_changed() -> None:
    later = (EditionStamp("2024", "2026-12-02T10:00:00+00:00"),)
    assert compare(CLAIM, "in_qpv", "QN01801M", later).differences == (
        "la liste 2024 a été réimportée depuis (import du 02/12/2026 à 10:00)",
    )
    other = compare(CLAIM, "outside", "", (EditionStamp("2030", "x"),))
    assert other.verdict is Verdict.CHANGED
    assert other.differences == (
        "la liste 2024 n'est plus en vigueur ou plus chargée à cette date",
        "la liste 2030 s'applique désormais à cette date",
        "le résultat est aujourd'hui « hors QPV » au lieu de « en QPV (QN01801M) »",
    )


def test_decrees() -> None:
    assert "2023-1314" in decree_for("2024")
    assert "2014-1750" in decree_for("2015")
    assert "fictive" in decree_for("2024", "démonstration — Bellerive")
    assert decree_for("2099") == "non renseigné pour cette édition"
    # La référence enregistrée à l'import fait foi, avant la table des listes nationales.
    assert decree_for("2099", reference="arrêté n° 1 ") == "arrêté n° 1"
    assert decree_for("2024", "démonstration", "arrêté n° 1").startswith("aucun")


def test_no_list_any_more_is_changed_not_outside() -> None:
    result = compare(CLAIM, "vérification impossible (aucune liste)", "", ())
    assert result.verdict is Verdict.CHANGED
    assert "« vérification impossible (aucune liste) » au lieu de" in result.differences[-1]
