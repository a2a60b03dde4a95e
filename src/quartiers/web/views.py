"""Accueil : ce que l'on peut faire, et l'état des zonages chargés."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from quartiers.zoning.models import ZoningEdition


def home(request: HttpRequest) -> HttpResponse:
    editions = ZoningEdition.objects.filter(is_simulated=False).order_by("-valid_from")
    return render(request, "web/home.html", {"title": "Accueil", "editions": editions})
