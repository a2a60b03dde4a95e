"""Cas d'usage de l'identification : lancer, enregistrer, importer comme édition, comparer.

Le CLI (`quartiers identify`, `quartiers qpv compare`) et les pages passent par ici ; la méthode
elle-même vit dans `quartiers.core.identification`.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import shapely
from django.conf import settings
from django.db import transaction

from quartiers.core.geo import PerimeterRecord
from quartiers.core.identification import IdentificationError, IdentificationResult, RunOptions, run
from quartiers.core.identification.grid import read_grid
from quartiers.core.identification.outputs import aggregate_rows, polygons, to_wgs84
from quartiers.core.identification.report import svg_map
from quartiers.core.jobs import JobFailure
from quartiers.core.params import ParameterError
from quartiers.identification.models import IdentificationRun
from quartiers.jobs import services as jobs
from quartiers.jobs.models import Job
from quartiers.jobs.registry import JobContext
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


# --------------------------------------------------------------------------- en arrière-plan
JOB_KIND = "identification"
UPLOADS = ("grid", "urban_units", "uu_composition", "incomes")
PRECHECK_LINES = (
    2000  # début d'une grille CSV relu avant la mise en file : erreurs de format vues tout de suite
)
SOURCE_REUNION = "reunion"


class RunRefused(ValueError):
    """Demande refusée avant toute mise en file (message en français)."""


@dataclass(frozen=True)
class RunRequest:
    """Ce que l'usager demande : jeu livré ou ses fichiers, critère, voisinage, surcharges."""

    name: str
    source: str = "files"
    criterion: str = "median"
    contiguity: int = 4
    national_median: Decimal | None = None
    overrides: Mapping[str, str] = field(default_factory=dict)

    def parameters(self) -> dict[str, Any]:
        return {
            "name": self.name[:200],
            "source": self.source,
            "criterion": self.criterion,
            "contiguity": self.contiguity,
            "national_median": None if self.national_median is None else str(self.national_median),
            "overrides": dict(self.overrides),
        }


def precheck_grid(path: Path) -> None:
    """Relit le début d'une grille CSV : un fichier mal formé est refusé avant la mise en file
    (`IdentificationError`, avec le fichier, la ligne et le champ), le reste l'est par le travailleur."""
    if path.suffix.lower() not in (".csv", ".txt"):
        return
    with tempfile.TemporaryDirectory(prefix="quartiers-ident-") as tmp:
        sample = Path(tmp) / path.name
        with open(path, "rb") as source, open(sample, "wb") as out:
            for number, line in enumerate(source):
                if number > PRECHECK_LINES:
                    break
                out.write(line)
        try:
            read_grid(sample)
        except IdentificationError as exc:  # nommer le fichier envoyé, pas le dossier temporaire
            raise IdentificationError(path.name, exc.detail, exc.row, exc.field) from None


def submit_run(request: RunRequest, files: Mapping[str, Path], owner: jobs.Owner) -> Job:
    """Met l'identification en file ; le jeu réel de La Réunion est lu sur place."""
    if request.source == SOURCE_REUNION:
        if bundled_reunion_grid() is None:
            raise RunRefused("le jeu réel de La Réunion est absent (../shared/data)")
        files = {}
    elif "grid" not in files:
        raise RunRefused("déposez une grille (CSV, GeoPackage ou Parquet)")
    else:
        precheck_grid(files["grid"])
    return jobs.submit(
        JOB_KIND,
        owner,
        request.parameters(),
        dict(files),
        message=f"Identification « {request.name} » demandée.",
    )


def run_from_job(ctx: JobContext) -> dict[str, Any]:
    """Dans un travailleur : lit les fichiers, identifie (avec l'avancement), enregistre."""
    params = ctx.parameters
    median = params.get("national_median")
    if params["source"] == SOURCE_REUNION:
        grid = bundled_reunion_grid()
        if grid is None:
            raise JobFailure("le jeu réel de La Réunion est absent (../shared/data)")
        options = RunOptions(
            grid=grid,
            criterion="poor-share",
            contiguity=int(params["contiguity"]),
            overrides=params.get("overrides") or {},
        )
    else:
        inputs = {key: ctx.inputs.get(key) for key in UPLOADS}
        grid_path = inputs["grid"]
        assert grid_path is not None
        options = RunOptions(
            grid=grid_path,
            urban_units=inputs["urban_units"],
            uu_composition=inputs["uu_composition"],
            incomes=inputs["incomes"],
            national_median=Decimal(median) if median else None,
            criterion=params["criterion"],
            contiguity=int(params["contiguity"]),
            overrides=params.get("overrides") or {},
        )
    ctx.progress(0.02, "lecture des fichiers")

    def progress(done: int, total: int) -> None:
        ctx.progress(0.1 + 0.8 * done / max(1, total), f"étape {done} sur {total}")

    try:
        result = run(options, progress=progress)
    except (IdentificationError, ParameterError, ValueError) as exc:
        raise JobFailure(str(exc)) from exc
    ctx.progress(0.95, "enregistrement du résultat")
    stored = store_run(result, params["name"])
    return {
        "run_id": stored.pk,
        "quartiers": stored.quartier_count,
        "rejected": stored.rejected_count,
        "message": f"{stored.quartier_count} quartier(s) retenu(s), "
        f"{stored.rejected_count} agrégat(s) rejeté(s).",
    }
