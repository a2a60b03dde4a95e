"""URLs de test : celles du projet, plus des vues qui échouent exprès (pages d'erreur, API)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path
from ninja import NinjaAPI
from ninja.security import HttpBearer

from quartiers.urls import handler500
from quartiers.urls import urlpatterns as project_urls
from quartiers.web import api_errors


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("panne exprès : secret-interne-123")


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("requête douteuse exprès")


def denied(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("refus exprès")


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> str | None:
        return token if token == "bon-jeton" else None


test_api = NinjaAPI(title="API de test", urls_namespace="api-test", docs_url=None)
api_errors.install(test_api)


@test_api.get("/boom")
def api_boom(request: HttpRequest) -> dict[str, str]:
    raise ValueError("panne exprès : secret-interne-456")


@test_api.get("/protected", auth=TokenAuth())
def api_protected(request: HttpRequest) -> dict[str, str]:
    return {"ok": "oui"}


urlpatterns = [
    path("boom", boom),
    path("suspect", suspicious),
    path("interdit", denied),
    path("api/test/", test_api.urls),
    *project_urls,
]

__all__ = ["handler500", "urlpatterns"]
