"""Accueil (les tâches principales, l'état des zonages chargés) et pages obligatoires du pied de
page : accessibilité, mentions légales, données personnelles."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from quartiers.zoning.models import ZoningEdition


def home(request: HttpRequest) -> HttpResponse:
    editions = ZoningEdition.objects.filter(is_simulated=False).order_by("-valid_from")
    return render(request, "web/home.html", {"title": "Accueil", "editions": editions})


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accessibility.html", {"title": "Déclaration d'accessibilité"})


def legal_notice(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/legal_notice.html",
        {"title": "Mentions légales", "publisher": settings.QUARTIERS_PUBLISHER},
    )


def personal_data(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/personal_data.html",
        {
            "title": "Données personnelles",
            "publisher": settings.QUARTIERS_PUBLISHER,
            "retention_days": settings.QUARTIERS_JOBS_RETENTION_DAYS,
            "session_hours": settings.SESSION_COOKIE_AGE // 3600,
        },
    )
