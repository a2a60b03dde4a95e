"""Refus, dès l'entrée, des caractères nuls (U+0000) dans l'adresse, la requête ou un corps JSON.

PostgreSQL refuse le caractère nul dans un texte (`DataError` → 500) là où SQLite l'accepte : un
`?q=%00` ferait donc tomber une page ou l'API sur une base et pas sur l'autre. Aucun usage
légitime n'en a besoin ; les fichiers envoyés (multipart) ne sont pas inspectés ici.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.views.defaults import bad_request

from quartiers.web import api_errors

NUL_MESSAGE = "caractère nul (U+0000) interdit dans la requête"


def has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path:
        return True
    if b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
        return True
    content_type = request.content_type or ""
    if content_type == "application/json":
        body = request.body
        return b"\x00" in body or b"\\u0000" in body
    if content_type == "application/x-www-form-urlencoded":
        return b"\x00" in unquote_to_bytes(request.body)
    return False


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if has_nul(request):
            if api_errors.is_api_path(request.path):
                return api_errors.error_response(400, NUL_MESSAGE)
            return bad_request(request, SuspiciousOperation(NUL_MESSAGE))
        return self.get_response(request)
