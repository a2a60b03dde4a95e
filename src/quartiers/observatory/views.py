"""Pages de l'observatoire : le profil chiffré d'un quartier (valeurs, rangs, écarts, sources)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from quartiers.observatory import services


@require_GET
def profile(request: HttpRequest, code: str) -> HttpResponse:
    try:
        found = services.profile(code)
    except services.ObservatoryError as exc:
        raise Http404(str(exc)) from exc
    vintages: dict[tuple[str, str, int], list[services.IndicatorValue]] = {}
    for item in found.values:
        vintages.setdefault((item.source, item.theme, item.year), []).append(item)
    return render(
        request,
        "observatory/profile.html",
        {
            "title": f"{found.code} — indicateurs",
            "profile": found,
            "vintages": [
                {"source": s, "theme": t, "year": y, "values": v}
                for (s, t, y), v in vintages.items()
            ],
        },
    )
