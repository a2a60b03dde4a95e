"""Atlas : périmètres filtrés (région, département, commune, édition, recherche), comptes et
population par territoire, GeoJSON pour la carte, éditions d'un quartier."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import shapely
from django.db.models import Q, QuerySet, Sum

from quartiers.core.geo.zoning import ZoningUnavailable
from quartiers.territories.models import Commune, Department, Region
from quartiers.zoning.models import Perimeter, ZoningEdition
from quartiers.zoning.services import (
    ZoningError,
    editions,
    in_commune,
    normalise_department,
    shown_editions,
)

SIMPLIFY_DEGREES = 0.00005  # environ 5 m : assez fin pour la carte, bien plus léger


@dataclass
class AtlasFilters:
    region: str = ""
    department: str = ""
    commune: str = ""
    edition: str = ""
    q: str = ""

    @classmethod
    def from_query(cls, data: Any) -> AtlasFilters:
        return cls(
            region=(data.get("region") or "").strip(),
            department=(data.get("department") or "").strip(),
            commune=(data.get("commune") or "").strip(),
            edition=(data.get("edition") or "").strip(),
            q=(data.get("q") or "").strip()[:100],
        )

    def query_string(self) -> str:
        from urllib.parse import urlencode

        return urlencode({k: v for k, v in self.__dict__.items() if v})


@dataclass
class AreaRow:
    code: str
    name: str
    count: int = 0
    population: int | None = None  # None : aucun quartier n'a sa population renseignée
    area_population: int | None = None

    def add(self, population: int | None) -> None:
        self.count += 1
        if population is not None:
            self.population = (self.population or 0) + population

    @property
    def share(self) -> float | None:
        if not self.area_population or self.population is None:
            return None
        return self.population / self.area_population

    @property
    def share_percent(self) -> str:
        share = self.share
        return "" if share is None else f"{share * 100:.1f}".replace(".", ",")


@dataclass
class AtlasResult:
    filters: AtlasFilters
    perimeters: QuerySet[Perimeter]
    editions: list[ZoningEdition]
    area_label: str
    areas: list[AreaRow] = field(default_factory=list)
    count: int = 0
    population: int | None = None
    error: str = ""


def qpv_editions() -> list[ZoningEdition]:
    return sorted(editions(), key=lambda e: (-(e.valid_from or dt.date.min).toordinal(), e.edition))


def filtered_perimeters(filters: AtlasFilters) -> tuple[QuerySet[Perimeter], list[ZoningEdition]]:
    """Périmètres de l'édition choisie (défaut : éditions en vigueur aujourd'hui)."""
    shown = shown_editions(edition=filters.edition or None)
    qs = Perimeter.objects.filter(zoning_edition__in=shown).select_related("zoning_edition")
    if filters.region:
        departments = list(
            Department.objects.filter(region__region_code=filters.region).values_list(
                "department_code", flat=True
            )
        )
        qs = qs.filter(Q(region_code=filters.region) | Q(department_code__in=departments))
    if filters.department:
        qs = qs.filter(department_code=normalise_department(filters.department))
    if filters.commune:
        condition = Q(commune_names__icontains=filters.commune)
        for code in commune_codes(filters.commune):
            condition |= in_commune(code)
        qs = qs.filter(condition)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(code__icontains=filters.q))
    return qs.order_by("code"), shown


def in_other_editions(filters: AtlasFilters, shown: list[ZoningEdition]) -> list[Perimeter]:
    """Une recherche vide dans les éditions affichées : les quartiers d'une autre édition qui
    répondent au même code (ou nom), pour la proposer (« QP018901 est dans la liste 2015 »)."""
    if not filters.q:
        return []
    kinds = {e.zoning_kind for e in shown} or {"qpv"}
    return list(
        Perimeter.objects.filter(
            Q(code__iexact=filters.q) | Q(name__icontains=filters.q),
            zoning_edition__zoning_kind__in=kinds,
            zoning_edition__is_simulated=False,
        )
        .exclude(zoning_edition__in=shown)
        .select_related("zoning_edition")
        .order_by("-zoning_edition__valid_from", "code")[:10]
    )


def commune_codes(text: str) -> list[str]:
    """Un code INSEE tel quel, ou les codes des communes dont le nom correspond."""
    text = text.strip()
    if len(text) == 5 and (text.isdigit() or text[:2].upper() in ("2A", "2B")):
        return [text.upper()]
    return list(
        Commune.objects.filter(name__iexact=text, kind="commune-actuelle").values_list(
            "insee_code", flat=True
        )[:20]
    )


def atlas(filters: AtlasFilters) -> AtlasResult:
    """Les périmètres filtrés et leurs comptes par territoire (région, département ou commune)."""
    try:
        qs, shown = filtered_perimeters(filters)
    except (ZoningError, ZoningUnavailable) as exc:
        return AtlasResult(filters, Perimeter.objects.none(), [], "", error=str(exc))
    rows = list(
        qs.values_list("code", "population", "department_code", "region_code", "insee_codes")
    )
    department_names = dict(Department.objects.values_list("department_code", "name"))
    region_of = dict(Department.objects.values_list("department_code", "region__region_code"))
    region_names = dict(Region.objects.values_list("region_code", "name"))
    areas: dict[str, AreaRow] = {}
    if filters.department or filters.commune:
        label = "Commune"
        codes = {c for r in rows for c in r[4]}
        names = {
            c.insee_code: (c.name, c.population)
            for c in Commune.objects.filter(insee_code__in=codes, kind="commune-actuelle")
        }
        for _code, population, _dep, _reg, insee_codes in rows:
            for insee in insee_codes[:1] or ["?"]:
                name, total = names.get(insee, (insee, None))
                area = areas.setdefault(insee, AreaRow(insee, name, area_population=total))
                area.add(population)
    elif filters.region:
        label = "Département"
        totals = _population_by("department__department_code")
        for _code, population, dep, _reg, _insee in rows:
            area = areas.setdefault(
                dep,
                AreaRow(
                    dep, department_names.get(dep, dep or "?"), area_population=totals.get(dep)
                ),
            )
            area.add(population)
    else:
        label = "Région"
        totals = _population_by("region__region_code")
        for _code, population, dep, reg, _insee in rows:
            region = reg or region_of.get(dep, "")
            area = areas.setdefault(
                region,
                AreaRow(
                    region,
                    region_names.get(region, region or "non renseignée"),
                    area_population=totals.get(region),
                ),
            )
            area.add(population)
    result = AtlasResult(filters, qs, shown, label)
    result.areas = sorted(areas.values(), key=lambda a: a.code)
    result.count = len(rows)
    known = [r[1] for r in rows if r[1] is not None]
    result.population = sum(known) if known else None
    return result


def _population_by(key: str) -> dict[str, int]:
    """Population municipale des communes actuelles, sommée par région ou département."""
    rows = (
        Commune.objects.filter(kind="commune-actuelle")
        .values(key)
        .annotate(total=Sum("population"))
        .values_list(key, "total")
    )
    return {code: total for code, total in rows if total}


def feature_collection(perimeters: QuerySet[Perimeter]) -> dict[str, Any]:
    """Les périmètres en GeoJSON (WGS84), simplifiés pour la carte de l'atlas."""
    features = []
    for p in perimeters:
        geom = shapely.simplify(shapely.from_wkb(bytes(p.geometry_wkb)), SIMPLIFY_DEGREES)
        features.append(
            {
                "type": "Feature",
                "id": f"{p.zoning_edition.edition}:{p.code}",
                "properties": {
                    "code": p.code,
                    "name": p.name,
                    "edition": p.zoning_edition.edition,
                    "url": f"/qpv/{p.code}?edition={p.zoning_edition.edition}",
                },
                "geometry": shapely.geometry.mapping(geom),
            }
        )
    return {"type": "FeatureCollection", "features": features}


@dataclass(frozen=True)
class EditionLink:
    edition: str
    code: str
    name: str
    valid_from: Any
    valid_to: Any
    overlap: float  # part de ce périmètre recouverte (0 à 1)
    same_code: bool

    @property
    def overlap_percent(self) -> str:
        return f"{self.overlap * 100:.0f}"


def editions_of(perimeter: Perimeter) -> list[EditionLink]:
    """Les éditions où ce quartier figure : même code, ou périmètre qui le recouvre."""
    geom = shapely.from_wkb(bytes(perimeter.geometry_wkb))
    area = shapely.area(geom) or 1.0
    candidates = (
        Perimeter.objects.filter(zoning_edition__zoning_kind=perimeter.zoning_edition.zoning_kind)
        .filter(
            Q(code=perimeter.code)
            | Q(
                min_lon__lte=perimeter.max_lon,
                max_lon__gte=perimeter.min_lon,
                min_lat__lte=perimeter.max_lat,
                max_lat__gte=perimeter.min_lat,
            )
        )
        .select_related("zoning_edition")
    )
    links = []
    for other in candidates:
        same = other.code == perimeter.code
        shared = shapely.area(
            shapely.intersection(geom, shapely.from_wkb(bytes(other.geometry_wkb)))
        )
        overlap = float(shared / area)
        if same or overlap > 0.01:
            links.append(
                EditionLink(
                    other.zoning_edition.edition,
                    other.code,
                    other.name,
                    other.zoning_edition.valid_from,
                    other.zoning_edition.valid_to,
                    min(1.0, overlap),
                    same,
                )
            )
    links.sort(key=lambda link: (str(link.valid_from or ""), link.code))
    return links
