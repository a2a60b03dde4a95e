"""Pages : lancer une identification (fichiers déposés ou jeu réel livré) et explorer la carte."""

from __future__ import annotations

import tempfile
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from quartiers.core.identification import IdentificationError, RunOptions
from quartiers.core.params import ParameterError
from quartiers.identification import services
from quartiers.identification.models import IdentificationRun
from quartiers.zoning.services import ZoningError

UPLOADS = ("grid", "urban_units", "uu_composition", "incomes")


def index(request: HttpRequest) -> HttpResponse:
    context = {
        "title": "Identification des quartiers",
        "runs": IdentificationRun.objects.all()[:30],
        "bundled": services.bundled_reunion_grid() is not None,
        "error": None,
    }
    if request.method == "POST":
        try:
            run = _run_from_request(request)
        except (IdentificationError, ParameterError, ValueError) as exc:
            context["error"] = str(exc)
            return render(request, "identification/index.html", context, status=400)
        return redirect("identification:detail", pk=run.pk)
    return render(request, "identification/index.html", context)


def _run_from_request(request: HttpRequest) -> IdentificationRun:
    criterion = request.POST.get("criterion", "median")
    contiguity = int(request.POST.get("contiguity") or 4)
    overrides = {}
    bridge = request.POST.get("bridge_cells", "").strip()
    if bridge:
        overrides["bridge_cells"] = bridge
    if request.POST.get("source") == "reunion":
        grid = services.bundled_reunion_grid()
        if grid is None:
            raise ValueError("le jeu réel de La Réunion est absent (../shared/data)")
        options = RunOptions(
            grid=grid, criterion="poor-share", contiguity=contiguity, overrides=overrides
        )
        return services.run_and_store(options, "La Réunion (RFL 2010), part de ménages pauvres")
    if "grid" not in request.FILES:
        raise ValueError("déposez une grille (CSV, GeoPackage ou Parquet)")
    with tempfile.TemporaryDirectory(prefix="quartiers-ident-") as tmp:
        paths: dict[str, Path | None] = {}
        for key in UPLOADS:
            upload = request.FILES.get(key)
            if upload is None:
                paths[key] = None
                continue
            target = Path(tmp) / Path(upload.name or key).name
            with open(target, "wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            paths[key] = target
        assert paths["grid"] is not None
        median = request.POST.get("national_median", "").strip()
        try:
            national = Decimal(median.replace(",", ".")) if median else None
        except InvalidOperation:
            raise ValueError(f"médiane nationale « {median} » invalide : nombre attendu") from None
        options = RunOptions(
            grid=paths["grid"],
            urban_units=paths["urban_units"],
            uu_composition=paths["uu_composition"],
            incomes=paths["incomes"],
            national_median=national,
            criterion=criterion,
            contiguity=contiguity,
            overrides=overrides,
        )
        name = request.POST.get("name", "").strip() or paths["grid"].name
        return services.run_and_store(options, name)


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
