"""Cas d'usage des zonages : import tout-ou-rien, liste, localisation à une date.

Les pages, l'API et la ligne de commande passent toutes par ici.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from django.db import connection, transaction
from django.db.models import Q, QuerySet

from quartiers.core.geo import PerimeterRecord, ZoningIndex, read_perimeters
from quartiers.core.geo.batch import (
    BatchSummary,
    FloatArray,
    LocateFn,
    PointAnswer,
    ProgressFn,
    check_coordinates_file,
)
from quartiers.core.geo.crs import local_epsg, transformer
from quartiers.territories.models import Perimeter, ZoningKind, ZoningLayer


class ZoningError(ValueError):
    """Demande refusée sur les zonages, message en français pour l'usager."""


@dataclass(frozen=True)
class ImportReport:
    layer_id: int
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
) -> ImportReport:
    """Importe une édition ; la remplace d'un bloc si elle existe. Rien ne change en cas d'erreur."""
    if zoning_kind not in ZoningKind.values:
        raise ZoningError(
            f"zonage « {zoning_kind} » inconnu ; attendus : " + ", ".join(ZoningKind.values)
        )
    if not edition.strip():
        raise ZoningError("l'édition est obligatoire (ex. « 2015 », « 2024 »)")
    if valid_from and valid_to and valid_to < valid_from:
        raise ZoningError(
            f"période invalide : fin {valid_to:%d/%m/%Y} avant début {valid_from:%d/%m/%Y}"
        )
    parsed = read_perimeters(path, zoning_kind, edition)
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
    """Enregistre des périmètres déjà validés comme une édition (création ou remplacement atomique)."""
    with transaction.atomic():
        existing = ZoningLayer.objects.filter(zoning_kind=zoning_kind, edition=edition).first()
        replaced = existing is not None
        if existing is not None:
            existing.delete()
        layer = ZoningLayer.objects.create(
            zoning_kind=zoning_kind,
            edition=edition,
            valid_from=valid_from,
            valid_to=valid_to,
            is_simulated=is_simulated,
            source=source[:500],
            source_crs=source_crs[:200],
            repaired_count=len(repaired_codes),
        )
        Perimeter.objects.bulk_create([_perimeter_row(layer, r) for r in records], batch_size=500)
    registry.invalidate()
    return ImportReport(
        layer.pk,
        zoning_kind,
        edition,
        len(records),
        list(repaired_codes),
        replaced,
        source_crs,
        reprojected,
    )


def _perimeter_row(layer: ZoningLayer, record: PerimeterRecord) -> Perimeter:
    geom = record.geometry
    min_lon, min_lat, max_lon, max_lat = shapely.bounds(geom)
    return Perimeter(
        layer=layer,
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


def area_m2(geom: Any) -> float:
    """Surface en m², mesurée dans la projection locale du territoire."""
    centre = shapely.centroid(geom)
    tr = transformer(4326, local_epsg(centre.x, centre.y))
    projected = shapely.transform(
        geom, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1]))
    )
    return float(shapely.area(projected))


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


def layers_in_force(
    zoning_kind: str = ZoningKind.QPV, on: dt.date | None = None, edition: str | None = None
) -> list[ZoningLayer]:
    """Couches à utiliser : l'édition demandée, ou toutes les éditions officielles en vigueur à la date.

    Plusieurs éditions peuvent être en vigueur ensemble (en 2024 : la liste 2024 en métropole
    et la liste 2015 outre-mer) ; la plus récente passe devant.
    """
    layers = ZoningLayer.objects.filter(zoning_kind=zoning_kind)
    if edition is not None:
        found = list(layers.filter(edition=edition))
        if not found:
            known = ", ".join(layers.values_list("edition", flat=True)) or "aucune"
            raise ZoningError(f"édition « {edition} » inconnue pour ce zonage (connues : {known})")
        return found
    day = on or dt.date.today()
    in_force = [layer for layer in layers.filter(is_simulated=False) if layer.is_in_force(day)]
    in_force.sort(key=lambda layer: layer.valid_from or dt.date.min, reverse=True)
    return in_force


class IndexRegistry:
    """Index en mémoire par ensemble de couches, reconstruits après chaque import."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[tuple[tuple[int, str], ...], tuple[ZoningIndex, list[ZoningLayer]]] = {}

    def invalidate(self) -> None:
        with self._lock:
            self._cache.clear()

    def get(self, layers: Sequence[ZoningLayer]) -> tuple[ZoningIndex, list[str]]:
        """L'index des couches et, pour chaque périmètre, l'édition d'où il vient."""
        key = tuple((layer.pk, layer.imported_at.isoformat()) for layer in layers)
        with self._lock:
            cached = self._cache.get(key)
        if cached is None:
            records: list[PerimeterRecord] = []
            editions: list[ZoningLayer] = []
            for layer in layers:
                for perimeter in layer.perimeters.all():
                    records.append(record_of(perimeter))
                    editions.append(layer)
            cached = (ZoningIndex(records), editions)
            with self._lock:
                self._cache[key] = cached
        return cached[0], [layer.edition for layer in cached[1]]


registry = IndexRegistry()


@dataclass(frozen=True)
class Location:
    """Réponse pour un point : le périmètre qui le contient, ou le plus proche et sa distance."""

    lon: float
    lat: float
    in_zoning: bool
    code: str | None
    name: str | None
    edition: str | None
    insee_codes: tuple[str, ...]
    commune_names: tuple[str, ...]
    distance_m: float | None
    nearest_code: str | None
    nearest_name: str | None
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "lon": self.lon,
            "lat": self.lat,
            "in_qpv": self.in_zoning,
            "qpv_code": self.code,
            "qpv_name": self.name,
            "edition": self.edition,
            "insee_codes": list(self.insee_codes),
            "commune_names": list(self.commune_names),
            "distance_m": self.distance_m,
            "nearest_qpv_code": self.nearest_code,
            "nearest_qpv_name": self.nearest_name,
            "error": self.error,
        }


def locate_points(
    lons: npt.ArrayLike,
    lats: npt.ArrayLike,
    on: dt.date | None = None,
    edition: str | None = None,
    zoning_kind: str = ZoningKind.QPV,
    with_distance: bool = True,
) -> list[Location]:
    """Localise des points à une date (ou dans une édition) ; distance au plus proche si dehors."""
    layers = layers_in_force(zoning_kind, on, edition)
    if not layers:
        day = (on or dt.date.today()).strftime("%d/%m/%Y")
        raise ZoningError(
            f"aucune édition de ce zonage n'est en vigueur le {day} : "
            "importez-en une (quartiers qpv import)"
        )
    index, editions = registry.get(layers)
    x = np.asarray(lons, dtype=np.float64).ravel()
    y = np.asarray(lats, dtype=np.float64).ravel()
    inside = index.locate_indices(x, y)
    outside = np.flatnonzero(inside < 0)
    nearest_idx = np.full(len(x), -1, dtype=np.int64)
    distances = np.full(len(x), np.nan)
    if with_distance and len(outside):
        nearest_idx[outside], distances[outside] = index.nearest(x[outside], y[outside])
    results = []
    for i in range(len(x)):
        valid = bool(
            np.isfinite(x[i]) and np.isfinite(y[i]) and -180 <= x[i] <= 180 and -90 <= y[i] <= 90
        )
        if not valid:
            results.append(
                Location(
                    float(x[i]),
                    float(y[i]),
                    False,
                    None,
                    None,
                    None,
                    (),
                    (),
                    None,
                    None,
                    None,
                    error="coordonnées invalides : longitude entre -180 et 180, "
                    "latitude entre -90 et 90 attendues",
                )
            )
            continue
        k = int(inside[i])
        if k >= 0:
            p = index.perimeters[k]
            results.append(
                Location(
                    float(x[i]),
                    float(y[i]),
                    True,
                    p.code,
                    p.name,
                    editions[k],
                    p.insee_codes,
                    p.commune_names,
                    0.0,
                    p.code,
                    p.name,
                )
            )
        else:
            j = int(nearest_idx[i])
            near = index.perimeters[j] if j >= 0 else None
            results.append(
                Location(
                    float(x[i]),
                    float(y[i]),
                    False,
                    None,
                    None,
                    None,
                    (),
                    (),
                    None if np.isnan(distances[i]) else round(float(distances[i]), 1),
                    near.code if near else None,
                    near.name if near else None,
                )
            )
    return results


def perimeters(
    zoning_kind: str = ZoningKind.QPV,
    edition: str | None = None,
    on: dt.date | None = None,
    department: str | None = None,
    insee_code: str | None = None,
    search: str | None = None,
) -> QuerySet[Perimeter]:
    """Périmètres filtrés ; par défaut ceux des éditions en vigueur aujourd'hui."""
    if edition is None and on is None:
        layers = layers_in_force(zoning_kind, None, None) or list(
            ZoningLayer.objects.filter(zoning_kind=zoning_kind, is_simulated=False)
        )
    else:
        layers = layers_in_force(zoning_kind, on, edition)
    qs = Perimeter.objects.filter(layer__in=layers).select_related("layer")
    if department:
        qs = qs.filter(department_code=normalise_department(department))
    if insee_code:
        if connection.vendor == "postgresql":
            qs = qs.filter(insee_codes__contains=[insee_code])
        else:  # SQLite : la liste JSON est stockée en texte
            qs = qs.filter(insee_codes__icontains=f'"{insee_code}"')
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return qs.order_by("code")


def perimeter_by_code(
    code: str, edition: str | None = None, zoning_kind: str = ZoningKind.QPV
) -> Perimeter:
    """Le périmètre d'un code (édition la plus récente s'il en existe plusieurs)."""
    qs = Perimeter.objects.filter(code=code.upper(), layer__zoning_kind=zoning_kind)
    if edition:
        qs = qs.filter(layer__edition=edition)
    found = qs.select_related("layer").order_by("-layer__valid_from").first()
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
    """Fonction de localisation pour les traitements par lots : index résolu une seule fois."""
    layers = layers_in_force(zoning_kind, on, edition)
    if not layers:
        day = (on or dt.date.today()).strftime("%d/%m/%Y")
        raise ZoningError(f"aucune édition de ce zonage n'est en vigueur le {day}")
    index, _editions = registry.get(layers)

    def locate(lons: FloatArray, lats: FloatArray) -> list[PointAnswer]:
        inside = index.locate_indices(lons, lats)
        outside = np.flatnonzero(inside < 0)
        distances = np.zeros(len(lons))
        if len(outside):
            distances[outside] = index.distance_m(lons[outside], lats[outside])
        answers = []
        for k, i in enumerate(inside.tolist()):
            if i >= 0:
                p = index.perimeters[i]
                answers.append(PointAnswer(p.code, p.name, 0.0))
            else:
                d = float(distances[k])
                answers.append(PointAnswer(None, None, None if np.isnan(d) else d))
        return answers

    return locate


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
