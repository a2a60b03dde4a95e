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
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import CRS

from quartiers.core.geo.crs import WGS84, is_wgs84, transformer
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
    path: str | Path, zoning_kind: str = "qpv", edition: str | None = None
) -> PerimeterFile:
    """Lit, valide, reprojette et répare un fichier de périmètres ; lève `ZoningFileError`."""
    path_str = str(path)
    raw = _read_raw(Path(path))
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
        population_raw = _pick(lowered, "population")
        population: int | None = None
        if population_raw not in (None, ""):
            try:
                population = round(float(str(population_raw).replace(",", ".")))
            except ValueError:
                problems.append(
                    Problem(
                        f"population « {population_raw} » n'est pas un nombre", row, "population"
                    )
                )
        department = _text(_pick(lowered, "department_code")) or department_from_code(code)
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


def _to_wgs84(path: str, crs: CRS | None, geoms: Any) -> tuple[str, Any, bool]:
    valid = [g for g in geoms if g is not None]
    if crs is None:
        bounds = shapely.total_bounds(np.asarray(valid, dtype=object)) if valid else None
        if (
            bounds is not None
            and -180 <= bounds[0] <= bounds[2] <= 180
            and -90 <= bounds[1] <= bounds[3] <= 90
        ):
            return "WGS84 (supposé : aucun CRS déclaré, coordonnées en degrés)", geoms, False
        raise ZoningFileError(
            path,
            [
                Problem(
                    "système de coordonnées absent et coordonnées hors des bornes de WGS84 : "
                    "ajoutez un fichier .prj ou déclarez le CRS"
                )
            ],
        )
    label = crs.to_string()
    if is_wgs84(crs):
        return label, geoms, False
    tr = transformer(crs.to_wkt(), WGS84)
    out = np.array(
        [
            None
            if g is None
            else shapely.transform(g, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
            for g in geoms
        ],
        dtype=object,
    )
    return label, out, True


def _read_raw(path: Path) -> _RawLayer:
    if not path.exists():
        raise ZoningFileError(str(path), [Problem("fichier introuvable")])
    if path.is_dir():
        shapefiles = sorted(path.glob("*.shp"))
        if len(shapefiles) != 1:
            raise ZoningFileError(
                str(path),
                [Problem(f"dossier : un seul fichier .shp attendu, {len(shapefiles)} trouvé(s)")],
            )
        return _read_ogr(str(shapefiles[0]), str(path))
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
        return _read_ogr(_zip_member(path), str(path))
    return _read_ogr(str(path), str(path))


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


def _read_ogr(source: str, shown: str) -> _RawLayer:
    import pyogrio

    try:
        meta, _fids, wkb, field_data = pyogrio.raw.read(source)
    except Exception as exc:  # pyogrio lève des erreurs GDAL variées
        raise ZoningFileError(shown, [Problem(f"lecture impossible : {exc}")]) from exc
    names = [str(n) for n in meta["fields"]]
    geoms = shapely.from_wkb(wkb) if wkb is not None else np.array([], dtype=object)
    props = _rows(names, field_data, len(geoms))
    crs = CRS.from_user_input(meta["crs"]) if meta.get("crs") else None
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
