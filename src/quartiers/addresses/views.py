"""Pages publiques : « Mon adresse est-elle en QPV ? », attestation, fichiers d'adresses.

Vues minces : chaque page appelle les services (`services`, `batch`) et formule leurs erreurs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from quartiers.addresses import attestation as certificate
from quartiers.addresses import batch as jobs
from quartiers.addresses.services import AddressCheck, AddressError, locate_address
from quartiers.core.attestation import Verdict, decree_for
from quartiers.core.fr import parse_date
from quartiers.core.geo.geocoding import GeocodingError
from quartiers.core.geo.zoning import ZoningUnavailable
from quartiers.core.geo.zonings import ZoningsAnswer
from quartiers.jobs.models import Job
from quartiers.jobs.services import JobNotFound, Owner, job_for
from quartiers.jobs.status import percent
from quartiers.zoning.catalogue import locate_all
from quartiers.zoning.services import editions_in_force


def _date_from(request: HttpRequest, name: str = "date") -> tuple[dt.date, str]:
    """La date demandée (défaut : ce jour), ou la date du jour et le refus à montrer sur le
    champ : une date invalide n'est jamais remplacée en silence par celle du jour."""
    raw = (request.GET.get(name) or request.POST.get(name) or "").strip()
    today = timezone.localdate()
    if not raw:
        return today, ""
    try:
        return parse_date(raw), ""
    except ValueError:
        return today, (
            f"date « {raw} » invalide : saisissez une date réelle, par exemple "
            f"{today:%d/%m/%Y} ou {today.isoformat()}"
        )


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


def _links(check: AddressCheck) -> dict[str, str]:
    """Liens du résultat : fiche du quartier (ou du plus proche), simulateur avec l'adresse."""
    links: dict[str, str] = {}
    location = check.location
    if location is None:
        return links
    code = location.code if check.in_qpv else location.nearest_code
    if code:
        links["fiche_url"] = reverse("qpv-detail", args=[code])
        links["fiche_code"] = code
    if check.is_conclusive:
        params = {
            "adresse": check.query,
            "lon": repr(location.lon),
            "lat": repr(location.lat),
            "date": check.on.isoformat(),
        }
        links["simulator_url"] = (
            reverse("programmes:simulator", args=["personne"]) + "?" + urlencode(params)
        )
    return links


@require_GET
def address(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()
    day, date_error = _date_from(request)
    # Une date invalide est refusée sur son champ : aucune vérification à une autre date.
    check, refusal = check_address(query, day) if query and not date_error else (None, "")
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
            "date_value": (request.GET.get("date") or "").strip() if date_error else "",
            "date_error": date_error,
            "check": check,
            "refusal": refusal,
            "editions": editions_in_force(on=day),
            "perimeter_code": perimeter_code,
            "zonings": zonings_of(check),
            **(_links(check) if check else {}),
        },
        status=400 if date_error else 200,
    )


def zonings_of(check: AddressCheck | None) -> ZoningsAnswer | None:
    """Tous les zonages de l'adresse reconnue (ZRR par la commune donnée par le géocodeur)."""
    if check is None or check.location is None or not check.is_conclusive:
        return None
    insee = check.geocode.insee_code if check.geocode else None
    return locate_all(check.location.lon, check.location.lat, check.on, insee or None)


@require_GET
def attestation(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()
    if not query:
        return HttpResponseRedirect(reverse("address"))
    day, date_error = _date_from(request)
    check, refusal = (None, date_error) if date_error else check_address(query, day)
    context: dict[str, Any] = {
        "title": "Attestation de localisation",
        "query": query,
        "day": day,
        "check": check,
        "refusal": refusal,
    }
    if check is not None and check.is_conclusive:
        claim = certificate.claim_of(check)
        verify_url = request.build_absolute_uri(
            reverse("attestation-verify", args=[certificate.sign(claim)])
        )
        context.update(
            issuer=settings.QUARTIERS_ATTESTATION_ISSUER
            or f"Quartiers, plateforme ouverte de la politique de la ville ({request.get_host()})",
            verify_url=verify_url,
            qr_code=segno.make(verify_url, error="m").svg_data_uri(scale=3, border=2),
            editions=[
                {"e": e, "decree": decree_for(e.edition, e.source, e.reference)}  # type: ignore[attr-defined]
                for e in check.editions
            ],
            perimeter_code=(check.location.code or check.location.nearest_code or "")
            if check.location
            else "",
        )
    return render(request, "addresses/attestation.html", context, status=400 if date_error else 200)


@require_GET
def attestation_verify(request: HttpRequest, token: str) -> HttpResponse:
    result = certificate.verify(token)
    return render(
        request,
        "addresses/attestation_verify.html",
        {
            "title": "Vérifier une attestation",
            "result": result,
            "claim": result.claim,
            "on": result.claim.on if result.claim else None,
        },
        status=400 if result.verdict is Verdict.ALTERED else 200,
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
                job = jobs.submit_batch_file(
                    upload.chunks(),
                    upload.name or "fichier.csv",
                    batch_request,
                    day if values["date"] else None,
                    Owner.from_request(request),
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


def _job(request: HttpRequest, token: Any) -> Job:
    """Le traitement, pour son propriétaire seulement (404 pour tout autre, même avec le lien)."""
    try:
        return job_for(token, request.user, request.session.session_key)
    except JobNotFound:
        raise Http404("traitement introuvable") from None


@require_GET
def batch_job(request: HttpRequest, token: Any) -> HttpResponse:
    job = _job(request, token)
    name = job.parameters.get("input_name", "")
    return render(
        request,
        "addresses/batch_job.html",
        {
            "title": f"Traitement du fichier {name}",
            "job": job,
            "input_name": name,
            "summary": job.summary or {},
            "percent": percent(job),
            "events": job.events.all(),
            "result_url": reverse("batch-job-result", args=[job.token]),
        },
    )
