"""Pages d'un traitement : état, progression, journal, annulation, résultat (propriétaire seul)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from quartiers.core.jobs import InvalidTransition
from quartiers.jobs import services
from quartiers.jobs.models import Job
from quartiers.jobs.registry import kind_label
from quartiers.jobs.status import percent, status_data


def _job(request: HttpRequest, token: str) -> Job:
    try:
        return services.job_for(token, request.user, request.session.session_key)
    except services.JobNotFound:
        raise Http404("traitement introuvable") from None


@require_GET
def detail(request: HttpRequest, token: str) -> HttpResponse:
    job = _job(request, token)
    return render(
        request,
        "jobs/job.html",
        {
            "title": f"Traitement : {kind_label(job.kind)}",
            "job": job,
            "kind_label": kind_label(job.kind),
            "percent": percent(job),
            "events": job.events.all(),
        },
    )


@require_GET
def status(request: HttpRequest, token: str) -> JsonResponse:
    return JsonResponse(status_data(_job(request, token)))


@require_POST
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    job = _job(request, token)
    try:
        job = services.cancel(job, actor=request.user)
    except InvalidTransition as exc:
        messages.error(request, exc.message)
    else:
        if job.state == "cancelled":
            messages.success(request, "Traitement annulé.")
        else:
            messages.info(
                request, "Annulation demandée : le traitement s'arrête à sa prochaine étape."
            )
    return redirect("jobs:detail", token=job.token)


@require_GET
def result(request: HttpRequest, token: str) -> FileResponse:
    job = _job(request, token)
    path = job.result_file if job.state == "done" else None
    if path is None:
        raise Http404("résultat indisponible")
    return FileResponse(open(path, "rb"), as_attachment=True, filename=job.download_name)
