"""Attestation vérifiable : jeton signé (`django.core.signing`, sel propre) et vérification.

Le jeton porte ce que l'attestation affirme (`quartiers.core.attestation.Claim`) : adresse,
point, date, résultat, listes et leur date d'import. `/attestation/verifier/<jeton>` le relit :
signature fausse → altérée ; sinon le point est relocalisé à la même date dans les listes
chargées aujourd'hui et comparé (`compare`) → valide, ou la liste a changé depuis.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import signing
from django.utils import timezone

from quartiers.addresses.services import STATUS_IN, AddressCheck
from quartiers.core.attestation import Claim, EditionStamp, Verdict, Verification, compare
from quartiers.core.geo.zoning import EditionLike, ZoningUnavailable
from quartiers.zoning.services import locator

SALT = "quartiers.addresses.attestation.v1"


def stamp(edition: EditionLike) -> EditionStamp:
    imported = getattr(edition, "imported_at", None)
    if not isinstance(imported, dt.datetime):
        return EditionStamp(edition.edition, "")
    return EditionStamp(edition.edition, timezone.localtime(imported).isoformat(timespec="seconds"))


def claim_of(check: AddressCheck) -> Claim:
    """Ce qu'affirme l'attestation d'une vérification concluante (jamais « à vérifier »)."""
    if not check.is_conclusive or check.location is None:
        raise ValueError("pas d'attestation pour un résultat qui n'est pas concluant")
    return Claim(
        address=check.query,
        label=check.geocode.label if check.geocode else "",
        lon=check.location.lon,
        lat=check.location.lat,
        on=check.on,
        status=check.status,
        code=(check.location.code or "") if check.status == STATUS_IN else "",
        editions=tuple(stamp(e) for e in check.editions),
        checked_at=check.checked_at.isoformat(timespec="seconds"),
    )


def sign(claim: Claim) -> str:
    return signing.dumps(claim.to_payload(), salt=SALT, compress=True)


def verify(token: str) -> Verification:
    """Valide, altérée (signature ou contenu), ou la liste a changé depuis."""
    try:
        payload: Any = signing.loads(token, salt=SALT)
        claim = Claim.from_payload(payload)
    except (signing.BadSignature, ValueError):
        return Verification(Verdict.ALTERED, None, ("la signature ne correspond pas au contenu",))
    where = locator()
    try:
        editions = [stamp(e) for e in where.select(claim.on)]
        location = where.locate([claim.lon], [claim.lat], claim.on, with_distance=False)[0]
    except ZoningUnavailable as exc:
        return compare(claim, f"vérification impossible ({exc})", "", [])
    code = (location.code or "") if location.status.value == STATUS_IN else ""
    return compare(claim, location.status.value, code, editions)
