"""Limite d'envoi de `/adresse/lot` appliquée PENDANT la réception du corps, pas après.

Deux gardes, posées par `BatchUploadLimitMiddleware` avant que quiconque lise le corps :
- un `Content-Length` annoncé au-delà de `QUARTIERS_BATCH_MAX_BYTES` (plus la marge des champs
  du formulaire) est refusé tout de suite, sans lire un octet du corps ;
- sinon, `LimitedUploadHandler` compte les octets du fichier au fil des morceaux reçus et
  arrête la lecture (`StopUpload`) dès que la limite est franchie.
Dans les deux cas, la page du formulaire revient en 413 avec le message français.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse

from quartiers.addresses import batch as jobs

# Les champs du formulaire (type, colonnes, date, jeton CSRF) et les en-têtes multipart.
FORM_MARGIN_BYTES = 64 * 1024
TOO_LARGE_FLAG = "_quartiers_upload_too_large"


def too_large_message(size: int | None = None, name: str | None = None) -> str:
    shown = f" : {jobs.human_size(size)} annoncés" if size else ""
    which = f"fichier « {name} »" if name else "fichier"
    return (
        f"{which} trop volumineux{shown}, au plus {jobs.human_size(jobs.max_bytes())} ; "
        "découpez-le ou utilisez « quartiers qpv check-file »"
    )


class LimitedUploadHandler(FileUploadHandler):
    """Laisse passer les morceaux tant que le fichier reste sous la limite, puis coupe."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > jobs.max_bytes():
            if self.request is not None:
                setattr(self.request, TOO_LARGE_FLAG, self.file_name or "")
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> Any:
        return None  # les gestionnaires suivants (mémoire, disque) gardent le fichier


def _refused(request: HttpRequest, size: int | None, name: str | None = None) -> HttpResponse:
    response = render(
        request,
        "addresses/batch.html",
        {
            "title": "Vérifier un fichier d'adresses",
            "errors": [too_large_message(size, name)],
            "values": {
                "kind": jobs.KIND_ADDRESSES,
                "address_cols": "",
                "lon_col": "lon",
                "lat_col": "lat",
                "date": "",
            },
            "max_size": jobs.human_size(jobs.max_bytes()),
        },
        status=413,
    )
    response["Connection"] = "close"  # le reste du corps ne sera pas lu
    return response


class BatchUploadLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method != "POST" or request.path != reverse("batch"):
            return self.get_response(request)
        try:
            announced = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            announced = 0
        if announced > jobs.max_bytes() + FORM_MARGIN_BYTES:
            return _refused(request, announced)
        request.upload_handlers.insert(0, LimitedUploadHandler(request))
        request.FILES  # noqa: B018 — lecture du corps ici, sous la garde du gestionnaire
        stopped = getattr(request, TOO_LARGE_FLAG, None)
        if stopped is not None:
            return _refused(request, None, stopped or None)
        return self.get_response(request)
