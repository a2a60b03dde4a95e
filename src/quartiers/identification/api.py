"""API des identifications enregistrées : liste, détail (agrégats expliqués), quartiers en GeoJSON."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from quartiers.identification.models import IdentificationRun

router = Router(tags=["Identification"])


class RunOut(Schema):
    id: int
    name: str
    criterion: str
    source: str
    estimated: bool
    quartier_count: int
    rejected_count: int
    created_at: str


def _run_out(run: IdentificationRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "name": run.name,
        "criterion": run.criterion,
        "source": run.source,
        "estimated": run.estimated,
        "quartier_count": run.quartier_count,
        "rejected_count": run.rejected_count,
        "created_at": run.created_at.isoformat(),
    }


def _get(pk: int) -> IdentificationRun:
    run = IdentificationRun.objects.filter(pk=pk).first()
    if run is None:
        raise HttpError(404, f"identification n° {pk} inconnue")
    return run


@router.get("/runs", response=list[RunOut], summary="Identifications enregistrées")
def list_runs(request: HttpRequest) -> list[dict[str, Any]]:
    return [_run_out(r) for r in IdentificationRun.objects.all()[:200]]


@router.get("/runs/{pk}", summary="Une identification : paramètres, seuils, agrégats expliqués")
def run_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    run = _get(pk)
    return {
        **_run_out(run),
        "warnings": run.warnings,
        "parameters": run.parameters,
        "thresholds": run.thresholds,
        "status_counts": run.status_counts,
        "aggregates": run.aggregates,
    }


@router.get("/runs/{pk}/quartiers.geojson", summary="Les quartiers trouvés (GeoJSON WGS84)")
def run_geojson(request: HttpRequest, pk: int) -> dict[str, Any]:
    return dict(_get(pk).quartiers_geojson)
