"""Cas d'usage des zonages : import tout-ou-rien, liste, localisation à une date, comparaison.

Les pages, l'API et la ligne de commande passent toutes par ici.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import math
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy.typing as npt
import shapely
from django.conf import settings
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Q, QuerySet

from quartiers.core.geo import PerimeterRecord, Problem, ZoningFileError, read_perimeters
from quartiers.core.geo.batch import BatchSummary, LocateFn, ProgressFn, check_coordinates_file
from quartiers.core.geo.perimeters import area_m2
from quartiers.core.geo.zoning import (
    DatedLocator,
    Location,
    Unavailability,
    ZoningSnapshot,
    ZoningUnavailable,
)
from quartiers.core.identification.compare import Comparison, compare
from quartiers.zoning.models import Perimeter, ZoningEdition, ZoningKind


class ZoningError(ValueError):
    """Demande d'import ou de consultation refusée, message en français pour l'usager."""


@dataclass(frozen=True)
class ImportReport:
    edition_id: int
    zoning_kind: str
    edition: str
    count: int
    repaired_codes: list[str]
    replaced: bool
    source_crs: str
    reprojected: bool

    def summary(self) -> str:
        verb = "remplacée" if self.replaced else "créée"
        lines = [
            f"Édition {self.edition} ({self.zoning_kind}) {verb} : {self.count} périmètres importés.",
            f"Système de coordonnées d'origine : {self.source_crs}"
            + (" (reprojeté en WGS84)." if self.reprojected else "."),
            f"Géométries invalides réparées : {len(self.repaired_codes)}"
            + (
                f" ({', '.join(self.repaired_codes[:12])}"
                + ("…" if len(self.repaired_codes) > 12 else "")
                + ")"
                if self.repaired_codes
                else ""
            ),
        ]
        return "\n".join(lines)


def import_zoning(
    path: str | Path,
    edition: str,
    zoning_kind: str = ZoningKind.QPV,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    is_simulated: bool = False,
    layer: str | None = None,
) -> ImportReport:
    """Importe une édition ; la remplace d'un bloc si elle existe. Rien ne change en cas d'erreur
    (`ZoningFileError` ou `ZoningError`, en français) ; `layer` : couche d'un GeoPackage."""
    if zoning_kind not in ZoningKind.values:
        raise ZoningError(
            f"zonage « {zoning_kind} » inconnu ; attendus : " + ", ".join(ZoningKind.values)
        )
    _check_edition(edition, valid_from, valid_to)
    parsed = read_perimeters(path, zoning_kind, edition, layer)
    return save_records(
        parsed.records,
        edition,
        zoning_kind,
        valid_from,
        valid_to,
        is_simulated,
        source=str(path),
        source_crs=parsed.source_crs,
        repaired_codes=parsed.repaired_codes,
        reprojected=parsed.reprojected,
    )


def _check_edition(edition: str, valid_from: dt.date | None, valid_to: dt.date | None) -> None:
    if not edition.strip():
        raise ZoningError("l'édition est obligatoire (ex. « 2015 », « 2024 »)")
    limit = ZoningEdition._meta.get_field("edition").max_length or 0
    if len(edition) > limit or "\x00" in edition:
        raise ZoningError(f"édition « {edition[:40]} » : au plus {limit} caractères imprimables")
    if valid_from and valid_to and valid_to < valid_from:
        raise ZoningError(
            f"période invalide : fin {valid_to:%d/%m/%Y} avant début {valid_from:%d/%m/%Y}"
        )


# Bornes des entiers telles que PostgreSQL les impose (SQLite en accepte davantage) : le même
# fichier reçoit la même réponse sur les deux bases.
INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "SmallIntegerField": (-32_768, 32_767),
    "IntegerField": (-2_147_483_648, 2_147_483_647),
    "BigIntegerField": (-9_223_372_036_854_775_808, 9_223_372_036_854_775_807),
    "PositiveSmallIntegerField": (0, 32_767),
    "PositiveIntegerField": (0, 2_147_483_647),
    "PositiveBigIntegerField": (0, 9_223_372_036_854_775_807),
}


def field_problem(model_field: Any, value: Any) -> str | None:
    """Pourquoi la base refuserait cette valeur pour ce champ (longueur, caractère NUL, entier
    hors bornes, nombre non fini), ou None ; vérifié avant toute écriture."""
    if value is None:
        return None if model_field.null else "valeur obligatoire absente"
    if isinstance(model_field, models.CharField | models.TextField):
        text = str(value)
        if "\x00" in text:
            return "caractère NUL interdit"
        limit = model_field.max_length
        if limit is not None and len(text) > limit:
            return f"{len(text)} caractères, au plus {limit}"
        return None
    if isinstance(model_field, models.JSONField):
        items = value if isinstance(value, list | tuple) else [value]
        if any("\x00" in str(v) for v in items):
            return "caractère NUL interdit"
        return None
    internal = model_field.get_internal_type()
    if internal in INTEGER_RANGES:
        low, high = INTEGER_RANGES[internal]
        if isinstance(value, float) and not math.isfinite(value):
            return f"{value} n'est pas un nombre fini"
        if not low <= int(value) <= high:
            return f"{value} hors des bornes acceptées ({low} à {high})"
        return None
    if isinstance(model_field, models.FloatField) and not math.isfinite(float(value)):
        return f"{value} n'est pas un nombre fini"
    return None


def validate_rows(rows: Sequence[models.Model], shown: str) -> None:
    """Chaque champ de chaque ligne comme la base l'accepterait ; `ZoningFileError` sinon (tous
    les problèmes, objet et champ nommés), avant toute écriture."""
    problems: list[Problem] = []
    for i, row in enumerate(rows):
        for model_field in row._meta.concrete_fields:
            if model_field.primary_key or model_field.is_relation:
                continue
            problem = field_problem(model_field, getattr(row, model_field.attname))
            if problem is not None:
                code = getattr(row, "code", "")
                problems.append(
                    Problem(
                        f"{model_field.verbose_name} : {problem}"
                        + (f" (code « {str(code)[:40]} »)" if code else ""),
                        i + 1,
                        model_field.name,
                    )
                )
            if len(problems) >= 200:
                raise ZoningFileError(shown, problems)
    if problems:
        raise ZoningFileError(shown, problems)


def _lock_wait_seconds() -> float:
    return float(getattr(settings, "QUARTIERS_IMPORT_LOCK_WAIT_SECONDS", 120))


@contextlib.contextmanager
def edition_lock(zoning_kind: str, edition: str, wait: float | None = None) -> Iterator[None]:
    """Une seule importation à la fois par édition, entre processus : la suivante attend (au plus
    `wait` secondes) puis est refusée en français. Sur PostgreSQL, un verrou consultatif de la
    transaction sert aussi entre machines (`save_records`)."""
    from quartiers.var import var_dir

    wait = _lock_wait_seconds() if wait is None else wait
    name = hashlib.sha256(f"{zoning_kind}\x00{edition}".encode()).hexdigest()[:24]
    path = var_dir("locks") / f"zoning-{name}.lock"
    with open(path, "a+b") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError as exc:
                if time.monotonic() >= deadline:
                    raise ZoningError(
                        f"une autre importation de l'édition « {edition} » ({zoning_kind}) est "
                        f"en cours depuis plus de {wait:.0f} s : attendez qu'elle se termine, "
                        "puis relancez la commande"
                    ) from exc
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _advisory_key(zoning_kind: str, edition: str) -> int:
    digest = hashlib.sha256(f"zoning\x00{zoning_kind}\x00{edition}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def save_records(
    records: Sequence[PerimeterRecord],
    edition: str,
    zoning_kind: str,
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    is_simulated: bool,
    source: str,
    source_crs: str = "EPSG:4326",
    repaired_codes: Sequence[str] = (),
    reprojected: bool = False,
) -> ImportReport:
    """Enregistre des périmètres déjà validés comme une édition (création ou remplacement atomique).

    Chaque champ est vérifié contre ce que la base accepte avant d'écrire ; deux importations
    de la même édition sont mises en file (`edition_lock`). Aucune erreur de la base n'atteint
    l'usager : `ZoningFileError` (objet et champ) ou `ZoningError`, en français."""
    _check_edition(edition, valid_from, valid_to)
    draft = ZoningEdition(zoning_kind=zoning_kind, edition=edition)
    rows = [_perimeter_row(draft, r) for r in records]
    validate_rows(rows, source)

    def write(saved: ZoningEdition) -> None:
        for row in rows:
            row.zoning_edition = saved
        Perimeter.objects.bulk_create(rows, batch_size=500)

    saved, replaced = replace_edition(
        zoning_kind,
        edition,
        write,
        valid_from=valid_from,
        valid_to=valid_to,
        is_simulated=is_simulated,
        source=source,
        source_crs=source_crs,
        repaired_count=len(repaired_codes),
    )
    registry.invalidate()
    return ImportReport(
        saved.pk,
        zoning_kind,
        edition,
        len(records),
        list(repaired_codes),
        replaced,
        source_crs,
        reprojected,
    )


def replace_edition(
    zoning_kind: str,
    edition: str,
    write: Callable[[ZoningEdition], None],
    *,
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    is_simulated: bool = False,
    source: str = "",
    source_crs: str = "",
    repaired_count: int = 0,
    reference: str = "",
) -> tuple[ZoningEdition, bool]:
    """Crée ou remplace d'un bloc une édition, puis `write(édition)` écrit son contenu (périmètres,
    communes, écoles), dans la même transaction : tout ou rien. Deux importations de la même
    édition sont mises en file (`edition_lock`, verrou consultatif sur PostgreSQL) ; aucune
    erreur de la base n'atteint l'usager (`ZoningError`, en français)."""
    _check_edition(edition, valid_from, valid_to)
    with edition_lock(zoning_kind, edition):
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute(
                            "SELECT pg_advisory_xact_lock(%s)",
                            [_advisory_key(zoning_kind, edition)],
                        )
                existing = ZoningEdition.objects.filter(
                    zoning_kind=zoning_kind, edition=edition
                ).first()
                replaced = existing is not None
                if existing is not None:
                    existing.delete()
                saved = ZoningEdition.objects.create(
                    zoning_kind=zoning_kind,
                    edition=edition,
                    valid_from=valid_from,
                    valid_to=valid_to,
                    is_simulated=is_simulated,
                    source=source[:500],
                    reference=reference[:500],
                    source_crs=source_crs[:200],
                    repaired_count=repaired_count,
                )
                write(saved)
        except DatabaseError as exc:
            raise ZoningError(
                f"la base a refusé l'édition « {edition} » ({zoning_kind}), rien n'a changé : "
                + (
                    "une autre importation écrit en même temps, relancez dans un instant"
                    if "locked" in str(exc) or "duplicate" in str(exc) or "UNIQUE" in str(exc)
                    else f"{type(exc).__name__}"
                )
            ) from exc
    registry.invalidate()
    return saved, replaced


def _perimeter_row(zoning_edition: ZoningEdition, record: PerimeterRecord) -> Perimeter:
    geom = record.geometry
    min_lon, min_lat, max_lon, max_lat = shapely.bounds(geom)
    return Perimeter(
        zoning_edition=zoning_edition,
        code=record.code,
        name=record.name,
        insee_codes=list(record.insee_codes),
        commune_names=list(record.commune_names),
        department_code=record.department_code or "",
        region_code=record.region_code or "",
        epci_siren=record.epci_siren or "",
        uu_code=record.uu_code or "",
        population=record.population,
        geometry_wkb=shapely.to_wkb(geom),
        min_lon=min_lon,
        min_lat=min_lat,
        max_lon=max_lon,
        max_lat=max_lat,
        area_m2=area_m2(geom),
    )


def record_of(perimeter: Perimeter) -> PerimeterRecord:
    """Le périmètre stocké, sous la forme du cœur (géométrie décodée)."""
    return PerimeterRecord(
        code=perimeter.code,
        name=perimeter.name,
        geometry=shapely.from_wkb(bytes(perimeter.geometry_wkb)),
        insee_codes=tuple(perimeter.insee_codes),
        commune_names=tuple(perimeter.commune_names),
        department_code=perimeter.department_code or None,
        region_code=perimeter.region_code or None,
        epci_siren=perimeter.epci_siren or None,
        uu_code=perimeter.uu_code or None,
        population=perimeter.population,
    )


def editions(zoning_kind: str = ZoningKind.QPV) -> list[ZoningEdition]:
    """Toutes les éditions d'un zonage (officielles et simulées)."""
    return list(ZoningEdition.objects.filter(zoning_kind=zoning_kind))


def editions_in_force(
    zoning_kind: str = ZoningKind.QPV, on: dt.date | None = None, edition: str | None = None
) -> list[ZoningEdition]:
    """L'édition demandée, ou les éditions officielles en vigueur à la date, la plus récente
    d'abord (règle unique : `quartiers.core.geo.zoning.editions_in_force`). Liste vide si rien
    n'est en vigueur ; `ZoningUnavailable` pour une édition inconnue."""
    try:
        return locator(zoning_kind).select(on, edition)  # type: ignore[return-value]
    except ZoningUnavailable as exc:
        if exc.reason is Unavailability.NO_EDITION_IN_FORCE:
            return []
        raise


class SnapshotRegistry:
    """Index en mémoire par ensemble d'éditions, reconstruits après chaque import."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[tuple[tuple[int, str], ...], ZoningSnapshot] = {}

    def invalidate(self) -> None:
        with self._lock:
            self._cache.clear()

    def get(self, chosen: Sequence[ZoningEdition]) -> ZoningSnapshot:
        key = tuple((e.pk, e.imported_at.isoformat()) for e in chosen)
        with self._lock:
            cached = self._cache.get(key)
        if cached is None:
            cached = ZoningSnapshot.of_records(
                [(e.edition, [record_of(p) for p in e.perimeters.all()]) for e in chosen]
            )
            with self._lock:
                self._cache[key] = cached
        return cached


registry = SnapshotRegistry()


def locator(zoning_kind: str = ZoningKind.QPV) -> DatedLocator:
    """Le localisateur daté sur les éditions en base (index partagés par `registry`)."""
    return DatedLocator(editions(zoning_kind), registry.get)


def locate_points(
    lons: npt.ArrayLike,
    lats: npt.ArrayLike,
    on: dt.date | None = None,
    edition: str | None = None,
    zoning_kind: str = ZoningKind.QPV,
    with_distance: bool = True,
) -> list[Location]:
    """Localise des points à une date (ou dans une édition) ; distance au plus proche si dehors."""
    return locator(zoning_kind).locate(lons, lats, on, edition, with_distance)


def shown_editions(
    zoning_kind: str = ZoningKind.QPV, edition: str | None = None, on: dt.date | None = None
) -> list[ZoningEdition]:
    """Les éditions à montrer (liste, atlas) : celle demandée, celles en vigueur à la date ; sans
    rien de précisé, celles en vigueur aujourd'hui, ou à défaut toutes les officielles."""
    if edition is None and on is None:
        return editions_in_force(zoning_kind) or [
            e for e in editions(zoning_kind) if not e.is_simulated
        ]
    return editions_in_force(zoning_kind, on, edition)


def perimeters(
    zoning_kind: str = ZoningKind.QPV,
    edition: str | None = None,
    on: dt.date | None = None,
    department: str | None = None,
    insee_code: str | None = None,
    search: str | None = None,
) -> QuerySet[Perimeter]:
    """Périmètres filtrés ; par défaut ceux des éditions en vigueur aujourd'hui."""
    chosen = shown_editions(zoning_kind, edition, on)
    qs = Perimeter.objects.filter(zoning_edition__in=chosen).select_related("zoning_edition")
    if department:
        qs = qs.filter(department_code=normalise_department(department))
    if insee_code:
        qs = qs.filter(in_commune(insee_code))
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return qs.order_by("code")


def in_commune(insee_code: str) -> Q:
    """Condition « le périmètre touche cette commune », sur PostgreSQL comme sur SQLite."""
    if connection.vendor == "postgresql":
        return Q(insee_codes__contains=[insee_code])
    return Q(insee_codes__icontains=f'"{insee_code}"')  # SQLite : liste JSON stockée en texte


def perimeter_by_code(
    code: str, edition: str | None = None, zoning_kind: str = ZoningKind.QPV
) -> Perimeter:
    """Le périmètre d'un code (édition la plus récente s'il en existe plusieurs)."""
    qs = Perimeter.objects.filter(code=code.upper(), zoning_edition__zoning_kind=zoning_kind)
    if edition:
        qs = qs.filter(zoning_edition__edition=edition)
    found = qs.select_related("zoning_edition").order_by("-zoning_edition__valid_from").first()
    if found is None:
        raise ZoningError(
            f"aucun périmètre de code « {code} »"
            + (f" dans l'édition {edition}" if edition else "")
        )
    return found


def normalise_department(code: str) -> str:
    """`031` → `31`, `2a` → `2A`, `974` → `974` : la forme des codes INSEE de département."""
    code = code.strip().upper()
    if len(code) == 3 and code.startswith("0"):
        return code[1:]
    return code.zfill(2) if code.isdigit() and len(code) == 1 else code


def point_locator(
    on: dt.date | None = None, edition: str | None = None, zoning_kind: str = ZoningKind.QPV
) -> LocateFn:
    """Fonction de localisation pour les fichiers : index résolu une seule fois."""
    snapshot = locator(zoning_kind).snapshot(on, edition)
    return snapshot.locate


def check_coordinates(
    in_path: str | Path,
    out_path: str | Path,
    lon_col: str,
    lat_col: str,
    on: dt.date | None = None,
    edition: str | None = None,
    progress: ProgressFn | None = None,
) -> BatchSummary:
    """Fichier CSV de coordonnées → même fichier avec le QPV de chaque ligne."""
    return check_coordinates_file(
        in_path, out_path, lon_col, lat_col, point_locator(on, edition), progress=progress
    )


def compare_editions(
    edition_a: str, edition_b: str, zoning_kind: str = ZoningKind.QPV
) -> Comparison:
    """Compare deux éditions (A : référence, B : simulation) périmètre par périmètre."""
    by_name = {e.edition: e for e in editions(zoning_kind)}
    chosen = []
    for name in (edition_a, edition_b):
        if name not in by_name:
            raise ZoningUnavailable(
                Unavailability.UNKNOWN_EDITION, edition=name, known=tuple(by_name)
            )
        chosen.append([record_of(p) for p in by_name[name].perimeters.all()])
    return compare(chosen[0], chosen[1], edition_a, edition_b)
