"""Attestation vérifiable de localisation d'une adresse (Python pur, sans framework).

Ce qu'une attestation affirme (`Claim`) : l'adresse saisie et reconnue, le point, la date de
référence, le résultat (code du quartier ou « hors QPV »), les listes consultées avec leur date
d'import, l'heure de la vérification. Elle se transmet signée (la porte web signe et vérifie la
signature) ; `compare` dit ensuite si la même vérification, refaite aujourd'hui sur les listes
chargées, donne toujours la même réponse :

- `VALID` : mêmes listes (édition et date d'import), même résultat ;
- `CHANGED` : une liste a été réimportée, remplacée ou retirée depuis, ou le résultat diffère ;
- `ALTERED` : la signature ne correspond pas (décidé par la porte, jamais ici).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# Listes nationales des quartiers prioritaires et leur décret (le texte qui fait foi).
DECREES = {
    "2015": (
        "décret n° 2014-1750 du 30 décembre 2014 (départements métropolitains) et "
        "décret n° 2014-1751 du 30 décembre 2014 (outre-mer)"
    ),
    "2024": (
        "décret n° 2023-1314 du 28 décembre 2023 (départements métropolitains) et "
        "décret n° 2023-1315 du 28 décembre 2023 (outre-mer)"
    ),
}
DEMO_MARK = "démonstration"


def decree_for(edition: str, source: str = "", reference: str = "") -> str:
    """Le texte qui fixe la liste : la référence enregistrée avec l'édition à son import
    (`quartiers qpv import --reference`), sinon les décrets connus des listes nationales ;
    « liste fictive » pour la démonstration."""
    if DEMO_MARK in source.lower():
        return "aucun : liste fictive de démonstration"
    if reference.strip():
        return reference.strip()
    return DECREES.get(edition, "non renseigné pour cette édition")


@dataclass(frozen=True)
class EditionStamp:
    """Une liste consultée : son édition et l'instant de son import dans cette instance."""

    edition: str
    imported_at: str  # ISO 8601, « » si inconnu


@dataclass(frozen=True)
class Claim:
    """Ce que l'attestation affirme, tel qu'il est signé."""

    address: str
    label: str
    lon: float
    lat: float
    on: dt.date
    status: str  # in_qpv, outside
    code: str  # code du quartier, « » hors QPV
    editions: tuple[EditionStamp, ...]
    checked_at: str  # ISO 8601

    def to_payload(self) -> dict[str, Any]:
        """Clés courtes : le jeton tient dans un QR code lisible."""
        return {
            "a": self.address,
            "l": self.label,
            "x": round(self.lon, 7),
            "y": round(self.lat, 7),
            "d": self.on.isoformat(),
            "s": self.status,
            "c": self.code,
            "e": [[e.edition, e.imported_at] for e in self.editions],
            "t": self.checked_at,
        }

    @classmethod
    def from_payload(cls, data: Mapping[str, Any]) -> Claim:
        """`ValueError` si le contenu (pourtant signé) n'a pas la forme attendue."""
        try:
            return cls(
                address=str(data["a"]),
                label=str(data["l"]),
                lon=float(data["x"]),
                lat=float(data["y"]),
                on=dt.date.fromisoformat(str(data["d"])),
                status=str(data["s"]),
                code=str(data["c"]),
                editions=tuple(EditionStamp(str(e), str(t)) for e, t in data["e"]),
                checked_at=str(data["t"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"contenu d'attestation illisible : {exc}") from None


class Verdict(StrEnum):
    VALID = "valid"
    CHANGED = "changed"
    ALTERED = "altered"


VERDICT_LABELS = {
    Verdict.VALID: "Attestation valide",
    Verdict.CHANGED: "La liste a changé depuis l'attestation",
    Verdict.ALTERED: "Attestation altérée ou invalide",
}


@dataclass(frozen=True)
class Verification:
    verdict: Verdict
    claim: Claim | None
    differences: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.verdict]


def when(iso: str) -> str:
    """« 2026-12-02T11:00:00+01:00 » → « 02/12/2026 à 11:00 » (heure écrite dans le jeton)."""
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso or "date inconnue"
    return f"{moment:%d/%m/%Y} à {moment:%H:%M}"


def _result_text(status: str, code: str) -> str:
    if status == "in_qpv":
        return f"en QPV ({code})"
    return "hors QPV" if status == "outside" else status


def compare(
    claim: Claim, status_now: str, code_now: str, editions_now: Sequence[EditionStamp]
) -> Verification:
    """La vérification refaite aujourd'hui (mêmes point et date) confirme-t-elle l'attestation ?"""
    differences: list[str] = []
    before = {e.edition: e.imported_at for e in claim.editions}
    now = {e.edition: e.imported_at for e in editions_now}
    for edition in sorted(before.keys() - now.keys()):
        differences.append(f"la liste {edition} n'est plus en vigueur ou plus chargée à cette date")
    for edition in sorted(now.keys() - before.keys()):
        differences.append(f"la liste {edition} s'applique désormais à cette date")
    for edition in sorted(before.keys() & now.keys()):
        if before[edition] != now[edition]:
            differences.append(
                f"la liste {edition} a été réimportée depuis (import du {when(now[edition])})"
            )
    if (status_now, code_now) != (claim.status, claim.code):
        differences.append(
            f"le résultat est aujourd'hui « {_result_text(status_now, code_now)} » au lieu de "
            f"« {_result_text(claim.status, claim.code)} »"
        )
    verdict = Verdict.CHANGED if differences else Verdict.VALID
    return Verification(verdict, claim, tuple(differences))
