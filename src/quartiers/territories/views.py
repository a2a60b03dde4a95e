"""Pages publiques de l'atlas et des fiches de quartier (périmètres rapportés aux territoires)."""

from __future__ import annotations

from urllib.parse import urlencode

import shapely
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from quartiers.core.geo.zoning import ZoningUnavailable
from quartiers.core.geo.zonings import ZoningsAnswer
from quartiers.territories import atlas as atlas_service
from quartiers.territories.models import Department, Region
from quartiers.territories.reference import territories_of
from quartiers.zoning.catalogue import locate_all
from quartiers.zoning.models import Perimeter
from quartiers.zoning.services import ZoningError, perimeter_by_code


@require_GET
def atlas(request: HttpRequest) -> HttpResponse:
    filters = atlas_service.AtlasFilters.from_query(request.GET)
    result = atlas_service.atlas(filters)
    elsewhere = (
        atlas_service.in_other_editions(filters, result.editions)
        if filters.q and not result.error and result.count == 0
        else []
    )
    return render(
        request,
        "territories/atlas.html",
        {
            "title": "Atlas des quartiers prioritaires",
            "result": result,
            "filters": filters,
            "perimeters": result.perimeters[:500],
            "regions": Region.objects.all(),
            "departments": Department.objects.select_related("region"),
            "editions": atlas_service.qpv_editions(),
            "geojson_url": reverse("atlas-geojson") + "?" + filters.query_string(),
            "elsewhere": [
                {
                    "p": p,
                    "atlas_url": reverse("atlas")
                    + "?"
                    + urlencode({"q": filters.q, "edition": p.zoning_edition.edition}),
                    "fiche_url": reverse("qpv-detail", args=[p.code])
                    + "?"
                    + urlencode({"edition": p.zoning_edition.edition}),
                }
                for p in elsewhere
            ],
        },
        status=400 if result.error else 200,
    )


@require_GET
def atlas_geojson(request: HttpRequest) -> JsonResponse:
    filters = atlas_service.AtlasFilters.from_query(request.GET)
    try:
        qs, _shown = atlas_service.filtered_perimeters(filters)
    except (ZoningError, ZoningUnavailable) as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    return JsonResponse(atlas_service.feature_collection(qs))


@require_GET
def qpv_detail(request: HttpRequest, code: str) -> HttpResponse:
    edition = (request.GET.get("edition") or "").strip() or None
    try:
        perimeter = perimeter_by_code(code, edition)
    except (ZoningError, ZoningUnavailable) as exc:
        raise Http404(str(exc)) from exc
    return render(
        request,
        "territories/qpv_detail.html",
        {
            "title": f"{perimeter.code} — {perimeter.name}",
            "perimeter": perimeter,
            "territories": territories_of(perimeter),
            "editions": atlas_service.editions_of(perimeter),
            "geojson_url": f"/api/v1/qpv/{perimeter.code}?edition={perimeter.zoning_edition.edition}",
            "zonings": zonings_of(perimeter),
            "zonings_title": "Autres zonages au cœur du quartier",
        },
    )


def zonings_of(perimeter: Perimeter) -> ZoningsAnswer:
    """Les zonages au point intérieur du périmètre (`point_on_surface`), à une date où son
    édition est en vigueur (ce jour, sinon son dernier jour)."""
    edition = perimeter.zoning_edition
    today = timezone.localdate()
    day = today if edition.is_in_force(today) else (edition.valid_to or edition.valid_from or today)
    point = shapely.point_on_surface(shapely.from_wkb(bytes(perimeter.geometry_wkb)))
    insee = perimeter.insee_codes[0] if len(perimeter.insee_codes) == 1 else None
    return locate_all(point.x, point.y, day, insee)
