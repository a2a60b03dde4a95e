"""Cas d'usage de l'identification : lancer, enregistrer, importer comme édition, comparer.

Le CLI (`quartiers identify`, `quartiers qpv compare`) et les pages passent par ici ; la méthode
elle-même vit dans `quartiers.core.identification`.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import shapely
from django.conf import settings
from django.db import transaction

from quartiers.core.geo import PerimeterRecord
from quartiers.core.identification import IdentificationResult, RunOptions, run
from quartiers.core.identification.outputs import aggregate_rows, polygons, to_wgs84
from quartiers.core.identification.report import svg_map
from quartiers.identification.models import IdentificationRun
from quartiers.zoning.services import ImportReport, ZoningError, save_records

MAX_STORED_REJECTED = 3000


def shared_data_dir() -> Path:
    return Path(
        os.environ.get(
            "QUARTIERS_SHARED_DATA", Path(settings.PROJECT_DIR).parent / "shared" / "data"
        )
    )


def bundled_reunion_grid() -> Path | None:
    """La grille réelle de La Réunion (RFL 2010) quand `../shared/data` est présent."""
    path = shared_data_dir() / "grid_rfl2010_reunion" / "reunion_rfl2010_200m.csv"
    return path if path.exists() else None


def result_records(result: IdentificationResult) -> list[PerimeterRecord]:
    """Les quartiers trouvés, sous forme de périmètres WGS84 prêts à importer."""
    quartiers = result.quartiers
    geoms = to_wgs84(polygons(result, quartiers), result.grid.crs)
    records = []
    for q, geom in zip(quartiers, geoms, strict=True):
        department = (
            q.communes[0][:3]
            if q.communes and q.communes[0].startswith("97")
            else (q.communes[0][:2] if q.communes else None)
        )
        records.append(
            PerimeterRecord(
                code=q.code,
                name=f"Quartier simulé {q.code}",
                geometry=geom,
                insee_codes=q.communes,
                department_code=department,
                uu_code=q.territory[:5] if q.territory != "GRILLE" else None,
                population=round(q.population),
            )
        )
    return records


def save_result_as_edition(
    result: IdentificationResult,
    edition: str,
    source: str,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> ImportReport:
    """Importe les quartiers trouvés comme édition simulée du zonage QPV (jamais « en vigueur »)."""
    if not edition.strip():
        raise ZoningError("nom d'édition obligatoire (ex. SIM-2024-A)")
    return save_records(
        result_records(result),
        edition.strip(),
        "qpv",
        valid_from,
        valid_to,
        is_simulated=True,
        source=f"identification : {source}",
    )


def store_run(result: IdentificationResult, name: str) -> IdentificationRun:
    """Enregistre un résultat pour l'explorer sur le web."""
    quartiers = result.quartiers
    rejected = sorted(result.rejected, key=lambda a: -a.population)[:MAX_STORED_REJECTED]
    aggregates = []
    for group in (quartiers, rejected):
        rows = aggregate_rows(result, group)
        for i in range(len(group)):
            aggregates.append({k: v[i] for k, v in rows.items()})
    records = result_records(result)
    geojson = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": r.code, "population": r.population},
                "geometry": shapely.geometry.mapping(r.geometry),
            }
            for r in records
        ],
    }
    thresholds = [
        {
            "uu_code": t.uu_code,
            "population": t.population,
            "eligible": t.eligible,
            "low_income_threshold": None
            if t.low_income_threshold is None
            else str(t.low_income_threshold),
            "detail": t.formula or t.reason,
        }
        for t in result.thresholds.values()
    ]
    with transaction.atomic():
        return IdentificationRun.objects.create(
            name=name[:200],
            criterion=result.criterion,
            source=result.grid.source[:500],
            estimated=result.estimated,
            parameters=[
                {"name": n, "value": v, "reference": r, "overridden": o}
                for n, v, r, o in result.params.describe()
            ],
            warnings=result.warnings,
            status_counts=result.status_counts(),
            thresholds=thresholds,
            aggregates=aggregates,
            quartiers_geojson=geojson,
            map_svg=svg_map(result, interactive=True),
            quartier_count=len(quartiers),
            rejected_count=len(result.rejected),
        )


def run_and_store(options: RunOptions, name: str) -> IdentificationRun:
    return store_run(run(options), name)


def save_run_as_edition(run_obj: IdentificationRun, edition: str) -> ImportReport:
    """Importe les quartiers d'une identification enregistrée comme édition simulée."""
    records = []
    for feature in run_obj.quartiers_geojson.get("features", []):
        props = feature["properties"]
        detail: dict[str, Any] = next(
            (a for a in run_obj.aggregates if a["code"] == props["code"]), {}
        )
        communes = tuple(c for c in str(detail.get("insee_codes", "")).split(",") if c)
        records.append(
            PerimeterRecord(
                code=props["code"],
                name=f"Quartier simulé {props['code']}",
                geometry=shapely.geometry.shape(feature["geometry"]),
                insee_codes=communes,
                population=props.get("population"),
            )
        )
    if not edition.strip():
        raise ZoningError("nom d'édition obligatoire (ex. SIM-2024-A)")
    return save_records(
        records,
        edition.strip(),
        "qpv",
        None,
        None,
        is_simulated=True,
        source=f"identification n° {run_obj.pk}",
    )
