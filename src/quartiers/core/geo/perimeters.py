"""Lecture des fichiers officiels de périmètres (QPV et autres zonages).

Formats : GeoJSON, GeoPackage, Shapefile (dossier ou .zip), GeoParquet. Les noms de propriétés
des fichiers officiels 2015 (`code_qp`/`CODE_QP`, `nom_qp`, `commune_qp`) et 2024 (`code_qp`,
`lib_qp`, `insee_com`…) sont reconnus ; le CRS est détecté et les géométries reprojetées en
WGS84 ; les géométries invalides sont réparées (`make_valid`, parties polygonales gardées) et
comptées. Tout ou rien : la moindre erreur refuse le fichier entier (référence des formats :
`reference/geography.md` §4 et §5).
"""

from __future__ import annotations

import json
import math
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import shapely.errors
from pyproj import CRS
from pyproj.exceptions import CRSError

from quartiers.core.geo.crs import (
    METROPOLE,
    TERRITORIES,
    WGS84,
    Territory,
    is_wgs84,
    local_epsg,
    transformer,
)
from quartiers.core.geo.errors import Problem, ZoningFileError

SUPPORTED_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".parquet", ".geoparquet")

# Alias de propriétés, par ordre de préférence (comparaison insensible à la casse).
ALIASES: Mapping[str, tuple[str, ...]] = {
    "code": ("code_qp", "code_quartier", "code_zonage", "code"),
    "name": ("nom_qp", "lib_qp", "nom_quartier", "libelle", "nom", "name"),
    "insee_codes": (
        "insee_com",
        "insee_code",
        "code_commune",
        "code_insee",
        "depcom",
        "codgeo",
        "insee_codes",
    ),
    "commune_names": ("commune_qp", "lib_com", "nom_commune", "communes"),
    "department_code": ("insee_dep", "code_departement", "department_code", "code_dep", "dep"),
    "region_code": ("insee_reg", "code_region", "region_code", "code_reg", "reg"),
    "epci_siren": ("siren_epci", "epci_siren", "code_epci", "epci"),
    "uu_code": ("uu_code", "uu2020", "code_uu"),
    "population": ("population", "pop_mun", "pop", "p20_pop", "pop_2020"),
}

QP_2015 = re.compile(r"^QP(\d{3}|02[AB])\d{3}$")
# Format ANCT « QN » + DDD + RR + lettre : département sur 3 caractères, rang sur 2, une lettre.
QN_2024 = re.compile(r"^QN(\d{3}|02[AB])\d{2}[A-Z]$")
FREE_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
_SPLIT = re.compile(r"[,;|/ ]+")

# Territoires français (emprises larges de `crs`) : un périmètre doit tomber dans l'un d'eux.
FRENCH_TERRITORIES: tuple[Territory, ...] = (METROPOLE, *TERRITORIES)
# Tolérance (degrés) autour des emprises : domaine de validité d'un CRS, territoire d'un périmètre.
MARGIN_DEG = 0.5
# Département d'outre-mer → son territoire (les autres départements sont en métropole).
_OVERSEAS = {
    "971": "Guadeloupe",
    "972": "Guadeloupe",
    "977": "Guadeloupe",
    "978": "Guadeloupe",
    "973": "Guyane",
    "974": "La Réunion",
    "975": "Saint-Pierre-et-Miquelon",
    "976": "Mayotte",
    "987": "Polynésie",
    "988": "Nouvelle-Calédonie",
}
# CRS que l'on reconnaît à leurs valeurs, dans l'ordre où on les propose.
CRS_GUESSES: tuple[tuple[int, str], ...] = (
    (2154, "Lambert-93"),
    (27572, "Lambert II étendu"),
    (3857, "Web Mercator (pseudo-Mercator)"),
    (5490, "UTM 20 N (Antilles)"),
    (2972, "UTM 22 N (Guyane)"),
    (2975, "UTM 40 S (La Réunion)"),
    (4471, "UTM 38 S (Mayotte)"),
    (4467, "UTM 21 N (Saint-Pierre-et-Miquelon)"),
    (4326, "WGS84 en degrés (longitude, latitude)"),
)


def code_pattern(zoning_kind: str, edition: str) -> tuple[re.Pattern[str], str]:
    """Format attendu des codes pour un zonage et une édition, avec sa description en français."""
    if zoning_kind == "qpv" and edition == "2015":
        return QP_2015, "« QP » + département sur 3 caractères + 3 chiffres (ex. QP031007)"
    if zoning_kind == "qpv" and edition.isdigit() and int(edition) >= 2024:
        return (
            QN_2024,
            "« QN » + département sur 3 caractères + 2 chiffres + 1 lettre (ex. QN07511M)",
        )
    return FREE_CODE, "1 à 32 lettres, chiffres, « _ », « . » ou « - »"


def department_from_code(code: str) -> str | None:
    """Département tiré d'un code QP/QN : `QP031007` → `31`, `QN97414I` → `974`, `QP02A001` → `2A`."""
    match = re.match(r"^Q[PN](\d{3}|02[AB])", code)
    if not match:
        return None
    dep = match.group(1)
    if dep.startswith("97"):
        return dep
    return dep[1:]


@dataclass(frozen=True)
class PerimeterRecord:
    """Un périmètre d'un zonage : identité, rattachements et géométrie WGS84 (valide)."""

    code: str
    name: str
    geometry: Any  # shapely Polygon ou MultiPolygon, en WGS84
    insee_codes: tuple[str, ...] = ()
    commune_names: tuple[str, ...] = ()
    department_code: str | None = None
    region_code: str | None = None
    epci_siren: str | None = None
    uu_code: str | None = None
    population: int | None = None

    def properties(self) -> dict[str, Any]:
        """Attributs sans la géométrie, prêts pour JSON."""
        return {
            "code": self.code,
            "name": self.name,
            "insee_codes": list(self.insee_codes),
            "commune_names": list(self.commune_names),
            "department_code": self.department_code,
            "region_code": self.region_code,
            "epci_siren": self.epci_siren,
            "uu_code": self.uu_code,
            "population": self.population,
        }


@dataclass
class PerimeterFile:
    """Résultat de la lecture d'un fichier : les périmètres et ce qui a été fait pour les obtenir."""

    path: str
    records: list[PerimeterRecord]
    source_crs: str
    repaired_codes: list[str] = field(default_factory=list)
    reprojected: bool = False

    @property
    def repaired_count(self) -> int:
        return len(self.repaired_codes)


@dataclass
class _RawLayer:
    crs: CRS | None
    geometries: Any  # numpy array of shapely geometries (None for missing)
    properties: list[dict[str, Any]]


def read_perimeters(
    path: str | Path,
    zoning_kind: str = "qpv",
    edition: str | None = None,
    layer: str | None = None,
) -> PerimeterFile:
    """Lit, valide, reprojette et répare un fichier de périmètres ; lève `ZoningFileError`.

    `layer` : la couche à lire dans un GeoPackage qui en a plusieurs (obligatoire alors).
    Refusés : coordonnées hors du domaine de validité du CRS déclaré (avec le CRS qu'elles
    semblent être), périmètres hors de tout territoire français ou loin de leur département,
    surfaces nulles ou non numériques. Aucune exception de GEOS ou de pyproj ne sort d'ici."""
    try:
        return _read_perimeters(path, zoning_kind, edition, layer)
    except ZoningFileError:
        raise
    except (shapely.errors.ShapelyError, CRSError, ValueError, OverflowError) as exc:
        raise ZoningFileError(
            str(path), [Problem(f"géométries illisibles ({type(exc).__name__} : {exc})")]
        ) from exc


def _read_perimeters(
    path: str | Path, zoning_kind: str, edition: str | None, layer: str | None
) -> PerimeterFile:
    path_str = str(path)
    raw = _read_raw(Path(path), layer)
    problems: list[Problem] = []
    geoms = raw.geometries
    n = len(raw.properties)
    if n == 0:
        raise ZoningFileError(path_str, [Problem("le fichier ne contient aucun objet")])

    crs_label, geoms, reprojected = _to_wgs84(path_str, raw.crs, geoms)
    pattern, expected = code_pattern(zoning_kind, edition or "")
    records: list[PerimeterRecord] = []
    repaired: list[str] = []
    seen: dict[str, int] = {}
    for i, props in enumerate(raw.properties):
        row = i + 1
        lowered = {k.lower(): v for k, v in props.items()}
        code = _text(_pick(lowered, "code"))
        if not code:
            problems.append(
                Problem("code absent (propriété attendue : code_qp ou CODE_QP)", row, "code_qp")
            )
            continue
        code = code.strip().upper() if zoning_kind == "qpv" else code.strip()
        if not pattern.match(code):
            problems.append(
                Problem(f"code « {code} » invalide, attendu {expected}", row, "code_qp")
            )
        if code in seen:
            problems.append(
                Problem(
                    f"code « {code} » en double (déjà à l'objet n° {seen[code]})", row, "code_qp"
                )
            )
        seen.setdefault(code, row)
        name = _text(_pick(lowered, "name")) or ""
        if not name:
            problems.append(
                Problem("nom absent (propriété attendue : nom_qp ou lib_qp)", row, "nom_qp")
            )
        geometry, was_repaired, geo_problem = _clean_geometry(geoms[i])
        if geo_problem:
            problems.append(Problem(geo_problem, row, "geometry"))
            continue
        if was_repaired:
            repaired.append(code)
        population, population_problem = _population(_pick(lowered, "population"))
        if population_problem:
            problems.append(Problem(population_problem, row, "population"))
        department = _text(_pick(lowered, "department_code")) or department_from_code(code)
        place_problem = place_problem_of(geometry, department)
        if place_problem:
            problems.append(Problem(place_problem, row, "geometry"))
            continue
        records.append(
            PerimeterRecord(
                code=code,
                name=name.strip(),
                geometry=geometry,
                insee_codes=_split(_pick(lowered, "insee_codes")),
                commune_names=_split_names(_pick(lowered, "commune_names")),
                department_code=department,
                region_code=_text(_pick(lowered, "region_code")),
                epci_siren=_text(_pick(lowered, "epci_siren")),
                uu_code=_text(_pick(lowered, "uu_code")),
                population=population,
            )
        )
    if problems:
        raise ZoningFileError(path_str, problems)
    return PerimeterFile(path_str, records, crs_label, repaired, reprojected)


MAX_POPULATION = 2_147_483_647  # entier 32 bits de la base (PostgreSQL comme SQLite)


def _population(raw: Any) -> tuple[int | None, str | None]:
    """Population entière, positive, finie et tenant dans la base, ou la raison du refus."""
    if raw in (None, "") or (isinstance(raw, float) and math.isnan(raw)):
        return None, None  # GDAL lit un réel absent comme NaN
    try:
        value = float(str(raw).replace(",", ".").replace("\u00a0", "").replace(" ", ""))
    except ValueError:
        return None, f"population « {raw} » n'est pas un nombre"
    if not math.isfinite(value):
        return None, f"population « {raw} » n'est pas un nombre fini"
    if value < 0:
        return None, f"population {raw} négative"
    if value > MAX_POPULATION:
        return None, f"population {raw} démesurée (au plus {MAX_POPULATION:_})".replace("_", " ")
    return round(value), None


def _territory_named(prefix: str) -> Territory:
    return next(t for t in FRENCH_TERRITORIES if t.name.startswith(prefix))


def department_territory(department: str | None) -> Territory | None:
    """Le territoire d'un département (`31` → métropole, `974` → La Réunion) ; None si inconnu."""
    if not department:
        return None
    dep = department.strip().upper()
    if dep in _OVERSEAS:
        return _territory_named(_OVERSEAS[dep])
    if re.fullmatch(r"0?\d{2}|0?2[AB]", dep) and dep not in ("20", "020", "96", "096"):
        return METROPOLE
    return None


def _within(territory: Territory, bounds: Sequence[float], margin: float = MARGIN_DEG) -> bool:
    min_x, min_y, max_x, max_y = bounds
    return bool(
        territory.min_lon - margin <= min_x
        and max_x <= territory.max_lon + margin
        and territory.min_lat - margin <= min_y
        and max_y <= territory.max_lat + margin
    )


def territory_of_bounds(bounds: Sequence[float]) -> Territory | None:
    """Le territoire français qui contient toute l'emprise (lon/lat), ou None."""
    return next((t for t in FRENCH_TERRITORIES if _within(t, bounds)), None)


def area_m2(geom: Any) -> float:
    """Surface en m², mesurée dans la projection locale du territoire (NaN si incalculable)."""
    centre = shapely.centroid(geom)
    if shapely.is_empty(centre) or not (math.isfinite(centre.x) and math.isfinite(centre.y)):
        return math.nan
    tr = transformer(4326, local_epsg(centre.x, centre.y))
    projected = shapely.transform(
        geom, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1]))
    )
    return float(shapely.area(projected))


def place_problem_of(geometry: Any, department: str | None) -> str | None:
    """Pourquoi un périmètre WGS84 n'est pas à sa place : hors de France, loin de son
    département, surface nulle ou incalculable ; None s'il est plausible."""
    bounds = [float(b) for b in shapely.bounds(geometry)]
    where = f"emprise lon {bounds[0]:.4f} à {bounds[2]:.4f}, lat {bounds[1]:.4f} à {bounds[3]:.4f}"
    if not all(math.isfinite(b) for b in bounds):
        return "coordonnées non numériques (NaN ou infini) après lecture du CRS"
    territory = territory_of_bounds(bounds)
    if territory is None:
        swapped = territory_of_bounds([bounds[1], bounds[0], bounds[3], bounds[2]])
        hint = (
            f" ; latitude et longitude inversées ? (inversées, il serait en {swapped.name})"
            if swapped is not None
            else ""
        )
        return f"périmètre hors de tout territoire français ({where}){hint}"
    expected = department_territory(department)
    if expected is not None and expected is not territory:
        return (
            f"périmètre en {territory.name} ({where}), loin de son département {department} "
            f"({expected.name})"
        )
    area = area_m2(geometry)
    if not math.isfinite(area) or area <= 0:
        shown = "incalculable (NaN)" if not math.isfinite(area) else "nulle"
        return f"surface {shown} : géométrie dégénérée ou coordonnées erronées"
    return None


def _pick(props: Mapping[str, Any], key: str) -> Any:
    for alias in ALIASES[key]:
        value = props.get(alias)
        if value is not None and value != "":
            return value
    return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _split(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return tuple(part for part in _SPLIT.split(str(value).strip()) if part)


def _split_names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(v).strip() for v in value)
    return tuple(part.strip() for part in re.split(r"[,;|]", str(value)) if part.strip())


def _clean_geometry(geom: Any) -> tuple[Any, bool, str | None]:
    """Géométrie polygonale valide, si elle a dû être réparée, ou la raison du refus."""
    if geom is None or shapely.is_empty(geom):
        return None, False, "géométrie absente ou vide"
    if shapely.get_type_id(geom) not in (3, 6, 7):
        return None, False, (f"géométrie de type {geom.geom_type}, attendu Polygon ou MultiPolygon")
    geom = shapely.force_2d(geom)
    if shapely.is_valid(geom) and shapely.get_type_id(geom) in (3, 6):
        return geom, False, None
    fixed = polygonal_part(shapely.make_valid(geom))
    if fixed is None or shapely.is_empty(fixed):
        return None, False, "géométrie invalide et irréparable (aucune surface ne subsiste)"
    return fixed, True, None


def polygonal_part(geom: Any) -> Any:
    """Ne garde que les surfaces d'une géométrie (les lignes et points issus d'une réparation tombent)."""
    if geom is None:
        return None
    parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) in (3, 6)]
    polygons = []
    for part in parts:
        polygons.extend(shapely.get_parts(part))
    if not polygons:
        return None
    if len(polygons) == 1:
        return polygons[0]
    return shapely.MultiPolygon(polygons)


def _raw_bounds(geoms: Any) -> list[float] | None:
    valid = [g for g in geoms if g is not None]
    if not valid:
        return None
    coords = shapely.get_coordinates(np.asarray(valid, dtype=object))
    if not len(coords):
        return None
    if not np.isfinite(coords).all():
        return [math.nan] * 4
    return [
        float(coords[:, 0].min()),
        float(coords[:, 1].min()),
        float(coords[:, 0].max()),
        float(coords[:, 1].max()),
    ]


def guess_crs(bounds: Sequence[float]) -> str | None:
    """« ces coordonnées ressemblent à du Lambert-93 : EPSG:2154 ? », d'après leurs valeurs."""
    if not all(math.isfinite(b) for b in bounds):
        return None
    xs = np.array([bounds[0], bounds[2], bounds[0], bounds[2]])
    ys = np.array([bounds[1], bounds[1], bounds[3], bounds[3]])
    for epsg, label in CRS_GUESSES:
        if epsg == WGS84:
            lon, lat = xs, ys
        else:
            lon, lat = transformer(epsg, WGS84).transform(xs, ys)
        lon, lat = np.asarray(lon), np.asarray(lat)
        if not (np.isfinite(lon).all() and np.isfinite(lat).all()):
            continue
        box = [float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())]
        if territory_of_bounds(box) is not None:
            return f"ces coordonnées ressemblent à du {label} : EPSG:{epsg} ?"
    if territory_of_bounds([bounds[1], bounds[0], bounds[3], bounds[2]]) is not None:
        return "ces coordonnées ressemblent à du WGS84 aux axes inversés (latitude, longitude) ?"
    return None


def _domain_problem(crs: CRS, label: str, raw: Sequence[float], lonlat: Any) -> Problem | None:
    """Le refus des coordonnées hors du domaine de validité du CRS déclaré, ou None."""
    area = crs.area_of_use
    if area is None:
        west, south, east, north = -180.0, -90.0, 180.0, 90.0
    else:
        west, south, east, north = area.bounds
    coords = lonlat
    finite = bool(len(coords)) and bool(np.isfinite(coords).all())
    inside = finite and bool(
        (coords[:, 0] >= west - MARGIN_DEG).all()
        and (coords[:, 0] <= east + MARGIN_DEG).all()
        and (coords[:, 1] >= south - MARGIN_DEG).all()
        and (coords[:, 1] <= north + MARGIN_DEG).all()
    )
    if inside:
        return None
    name = area.name if area is not None else "le monde"
    values = (
        f"x de {raw[0]:.6g} à {raw[2]:.6g}, y de {raw[1]:.6g} à {raw[3]:.6g}"
        if all(math.isfinite(v) for v in raw)
        else "valeurs non numériques (NaN ou infini)"
    )
    message = (
        f"coordonnées hors du domaine de validité du CRS déclaré {label} ({name} : "
        f"longitudes {west:g} à {east:g}, latitudes {south:g} à {north:g}) : {values}"
    )
    guess = guess_crs(raw)
    if guess:
        message += f" ; {guess}"
    if is_wgs84(crs):
        message += (
            " (un GeoJSON sans membre « crs » est lu en WGS84 : déclarez le bon CRS ou "
            "reprojetez le fichier)"
        )
    return Problem(message)


def _to_wgs84(path: str, crs: CRS | None, geoms: Any) -> tuple[str, Any, bool]:
    raw = _raw_bounds(geoms)
    if raw is None:
        return (crs.to_string() if crs else "WGS84"), geoms, False
    if crs is None:
        if -180 <= raw[0] <= raw[2] <= 180 and -90 <= raw[1] <= raw[3] <= 90:
            return "WGS84 (supposé : aucun CRS déclaré, coordonnées en degrés)", geoms, False
        guess = guess_crs(raw)
        raise ZoningFileError(
            path,
            [
                Problem(
                    "système de coordonnées absent et coordonnées hors des bornes de WGS84 : "
                    "ajoutez un fichier .prj ou déclarez le CRS" + (f" ; {guess}" if guess else "")
                )
            ],
        )
    label = crs.to_string()
    if is_wgs84(crs):
        out, reprojected = geoms, False
    else:
        tr = transformer(crs.to_wkt(), WGS84)
        out = np.array(
            [
                None
                if g is None
                else shapely.transform(
                    g, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1]))
                )
                for g in geoms
            ],
            dtype=object,
        )
        reprojected = True
    valid = [g for g in out if g is not None]
    lonlat = shapely.get_coordinates(np.asarray(valid, dtype=object))
    problem = _domain_problem(crs, label, raw, lonlat)
    if problem is not None:
        raise ZoningFileError(path, [problem])
    return label, out, reprojected


def _read_raw(path: Path, layer: str | None = None) -> _RawLayer:
    if not path.exists():
        raise ZoningFileError(str(path), [Problem("fichier introuvable")])
    if path.is_dir():
        shapefiles = sorted(path.glob("*.shp"))
        if len(shapefiles) != 1:
            raise ZoningFileError(
                str(path),
                [Problem(f"dossier : un seul fichier .shp attendu, {len(shapefiles)} trouvé(s)")],
            )
        return _read_ogr(str(shapefiles[0]), str(path), layer)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ZoningFileError(
            str(path),
            [
                Problem(
                    f"format « {suffix or 'sans extension'} » non pris en charge ; attendus : "
                    "GeoJSON, GeoPackage, Shapefile (dossier ou .zip), GeoParquet"
                )
            ],
        )
    if suffix in (".parquet", ".geoparquet"):
        return _read_geoparquet(path)
    if suffix == ".zip":
        return _read_ogr(_zip_member(path), str(path), layer)
    return _read_ogr(str(path), str(path), layer)


def _zip_member(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile as exc:
        raise ZoningFileError(str(path), [Problem("archive .zip illisible")]) from exc
    for suffixes in ((".shp",), (".gpkg",), (".geojson", ".json")):
        members = [n for n in names if n.lower().endswith(suffixes) and "__MACOSX" not in n]
        if len(members) == 1:
            return f"/vsizip/{path.resolve()}/{members[0]}"
        if len(members) > 1:
            raise ZoningFileError(
                str(path),
                [
                    Problem(
                        f"l'archive contient plusieurs couches ({', '.join(members)}) ; une seule attendue"
                    )
                ],
            )
    raise ZoningFileError(
        str(path), [Problem("l'archive ne contient ni .shp, ni .gpkg, ni .geojson")]
    )


def _read_ogr(source: str, shown: str, layer: str | None = None) -> _RawLayer:
    import pyogrio

    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(source)]
    except Exception as exc:  # pyogrio lève des erreurs GDAL variées
        raise ZoningFileError(shown, [Problem(f"lecture impossible : {exc}")]) from exc
    if layer is not None and layer not in layers:
        raise ZoningFileError(
            shown,
            [Problem(f"couche « {layer} » absente ; couches du fichier : {', '.join(layers)}")],
        )
    if layer is None and len(layers) > 1:
        raise ZoningFileError(
            shown,
            [
                Problem(
                    f"le fichier contient {len(layers)} couches ({', '.join(layers)}) : "
                    "précisez laquelle importer avec --layer"
                )
            ],
        )
    try:
        meta, _fids, wkb, field_data = pyogrio.raw.read(source, layer=layer)
        geoms = shapely.from_wkb(wkb) if wkb is not None else np.array([], dtype=object)
        crs = CRS.from_user_input(meta["crs"]) if meta.get("crs") else None
    except Exception as exc:  # pyogrio, GEOS et pyproj lèvent des erreurs variées
        raise ZoningFileError(shown, [Problem(f"lecture impossible : {exc}")]) from exc
    names = [str(n) for n in meta["fields"]]
    props = _rows(names, field_data, len(geoms))
    return _RawLayer(crs, geoms, props)


def _read_geoparquet(path: Path) -> _RawLayer:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:
        raise ZoningFileError(str(path), [Problem(f"lecture Parquet impossible : {exc}")]) from exc
    meta_raw = (table.schema.metadata or {}).get(b"geo")
    if meta_raw is None:
        raise ZoningFileError(
            str(path),
            [
                Problem(
                    "métadonnées GeoParquet « geo » absentes : ce n'est pas un fichier GeoParquet"
                )
            ],
        )
    geo = json.loads(meta_raw)
    column = geo.get("primary_column", "geometry")
    column_meta = geo.get("columns", {}).get(column, {})
    if column_meta.get("encoding", "WKB").upper() != "WKB":
        raise ZoningFileError(
            str(path),
            [
                Problem(
                    f"encodage géométrique « {column_meta.get('encoding')} » non pris en charge (WKB attendu)"
                )
            ],
        )
    crs_meta = column_meta.get("crs", "OGC:CRS84")
    crs = (
        CRS.from_user_input(crs_meta) if crs_meta is not None else CRS.from_user_input("OGC:CRS84")
    )
    geoms = shapely.from_wkb(np.asarray(table.column(column).to_pylist(), dtype=object))
    names = [n for n in table.column_names if n != column]
    data = [table.column(n).to_pylist() for n in names]
    return _RawLayer(crs, geoms, _rows(names, data, len(geoms)))


def _rows(names: Sequence[str], columns: Iterable[Any], n: int) -> list[dict[str, Any]]:
    cols = [list(c) for c in columns]
    return [{name: _plain(col[i]) for name, col in zip(names, cols, strict=True)} for i in range(n)]


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value
