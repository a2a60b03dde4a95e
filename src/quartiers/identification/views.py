"""Pages : lancer une identification (fichiers déposés ou jeu réel livré) et explorer la carte."""

from __future__ import annotations

import tempfile
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from quartiers.core.identification import IdentificationError
from quartiers.core.jobs import QueueFull
from quartiers.core.params import ParameterError
from quartiers.identification import services
from quartiers.identification.models import IdentificationRun
from quartiers.jobs.models import Job
from quartiers.jobs.services import JobNotFound, Owner, job_for
from quartiers.jobs.status import percent
from quartiers.zoning.services import ZoningError


def index(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {
        "title": "Identification des quartiers",
        "runs": IdentificationRun.objects.all()[:30],
        "bundled": services.bundled_reunion_grid() is not None,
        "error": None,
    }
    if request.method == "POST":
        try:
            job = _submit_from_request(request)
        except (
            IdentificationError,
            ParameterError,
            services.RunRefused,
            QueueFull,
        ) as exc:
            context["error"] = exc.message if isinstance(exc, QueueFull) else str(exc)
            return render(request, "identification/index.html", context, status=400)
        return redirect("identification:job", token=job.token)
    return render(request, "identification/index.html", context)


def _submit_from_request(request: HttpRequest) -> Job:
    """Lit le formulaire, vérifie le début de la grille, met l'identification en file."""
    overrides = {}
    bridge = request.POST.get("bridge_cells", "").strip()
    if bridge:
        overrides["bridge_cells"] = bridge
    contiguity = request.POST.get("contiguity") or "4"
    if contiguity not in ("4", "8"):
        raise services.RunRefused(f"voisinage « {contiguity} » invalide : 4 ou 8 attendu")
    median = request.POST.get("national_median", "").strip()
    try:
        national = Decimal(median.replace(",", ".").replace(" ", "")) if median else None
    except InvalidOperation:
        raise services.RunRefused(
            f"médiane nationale « {median} » invalide : nombre attendu"
        ) from None
    source = request.POST.get("source", "files")
    with tempfile.TemporaryDirectory(prefix="quartiers-ident-") as tmp:
        files: dict[str, Path] = {}
        for key in services.UPLOADS:
            upload = request.FILES.get(key)
            if upload is None:
                continue
            target = Path(tmp) / (Path(upload.name or key).name or key)
            with open(target, "wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            files[key] = target
        default_name = (
            "La Réunion (RFL 2010), part de ménages pauvres"
            if source == services.SOURCE_REUNION
            else (files["grid"].name if "grid" in files else "identification")
        )
        run_request = services.RunRequest(
            name=request.POST.get("name", "").strip() or default_name,
            source=services.SOURCE_REUNION if source == services.SOURCE_REUNION else "files",
            criterion=request.POST.get("criterion", "median"),
            contiguity=int(contiguity),
            national_median=national,
            overrides=overrides,
        )
        return services.submit_run(run_request, files, Owner.from_request(request))


def job(request: HttpRequest, token: str) -> HttpResponse:
    """L'identification en cours : état, avancement, journal ; le résultat une fois fini."""
    try:
        found = job_for(token, request.user, request.session.session_key)
    except JobNotFound:
        raise Http404("traitement introuvable") from None
    run_id = (found.summary or {}).get("run_id")
    if found.state == "done" and run_id and request.GET.get("suivre") != "0":
        return redirect("identification:detail", pk=run_id)
    return render(
        request,
        "identification/job.html",
        {
            "title": "Identification en cours",
            "job": found,
            "percent": percent(found),
            "events": found.events.all(),
            "run_id": run_id,
        },
    )


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(IdentificationRun, pk=pk)
    quartiers = [a for a in run.aggregates if a["is_quartier"]]
    rejected = [a for a in run.aggregates if not a["is_quartier"]][:200]
    return render(
        request,
        "identification/detail.html",
        {
            "title": run.name,
            "run": run,
            "quartiers": quartiers,
            "rejected": rejected,
        },
    )


@require_POST
def save_edition(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(IdentificationRun, pk=pk)
    try:
        report = services.save_run_as_edition(run, request.POST.get("edition", ""))
    except ZoningError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, report.summary().splitlines()[0])
    return redirect("identification:detail", pk=pk)
