"""Pages publiques : « Mon adresse est-elle en QPV ? », attestation, fichiers d'adresses.

Vues minces : chaque page appelle les services (`services`, `batch`) et formule leurs erreurs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

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

from quartiers.addresses import batch as jobs
from quartiers.addresses.models import Job, JobStatus
from quartiers.addresses.services import AddressCheck, AddressError, locate_address
from quartiers.core.fr import parse_date
from quartiers.core.geo.geocoding import GeocodingError
from quartiers.core.geo.zoning import ZoningUnavailable
from quartiers.zoning.services import editions_in_force


def _date_from(request: HttpRequest, name: str = "date") -> tuple[dt.date, str]:
    raw = (request.GET.get(name) or request.POST.get(name) or "").strip()
    today = timezone.localdate()
    if not raw:
        return today, ""
    try:
        return parse_date(raw), ""
    except ValueError as exc:
        return today, f"{exc} ; la date du jour est utilisée"


def check_address(query: str, day: dt.date) -> tuple[AddressCheck | None, str]:
    """La vérification pour la page, ou la raison en français de ne pas pouvoir la faire."""
    try:
        return locate_address(query, on=day), ""
    except ZoningUnavailable as exc:
        return None, f"{exc} dans cette base"
    except AddressError as exc:
        return None, str(exc)
    except GeocodingError as exc:
        return None, f"vérification impossible : {exc}"


@require_GET
def address(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()
    day, date_error = _date_from(request)
    check, refusal = check_address(query, day) if query else (None, "")
    perimeter_code = ""
    if check and check.location:
        perimeter_code = check.location.code or check.location.nearest_code or ""
    return render(
        request,
        "addresses/address.html",
        {
            "title": "Mon adresse est-elle en QPV ?",
            "query": query,
            "day": day,
            "date_error": date_error,
            "check": check,
            "refusal": refusal,
            "editions": editions_in_force(on=day),
            "perimeter_code": perimeter_code,
        },
    )


@require_GET
def attestation(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()
    if not query:
        return HttpResponseRedirect(reverse("address"))
    day, date_error = _date_from(request)
    check, refusal = check_address(query, day)
    return render(
        request,
        "addresses/attestation.html",
        {
            "title": "Attestation de localisation",
            "query": query,
            "day": day,
            "check": check,
            "refusal": refusal,
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
        "addresses/batch.html",
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
        "addresses/batch_job.html",
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
