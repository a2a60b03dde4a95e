"""Pages publiques : « Mon adresse est-elle en QPV ? », attestation, lots, atlas, fiches.

Vues minces : chaque page appelle les services (`address`, `jobs`, `atlas`, `reference`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from quartiers.territories import atlas as atlas_service
from quartiers.territories import jobs
from quartiers.territories.address import check_address
from quartiers.territories.models import Department, Job, JobStatus, Region
from quartiers.territories.reference import territories_of
from quartiers.territories.services import ZoningError, layers_in_force, perimeter_by_code


def _map_context() -> dict[str, str]:
    return {
        "tiles_url": settings.QUARTIERS_MAP_TILES_URL,
        "tiles_attribution": settings.QUARTIERS_MAP_ATTRIBUTION,
    }


def _date_from(request: HttpRequest, name: str = "date") -> tuple[dt.date, str]:
    raw = (request.GET.get(name) or request.POST.get(name) or "").strip()
    today = timezone.localdate()
    if not raw:
        return today, ""
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(raw, fmt).date(), ""
        except ValueError:
            continue
    return today, f"date « {raw} » invalide : attendu JJ/MM/AAAA ; la date du jour est utilisée"


@require_GET
def address(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()
    day, date_error = _date_from(request)
    check = check_address(query, day) if query else None
    perimeter_code = ""
    if check and check.location:
        perimeter_code = check.location.code or check.location.nearest_code or ""
    return render(
        request,
        "territories/address.html",
        {
            "title": "Mon adresse est-elle en QPV ?",
            "query": query,
            "day": day,
            "date_error": date_error,
            "check": check,
            "layers": layers_in_force(on=day),
            "perimeter_code": perimeter_code,
            **_map_context(),
        },
    )


@require_GET
def attestation(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()
    if not query:
        return HttpResponseRedirect(reverse("address"))
    day, date_error = _date_from(request)
    return render(
        request,
        "territories/attestation.html",
        {
            "title": "Attestation de localisation",
            "check": check_address(query, day),
            "date_error": date_error,
        },
    )


@require_http_methods(["GET", "POST"])
def batch(request: HttpRequest) -> HttpResponse:
    errors: list[str] = []
    values = {
        "kind": jobs.KIND_ADDRESSES,
        "address_cols": "",
        "lon_col": "lon",
        "lat_col": "lat",
        "date": "",
    }
    if request.method == "POST":
        values = {k: (request.POST.get(k) or "").strip() for k in values}
        batch_request = jobs.BatchRequest(
            kind=jobs.KIND_COORDINATES
            if values["kind"] == jobs.KIND_COORDINATES
            else jobs.KIND_ADDRESSES,
            address_columns=tuple(
                c.strip() for c in values["address_cols"].split(",") if c.strip()
            ),
            lon_col=values["lon_col"],
            lat_col=values["lat_col"],
        )
        day, date_error = _date_from(request)
        upload = request.FILES.get("file")
        if date_error:
            errors.append(date_error)
        if upload is None:
            errors.append("choisissez un fichier CSV à envoyer")
        if batch_request.kind == jobs.KIND_COORDINATES and not (
            values["lon_col"] and values["lat_col"]
        ):
            errors.append("indiquez les noms des colonnes de longitude et de latitude")
        if upload is not None and upload.size and upload.size > jobs.max_bytes():
            errors.append(
                f"fichier « {upload.name} » trop volumineux : {jobs.human_size(upload.size)}, "
                f"au plus {jobs.human_size(jobs.max_bytes())}"
            )
        if not errors and upload is not None:
            try:
                job = jobs.create_job(
                    upload.chunks(),
                    upload.name or "fichier.csv",
                    batch_request,
                    day if values["date"] else None,
                )
            except jobs.UploadError as exc:
                errors.append(str(exc))
            else:
                return HttpResponseRedirect(reverse("batch-job", args=[job.token]))
    return render(
        request,
        "territories/batch.html",
        {
            "title": "Vérifier un fichier d'adresses",
            "errors": errors,
            "values": values,
            "max_size": jobs.human_size(jobs.max_bytes()),
        },
        status=400 if errors else 200,
    )


def _job(token: Any) -> Job:
    return get_object_or_404(Job, token=token)


@require_GET
def batch_job(request: HttpRequest, token: Any) -> HttpResponse:
    job = _job(token)
    return render(
        request,
        "territories/batch_job.html",
        {"title": f"Traitement du fichier {job.input_name}", "job": job, "percent": _percent(job)},
    )


def _percent(job: Job) -> int:
    return 100 if job.status == JobStatus.DONE else int(job.progress * 100)


@require_GET
def batch_job_status(request: HttpRequest, token: Any) -> JsonResponse:
    job = _job(token)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "percent": _percent(job),
            "rows": job.rows,
            "finished": job.status in (JobStatus.DONE, JobStatus.FAILED),
        }
    )


@require_GET
def batch_job_result(request: HttpRequest, token: Any) -> FileResponse:
    job = _job(token)
    if job.status != JobStatus.DONE:
        raise Http404("résultat pas encore disponible")
    stem = job.input_name.rsplit(".", 1)[0] or "fichier"
    return FileResponse(
        open(job.result_path, "rb"),  # FileResponse ferme le fichier
        as_attachment=True,
        filename=f"{stem}-qpv.csv",
        content_type="text/csv; charset=utf-8",
    )


@require_GET
def atlas(request: HttpRequest) -> HttpResponse:
    filters = atlas_service.AtlasFilters.from_query(request.GET)
    result = atlas_service.atlas(filters)
    return render(
        request,
        "territories/atlas.html",
        {
            "title": "Atlas des quartiers prioritaires",
            "result": result,
            "filters": filters,
            "perimeters": result.perimeters[:500],
            "regions": Region.objects.all(),
            "departments": Department.objects.select_related("region"),
            "editions": atlas_service.qpv_layers(),
            "geojson_url": reverse("atlas-geojson") + "?" + filters.query_string(),
            **_map_context(),
        },
        status=400 if result.error else 200,
    )


@require_GET
def atlas_geojson(request: HttpRequest) -> JsonResponse:
    filters = atlas_service.AtlasFilters.from_query(request.GET)
    try:
        qs, _layers = atlas_service.filtered_perimeters(filters)
    except ZoningError as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    return JsonResponse(atlas_service.feature_collection(qs))


@require_GET
def qpv_detail(request: HttpRequest, code: str) -> HttpResponse:
    edition = (request.GET.get("edition") or "").strip() or None
    try:
        perimeter = perimeter_by_code(code, edition)
    except ZoningError as exc:
        raise Http404(str(exc)) from exc
    return render(
        request,
        "territories/qpv_detail.html",
        {
            "title": f"{perimeter.code} — {perimeter.name}",
            "perimeter": perimeter,
            "territories": territories_of(perimeter),
            "editions": atlas_service.editions_of(perimeter),
            "geojson_url": f"/api/v1/qpv/{perimeter.code}?edition={perimeter.layer.edition}",
            **_map_context(),
        },
    )
