"""Tous les zonages en base : imports ZRR (communes) et REP/REP+ (écoles), et LA localisation
d'un point dans tous les zonages à une date (`locate_all`), utilisée par l'API
(`GET /api/v1/zonings/locate`), la page d'adresse, la fiche d'un quartier et le simulateur.

Les périmètres (QPV, ZFU-TE, QRR, contours des communes) s'importent comme les QPV
(`quartiers.zoning.services.import_zoning`, `quartiers qpv import --kind zfu_te|qrr|commune`).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from django.utils import timezone

from quartiers.core.geo.zonings import (
    PERIMETER_KINDS,
    ZRR_PRE_FRR_REFERENCE,
    School,
    SchoolList,
    ZoningCatalogue,
    ZoningsAnswer,
    ZrrEntry,
    ZrrList,
    ZrrStatus,
    read_schools,
    read_zrr,
)
from quartiers.zoning.models import PrioritySchool, ZoningEdition, ZoningKind, ZrrCommune
from quartiers.zoning.services import (
    ZoningError,
    editions,
    locator,
    replace_edition,
    validate_rows,
)


@dataclass(frozen=True)
class ListImportReport:
    zoning_kind: str
    edition: str
    count: int
    replaced: bool
    detail: str = ""

    def summary(self) -> str:
        verb = "remplacée" if self.replaced else "créée"
        what = "communes" if self.zoning_kind == "zrr" else "écoles"
        text = (
            f"Édition {self.edition} ({self.zoning_kind}) {verb} : {self.count} {what} importées."
        )
        return f"{text}\n{self.detail}" if self.detail else text


Row = TypeVar("Row", ZrrCommune, PrioritySchool)


def _save_rows(
    kind: str,
    edition: str,
    model: type[Row],
    rows: Sequence[Row],
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    reference: str,
    source: str,
) -> bool:
    """Les lignes d'une liste (communes ZRR, écoles) validées avant toute écriture, puis l'édition
    créée ou remplacée d'un bloc avec elles (`replace_edition`) ; vrai si elle est remplacée."""
    draft = ZoningEdition(zoning_kind=kind, edition=edition)
    for row in rows:
        row.zoning_edition = draft
    validate_rows(rows, source)

    def write(saved: ZoningEdition) -> None:
        for row in rows:
            row.zoning_edition = saved
        model.objects.bulk_create(list(rows), batch_size=2000)

    _saved, replaced = replace_edition(
        kind,
        edition,
        write,
        valid_from=valid_from,
        valid_to=valid_to,
        source=source,
        reference=reference,
    )
    return replaced


def import_zrr(
    path: str | Path,
    edition: str,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    reference: str = "",
    name: str | None = None,
) -> ListImportReport:
    """Le classement ZRR des communes (fixture de les-emplois ou CSV `insee_code;status`), tout
    ou rien : un fichier fautif ne remplace jamais l'édition en place. `reference` : le texte ou
    la liste d'origine ; par défaut, la liste antérieure à la réforme FRR du 1er juillet 2024."""
    entries = read_zrr(path, name)
    return save_zrr(entries, edition, valid_from, valid_to, reference, source=name or str(path))


def save_zrr(
    entries: list[ZrrEntry],
    edition: str,
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    reference: str = "",
    source: str = "",
) -> ListImportReport:
    reference = reference or ZRR_PRE_FRR_REFERENCE
    rows = [ZrrCommune(insee_code=e.insee_code, status=e.status.value) for e in entries]
    replaced = _save_rows(
        ZoningKind.ZRR, edition, ZrrCommune, rows, valid_from, valid_to, reference, source
    )
    counts = {s: sum(1 for e in entries if e.status is s) for s in ZrrStatus}
    detail = (
        f"Classées : {counts[ZrrStatus.CLASSEE]}, non classées : {counts[ZrrStatus.NON_CLASSEE]}, "
        f"partiellement classées : {counts[ZrrStatus.PARTIELLE]}.\nRéférence : {reference}"
    )
    return ListImportReport(ZoningKind.ZRR, edition, len(entries), replaced, detail)


def import_schools(
    path: str | Path,
    edition: str,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    reference: str = "",
    name: str | None = None,
) -> ListImportReport:
    """Les écoles et collèges REP / REP+ d'un CSV `uai;nom;lon;lat;reseau`, tout ou rien."""
    schools = read_schools(path, name)
    return save_schools(schools, edition, valid_from, valid_to, reference, source=name or str(path))


def save_schools(
    schools: list[School],
    edition: str,
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    reference: str = "",
    source: str = "",
) -> ListImportReport:
    rows = [
        PrioritySchool(uai=s.uai, name=s.name, lon=s.lon, lat=s.lat, network=s.network)
        for s in schools
    ]
    replaced = _save_rows(
        ZoningKind.REP, edition, PrioritySchool, rows, valid_from, valid_to, reference, source
    )
    plus = sum(1 for s in schools if s.network == "REP+")
    detail = f"REP+ : {plus}, REP : {len(schools) - plus}."
    return ListImportReport(ZoningKind.REP, edition, len(schools), replaced, detail)


class _ListCache:
    """Listes ZRR et écoles en mémoire par édition, relues après chaque import."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._zrr: dict[tuple[int, str], ZrrList] = {}
        self._schools: dict[tuple[int, str], SchoolList] = {}

    def zrr(self, edition: ZoningEdition) -> ZrrList:
        key = (edition.pk, edition.imported_at.isoformat())
        with self._lock:
            found = self._zrr.get(key)
        if found is None:
            statuses = {
                code: ZrrStatus(status)
                for code, status in ZrrCommune.objects.filter(zoning_edition=edition).values_list(
                    "insee_code", "status"
                )
            }
            found = ZrrList(edition, statuses, edition.reference)
            with self._lock:
                self._zrr = {k: v for k, v in self._zrr.items() if k[0] != edition.pk}
                self._zrr[key] = found
        return found

    def schools(self, edition: ZoningEdition) -> SchoolList:
        key = (edition.pk, edition.imported_at.isoformat())
        with self._lock:
            found = self._schools.get(key)
        if found is None:
            found = SchoolList.of(
                edition,
                [
                    School(s.uai, s.name, s.lon, s.lat, s.network)
                    for s in PrioritySchool.objects.filter(zoning_edition=edition)
                ],
            )
            with self._lock:
                self._schools = {k: v for k, v in self._schools.items() if k[0] != edition.pk}
                self._schools[key] = found
        return found


lists = _ListCache()


def catalogue() -> ZoningCatalogue:
    """Tous les zonages en base (index partagés) : à passer au simulateur comme résolveur, ou à
    interroger par `locate` / `in_zoning`. Un zonage sans édition est simplement absent."""
    present = set(ZoningEdition.objects.values_list("zoning_kind", flat=True).distinct())
    perimeters = {k: locator(k) for k in PERIMETER_KINDS if k in present or k == ZoningKind.QPV}
    communes = locator(ZoningKind.COMMUNE) if ZoningKind.COMMUNE in present else None
    zrr = [lists.zrr(e) for e in editions(ZoningKind.ZRR) if not e.is_simulated]
    schools = [lists.schools(e) for e in editions(ZoningKind.REP) if not e.is_simulated]
    return ZoningCatalogue(perimeters, communes, zrr, schools)


def locate_all(
    lon: float, lat: float, on: dt.date | None = None, insee_code: str | None = None
) -> ZoningsAnswer:
    """Tous les zonages d'un point à une date (défaut : ce jour) et l'école REP/REP+ la plus
    proche. `insee_code` : la commune de l'adresse, quand le géocodeur la donne (ZRR)."""
    if insee_code is not None and not insee_code.strip():
        insee_code = None
    return catalogue().locate(float(lon), float(lat), on or timezone.localdate(), insee_code)


__all__ = [
    "ListImportReport",
    "ZoningError",
    "catalogue",
    "import_schools",
    "import_zrr",
    "locate_all",
]
