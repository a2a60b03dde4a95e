"""Routes : pages web, API REST (OpenAPI sur /api/docs), administration."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from quartiers.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
    path("", include("quartiers.web.urls")),
    path("", include("quartiers.addresses.urls")),
    path("comptes/", include("quartiers.accounts.urls")),
    path("", include("quartiers.territories.urls")),
    path("", include("quartiers.identification.urls")),
    path("", include("quartiers.programmes.urls")),
    path("", include("quartiers.observatory.urls")),
    path("", include("quartiers.jobs.urls")),
    path("", include("quartiers.funding.urls")),
]

handler500 = "quartiers.web.errors.server_error"
