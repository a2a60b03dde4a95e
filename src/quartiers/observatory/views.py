"""Pages de l'observatoire : la fiche quartier (page, CSV, PDF) et le rapport annuel d'un territoire
(page, CSV ; PDF produit en arrière-plan)."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from quartiers.core.jobs import JobFailure, QueueFull
from quartiers.jobs import services as jobs
from quartiers.observatory import documents, services
from quartiers.observatory import report as reports
from quartiers.observatory.job_kinds import REPORT_KIND


def _download(body: str | bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def profile(request: HttpRequest, code: str) -> HttpResponse:
    try:
        context = documents.profile_context(code)
    except services.ObservatoryError as exc:
        raise Http404(str(exc)) from exc
    return render(request, "observatory/profile.html", context)


@require_GET
def profile_csv(request: HttpRequest, code: str) -> HttpResponse:
    try:
        body = documents.profile_csv(code)
    except services.ObservatoryError as exc:
        raise Http404(str(exc)) from exc
    return _download(body, "text/csv; charset=utf-8", f"fiche-{code.upper()}.csv")


@require_GET
def profile_pdf(request: HttpRequest, code: str) -> HttpResponse:
    try:
        body = documents.profile_pdf(code)
    except reports.PdfUnavailable as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    except services.ObservatoryError as exc:
        raise Http404(str(exc)) from exc
    return _download(body, "application/pdf", f"fiche-{code.upper()}.pdf")


def _chosen(request: HttpRequest) -> tuple[str, int]:
    data = request.POST if request.method == "POST" else request.GET
    territory = (data.get("territoire") or "fr").strip()
    raw = (data.get("annee") or "").strip()
    if raw and not raw.isdigit():
        raise services.ObservatoryError(f"année « {raw} » : un nombre attendu, ex. 2024")
    return territory, int(raw) if raw else dt.date.today().year


@require_GET
def report(request: HttpRequest) -> HttpResponse:
    try:
        built = reports.build_report(*_chosen(request))
    except services.ObservatoryError as exc:
        raise Http404(str(exc)) from exc
    return render(request, "observatory/report.html", documents.report_context(built))


@require_GET
def report_csv(request: HttpRequest) -> HttpResponse:
    try:
        built = reports.build_report(*_chosen(request))
    except services.ObservatoryError as exc:
        raise Http404(str(exc)) from exc
    name = f"rapport-{built.territory.key.replace(':', '-')}-{built.year}.csv"
    return _download(reports.report_csv(built), "text/csv; charset=utf-8", name)


@require_POST
def report_pdf(request: HttpRequest) -> HttpResponse:
    """Met le PDF du rapport en file (traitement `observatory_report`) et mène à sa page."""
    try:
        territory, year = _chosen(request)
        chosen = reports.parse_territory(territory)
        job = jobs.submit(
            REPORT_KIND,
            jobs.Owner.from_request(request),
            parameters={"territory": chosen.key, "year": year},
            message=f"Rapport {chosen.title} {year} demandé.",
        )
    except QueueFull as exc:
        return HttpResponse(exc.message, status=429, content_type="text/plain; charset=utf-8")
    except (services.ObservatoryError, JobFailure) as exc:
        raise Http404(str(exc)) from exc
    return redirect("jobs:detail", token=job.token)
