"""Lecture des grilles de carreaux de 200 m (Filosofi et tables génériques).

Formats : CSV (« ; » ou « , », virgule décimale acceptée), GeoPackage / GeoJSON / Shapefile
(pyogrio), Parquet (pyarrow). En-têtes reconnus sans tenir compte de la casse
(`reference/geography.md` §6) :

- Filosofi 2015 : `IdINSPIRE`, `Depcom`, `Ind`, `Men`, `Men_pauv`, `Ind_snv`, `I_est_cr` ;
- Filosofi 2017 : `Idcar_200m`, `I_est_200`, `Ind`, `Men`, `Men_pauv`, `Ind_snv`, `lcog_geo`… ;
- Filosofi 2019 / 2021 : les mêmes en minuscules ;
- table générique : `x`, `y` (ou `x_…`, `y_…`) dans une projection nommée (`--crs`, ou un
  suffixe `_epsgNNNN` dans le nom de colonne), centre ou coin inférieur gauche du carreau
  (détecté : coordonnées ≡ 100 ou ≡ 0 modulo 200), une population (`ind`, `population`) ou des
  ménages (`men`, `houhold`), des ménages pauvres (`men_pauv`, `phouhold`), un revenu
  (`ind_snv` : somme des niveaux de vie, ou `median_income_per_cu` : médiane du carreau).

Les identifiants `CRS3035RES200mN2893400E3763200` donnent le coin inférieur gauche en LAEA
(EPSG:3035) ; ils sont décodés sans boucle Python (expressions régulières d'Arrow).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from quartiers.core.identification.errors import IdentificationError

CELL_SIZE = 200
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

ALIASES: Mapping[str, tuple[str, ...]] = {
    "cell_id": ("idcar_200m", "idinspire", "idcar200", "cell_id", "id_carr200"),
    "population": ("ind", "ind_c", "population", "pop"),
    "households": ("men", "houhold", "households", "menages"),
    "poor_households": ("men_pauv", "phouhold", "poor_households", "menages_pauvres"),
    "income_sum": ("ind_snv", "ind_srf", "income_sum"),
    "median_income_per_cu": ("median_income_per_cu", "med", "median"),
    "insee_code": ("lcog_geo", "depcom", "insee_code", "codgeo"),
    "imputed": ("i_est_200", "i_est_cr", "i_est", "imputed"),
}
ID_PATTERN = r"^CRS(?P<epsg>\d{4,5})RES(?P<res>\d+)mN(?P<n>\d+)E(?P<e>\d+)$"
NUMBER_PATTERN = r"^\s*[-+]?(\d+([.,]\d*)?|[.,]\d+)([eE][-+]?\d+)?\s*$"


@dataclass
class CellGrid:
    """Les carreaux habités : indices de ligne/colonne (coin inférieur gauche / 200 m) et données."""

    source: str
    crs: str
    col: IntArray
    row: IntArray
    population: FloatArray
    households: FloatArray | None = None
    poor_households: FloatArray | None = None
    income_sum: FloatArray | None = None
    median_income_per_cu: FloatArray | None = None
    commune_index: npt.NDArray[np.int32] | None = None
    communes: tuple[str, ...] = ()
    imputed: npt.NDArray[np.bool_] | None = None
    population_estimated: bool = False
    cell_size: int = CELL_SIZE

    def __len__(self) -> int:
        return len(self.col)

    @property
    def epsg(self) -> int:
        return int(self.crs.split(":")[1])

    def x_min(self) -> FloatArray:
        return (self.col * self.cell_size).astype(np.float64)

    def y_min(self) -> FloatArray:
        return (self.row * self.cell_size).astype(np.float64)

    def cell_ids(self, index: npt.ArrayLike | None = None) -> list[str]:
        """Identifiants INSEE (`CRS3035RES200mN…E…`) des carreaux demandés (tous par défaut)."""
        idx = np.arange(len(self)) if index is None else np.asarray(index)
        epsg = self.epsg
        size = self.cell_size
        rows = (self.row[idx] * size).tolist()
        cols = (self.col[idx] * size).tolist()
        return [f"CRS{epsg}RES{size}mN{n}E{e}" for n, e in zip(rows, cols, strict=True)]

    def keys(self) -> IntArray:
        """Clé entière unique par carreau (ligne, colonne), pour joindre d'autres tables."""
        return cell_key(self.col, self.row)


def cell_key(col: IntArray, row: IntArray) -> IntArray:
    return (row.astype(np.int64) << 32) + col.astype(np.int64)


def read_grid(
    path: str | Path,
    crs: str | int | None = None,
    position: str | None = None,
    persons_per_household: float | None = None,
) -> CellGrid:
    """Lit une grille ; `IdentificationError` (fichier, ligne, champ) au moindre défaut."""
    path = Path(path)
    label = str(path)
    table, header_rows = _read_table(path)
    columns = _resolve(table.column_names)
    n = table.num_rows
    if n == 0:
        raise IdentificationError(label, "la grille ne contient aucun carreau")

    if "cell_id" in columns:
        epsg, col, row = decode_cell_ids(table.column(columns["cell_id"]), label, header_rows)
        grid_crs = f"EPSG:{epsg}"
    else:
        x_name = _coordinate_column(table.column_names, "x")
        y_name = _coordinate_column(table.column_names, "y")
        if x_name is None or y_name is None:
            raise IdentificationError(
                label,
                "colonne d'identifiant de carreau (idcar_200m, IdINSPIRE) ou colonnes de "
                "coordonnées x et y attendues",
                field="idcar_200m",
            )
        grid_crs = _crs_of(label, crs, x_name)
        x = numbers(table.column(x_name), label, x_name, header_rows, required=True)
        y = numbers(table.column(y_name), label, y_name, header_rows, required=True)
        col, row = _snap(label, x, y, position, x_name, header_rows)

    keys = cell_key(col, row)
    uniq, counts = np.unique(keys, return_counts=True)
    if len(uniq) != n:
        dup_key = uniq[np.flatnonzero(counts > 1)[0]]
        first_row, dup = (int(i) for i in np.flatnonzero(keys == dup_key)[:2])
        raise IdentificationError(
            label,
            "carreau en double (même carreau de 200 m qu'à la ligne "
            f"{first_row + header_rows + 1})",
            row=dup + header_rows + 1,
            field=columns.get("cell_id", "x"),
        )

    def opt(name: str) -> FloatArray | None:
        if name not in columns:
            return None
        return numbers(table.column(columns[name]), label, columns[name], header_rows)

    households = opt("households")
    poor = opt("poor_households")
    population_estimated = False
    if "population" in columns:
        population = numbers(
            table.column(columns["population"]), label, columns["population"], header_rows, True
        )
    elif households is not None:
        if persons_per_household is None:
            raise IdentificationError(
                label,
                "pas de colonne de population (ind) : indiquez le nombre de personnes par ménage",
                field="ind",
            )
        population = np.nan_to_num(households) * persons_per_household
        population_estimated = True
    else:
        raise IdentificationError(
            label,
            "colonne de population (ind, population) ou de ménages (men) attendue",
            field="ind",
        )
    _check_non_negative(label, population, columns.get("population", "men"), header_rows)
    _check_counts(
        label,
        columns,
        {"population": population, "households": households, "poor_households": poor},
        header_rows,
    )

    commune_index = None
    communes: tuple[str, ...] = ()
    if "insee_code" in columns:
        commune_index, communes = _communes(table.column(columns["insee_code"]))
    imputed: npt.NDArray[np.bool_] | None = None
    if "imputed" in columns:
        flags = numbers(table.column(columns["imputed"]), label, columns["imputed"], header_rows)
        imputed = np.asarray(np.nan_to_num(flags) > 0)
    return CellGrid(
        source=label,
        crs=grid_crs,
        col=col,
        row=row,
        population=population,
        households=households,
        poor_households=poor,
        income_sum=opt("income_sum"),
        median_income_per_cu=opt("median_income_per_cu"),
        commune_index=commune_index,
        communes=communes,
        imputed=imputed,
        population_estimated=population_estimated,
    )


def _read_table(path: Path) -> tuple[pa.Table, int]:
    """La table et le nombre de lignes d'en-tête (1 pour un CSV, 0 sinon : objets numérotés dès 1)."""
    label = str(path)
    if not path.exists():
        raise IdentificationError(label, "fichier introuvable")
    suffix = "".join(path.suffixes[-2:]).lower() if path.suffix == ".gz" else path.suffix.lower()
    try:
        if suffix in (".parquet", ".geoparquet", ".pq"):
            return pq.read_table(path), 1
        if suffix in (".gpkg", ".geojson", ".json", ".shp", ".fgb"):
            return _read_vector(path), 1
        return read_csv_table(path), 1
    except IdentificationError:
        raise
    except (pa.ArrowInvalid, OSError, ValueError) as exc:
        raise IdentificationError(label, f"lecture impossible ({exc})") from exc


def read_csv_table(path: Path, string_columns: Sequence[str] = ()) -> pa.Table:
    """CSV « ; » ou « , », UTF-8 (avec ou sans BOM) ou Latin-1 ; toutes colonnes en texte."""
    with open(path, "rb") as handle:
        head = handle.read(65536)
    try:
        text = head.decode("utf-8-sig")
        encoding = "utf8"
    except UnicodeDecodeError:
        text = head.decode("latin-1")
        encoding = "latin1"
    first = text.splitlines()[0] if text else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    if first.count("\t") > max(first.count(";"), first.count(",")):
        delimiter = "\t"
    names = [c.strip().strip('"').lstrip("\ufeff") for c in first.split(delimiter)]
    return pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(encoding=encoding, block_size=1 << 24),
        parse_options=pacsv.ParseOptions(delimiter=delimiter),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
        ),
    )


def _read_vector(path: Path) -> pa.Table:
    import pyogrio
    import shapely

    meta, table = pyogrio.read_arrow(path)
    geom_name = meta.get("geometry_name") or "wkb_geometry"
    if geom_name in table.column_names:
        lowered = {c.lower() for c in table.column_names}
        if "idcar_200m" not in lowered and "idinspire" not in lowered and "x" not in lowered:
            geoms = shapely.from_wkb(np.asarray(table.column(geom_name).to_pylist(), dtype=object))
            centres = shapely.centroid(geoms)
            table = table.append_column("x", pa.array(shapely.get_x(centres)))
            table = table.append_column("y", pa.array(shapely.get_y(centres)))
            crs = meta.get("crs") or ""
            match = re.search(r"(\d{4,5})$", str(crs))
            if match:
                table = table.rename_columns(
                    [
                        f"{c}_epsg{match.group(1)}" if c in ("x", "y") else c
                        for c in table.column_names
                    ]
                )
        table = table.drop_columns([geom_name])
    return table


def _resolve(names: Sequence[str]) -> dict[str, str]:
    lowered = {n.lower().strip(): n for n in names}
    found: dict[str, str] = {}
    for key, aliases in ALIASES.items():
        for alias in aliases:
            if alias in lowered:
                found[key] = lowered[alias]
                break
    return found


def _coordinate_column(names: Sequence[str], axis: str) -> str | None:
    for name in names:
        low = name.lower()
        if low == axis or low.startswith(f"{axis}_"):
            return name
    return None


def _crs_of(label: str, crs: str | int | None, column: str) -> str:
    if crs is not None:
        text = str(crs).upper().removeprefix("EPSG:")
        if not text.isdigit():
            raise IdentificationError(label, f"projection « {crs} » invalide, EPSG:NNNN attendu")
        return f"EPSG:{text}"
    match = re.search(r"epsg[_:]?(\d{4,5})", column.lower())
    if match:
        return f"EPSG:{match.group(1)}"
    raise IdentificationError(
        label,
        "projection des coordonnées inconnue : indiquez-la (--crs EPSG:2154) ou nommez la "
        "colonne x_epsgNNNN",
        field=column,
    )


def _snap(
    label: str,
    x: FloatArray,
    y: FloatArray,
    position: str | None,
    field: str,
    header_rows: int,
) -> tuple[IntArray, IntArray]:
    """Coordonnées → indices de carreau ; position détectée (centre ≡ 100, coin ≡ 0 modulo 200)."""
    half = CELL_SIZE / 2
    if position is None:
        rem = np.mod(x, CELL_SIZE)
        if np.all(np.abs(rem - half) < 1e-6):
            position = "centroid"
        elif np.all((rem < 1e-6) | (rem > CELL_SIZE - 1e-6)):
            position = "lower-left"
        else:
            bad = int(np.flatnonzero(np.abs(rem - np.round(rem / half) * half) > 1e-6)[0])
            raise IdentificationError(
                label,
                f"coordonnée {x[bad]} hors de la maille de 200 m (centre ≡ 100 ou coin ≡ 0 "
                "modulo 200 attendu)",
                row=bad + header_rows + 1,
                field=field,
            )
    offset = half if position == "centroid" else 0.0
    col = np.floor((x - offset) / CELL_SIZE + 1e-9).astype(np.int64)
    row = np.floor((y - offset) / CELL_SIZE + 1e-9).astype(np.int64)
    return col, row


def decode_cell_ids(
    column: pa.ChunkedArray | pa.Array, label: str, header_rows: int = 1
) -> tuple[int, IntArray, IntArray]:
    """`CRS3035RES200mN2893400E3763200` → (3035, colonnes, lignes) ; erreur à la ligne fautive."""
    text = pc.utf8_trim_whitespace(pc.cast(column, pa.string()))
    parts = pc.extract_regex(text, pattern=ID_PATTERN)
    valid = pc.is_valid(parts)
    if not pc.all(valid).as_py():
        bad = int(pc.index(valid, False).as_py())
        raise IdentificationError(
            label,
            f"identifiant de carreau « {text[bad].as_py()} » invalide, attendu "
            "CRS3035RES200mN<nord>E<est> (ex. CRS3035RES200mN2893400E3763200)",
            row=bad + header_rows + 1,
            field="idcar_200m",
        )
    epsgs = pc.unique(pc.struct_field(parts, "epsg"))
    if len(epsgs) != 1:
        raise IdentificationError(
            label, f"projections mélangées dans les identifiants : {epsgs.to_pylist()}"
        )
    res_values = pc.unique(pc.struct_field(parts, "res")).to_pylist()
    if res_values != [str(CELL_SIZE)]:
        raise IdentificationError(
            label, f"carreaux de 200 m attendus, lus : {', '.join(map(str, res_values))} m"
        )
    north = pc.cast(pc.struct_field(parts, "n"), pa.int64()).to_numpy()
    east = pc.cast(pc.struct_field(parts, "e"), pa.int64()).to_numpy()
    if np.any(north % CELL_SIZE) or np.any(east % CELL_SIZE):
        bad = int(np.flatnonzero((north % CELL_SIZE) | (east % CELL_SIZE))[0])
        raise IdentificationError(
            label,
            "coordonnées de l'identifiant non multiples de 200 m",
            row=bad + header_rows + 1,
            field="idcar_200m",
        )
    return int(epsgs[0].as_py()), east // CELL_SIZE, north // CELL_SIZE


def numbers(
    column: pa.ChunkedArray | pa.Array,
    label: str,
    field: str,
    header_rows: int = 1,
    required: bool = False,
) -> FloatArray:
    """Colonne → float64 (NaN si vide) ; « 12,5 » accepté ; erreur précise sur la ligne fautive."""
    if pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
        values = pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)
        values = np.asarray(values, dtype=np.float64)
    elif pa.types.is_boolean(column.type):
        values = np.asarray(pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False))
    else:
        text = pc.utf8_trim_whitespace(pc.cast(column, pa.string()))
        empty = pc.or_kleene(pc.is_null(text), pc.equal(text, ""))
        ok = pc.or_kleene(empty, pc.match_substring_regex(text, NUMBER_PATTERN))
        if not pc.all(ok).as_py():
            bad = int(pc.index(ok, False).as_py())
            raise IdentificationError(
                label,
                f"nombre attendu, lu « {text[bad].as_py()} »",
                row=bad + header_rows + 1,
                field=field,
            )
        cleaned = pc.if_else(empty, None, pc.replace_substring(text, ",", "."))
        values = np.asarray(
            pc.cast(cleaned, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64
        )
    if required and np.isnan(values).any():
        bad = int(np.flatnonzero(np.isnan(values))[0])
        raise IdentificationError(
            label, "valeur manquante (nombre attendu)", row=bad + header_rows + 1, field=field
        )
    huge = np.flatnonzero(np.isinf(values) | (np.abs(np.nan_to_num(values)) > MAX_VALUE))
    if len(huge):
        bad = int(huge[0])
        raise IdentificationError(
            label,
            f"nombre démesuré, lu {values[bad]:g} (au plus {MAX_VALUE:g} en valeur absolue)",
            row=bad + header_rows + 1,
            field=field,
        )
    return values


# Aucune grandeur d'une grille (effectifs, revenus, coordonnées) n'approche ces bornes : au-delà,
# c'est une erreur de saisie (1e300, « inf ») qui fausserait les sommes sans rien dire.
MAX_VALUE = 1e12
MAX_CELL_COUNT = 100_000  # habitants ou ménages dans un carreau de 200 m (4 ha)


def _check_counts(
    label: str,
    columns: dict[str, str],
    values: dict[str, FloatArray | None],
    header_rows: int,
) -> None:
    """Effectifs d'un carreau : positifs, plausibles, et pas plus de ménages pauvres que de
    ménages."""
    for name, array in values.items():
        if array is None:
            continue
        field = columns.get(name, name)
        _check_non_negative(label, array, field, header_rows)
        too_many = np.flatnonzero(np.nan_to_num(array) > MAX_CELL_COUNT)
        if len(too_many):
            bad = int(too_many[0])
            raise IdentificationError(
                label,
                f"{array[bad]:g} dans un carreau de 200 m : au plus {MAX_CELL_COUNT:_}".replace(
                    "_", " "
                ),
                row=bad + header_rows + 1,
                field=field,
            )
    households, poor = values.get("households"), values.get("poor_households")
    if households is not None and poor is not None:
        over = np.flatnonzero(np.nan_to_num(poor) > np.nan_to_num(households) + 1e-9)
        if len(over):
            bad = int(over[0])
            raise IdentificationError(
                label,
                f"{poor[bad]:g} ménages pauvres pour {households[bad]:g} ménages : les ménages "
                f"pauvres ({columns['poor_households']}) ne peuvent dépasser les ménages "
                f"({columns['households']})",
                row=bad + header_rows + 1,
                field=columns["poor_households"],
            )


def _check_non_negative(label: str, values: FloatArray, field: str, header_rows: int) -> None:
    negative = np.flatnonzero(values < 0)
    if len(negative):
        bad = int(negative[0])
        raise IdentificationError(
            label,
            f"nombre positif ou nul attendu, lu {values[bad]}",
            row=bad + header_rows + 1,
            field=field,
        )


def _communes(column: pa.ChunkedArray | pa.Array) -> tuple[npt.NDArray[np.int32], tuple[str, ...]]:
    """`lcog_geo` peut concaténer plusieurs communes (la plus grande part d'abord) : la première."""
    text = pc.utf8_slice_codeunits(pc.utf8_trim_whitespace(pc.cast(column, pa.string())), 0, 5)
    encoded = pc.dictionary_encode(text).combine_chunks()
    indices = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int32)
    return indices, tuple(str(v) for v in encoded.dictionary.to_pylist())


def read_individual_incomes(
    path: str | Path, grid: CellGrid
) -> tuple[IntArray, FloatArray, FloatArray]:
    """`--incomes` : CSV `idcar_200m`, `income_per_cu`, `weight` → (carreau, revenu, poids)."""
    path = Path(path)
    label = str(path)
    table, header_rows = _read_table(path)
    lowered = {c.lower().strip(): c for c in table.column_names}
    for needed in ("idcar_200m", "income_per_cu", "weight"):
        if needed not in lowered:
            raise IdentificationError(
                label,
                f"colonne « {needed} » absente ; colonnes attendues : idcar_200m, income_per_cu, weight",
                field=needed,
            )
    _epsg, col, row = decode_cell_ids(table.column(lowered["idcar_200m"]), label, header_rows)
    income = numbers(
        table.column(lowered["income_per_cu"]), label, "income_per_cu", header_rows, True
    )
    weight = numbers(table.column(lowered["weight"]), label, "weight", header_rows, True)
    _check_non_negative(label, weight, "weight", header_rows)
    keys = cell_key(col, row)
    grid_keys = grid.keys()
    order = np.argsort(grid_keys)
    pos = np.searchsorted(grid_keys[order], keys)
    pos = np.clip(pos, 0, len(order) - 1)
    found = grid_keys[order][pos] == keys
    if not found.all():
        bad = int(np.flatnonzero(~found)[0])
        raise IdentificationError(
            label,
            "carreau absent de la grille (chaque revenu doit tomber dans un carreau de la grille)",
            row=bad + header_rows + 1,
            field="idcar_200m",
        )
    return order[pos].astype(np.int64), income, weight


def describe_columns(names: Sequence[str]) -> dict[str, Any]:
    """Colonnes reconnues d'une grille (pour les messages et le rapport)."""
    return dict(_resolve(names))


COMMUNE_CODE_COLUMNS = ("insee_code", "code_commune", "codgeo", "insee_com", "code_insee", "depcom")


def place_in_communes(grid: CellGrid, path: str | Path) -> CellGrid:
    """Place chaque carreau dans la commune qui contient son centre (contours communaux).

    Pour les grilles sans `lcog_geo` : fichier de communes (GeoJSON, GeoPackage…) avec une
    colonne `insee_code` (ou `code_commune`, `CODGEO`). Les carreaux hors de toute commune
    reçoivent l'indice -1 (hors territoire).
    """
    import pyogrio
    import shapely

    from quartiers.core.geo.crs import transformer

    label = str(path)
    if not Path(path).exists():
        raise IdentificationError(label, "fichier introuvable")
    try:
        meta, table = pyogrio.read_arrow(path)
    except Exception as exc:  # pyogrio lève ses propres types selon le pilote
        raise IdentificationError(label, f"lecture impossible ({exc})") from exc
    lowered = {c.lower(): c for c in table.column_names}
    code_col = next((lowered[c] for c in COMMUNE_CODE_COLUMNS if c in lowered), None)
    if code_col is None:
        raise IdentificationError(
            label,
            "colonne du code commune absente (insee_code, code_commune ou CODGEO)",
            field="insee_code",
        )
    geom_col = meta.get("geometry_name") or "wkb_geometry"
    geoms = shapely.from_wkb(np.asarray(table.column(geom_col).to_pylist(), dtype=object))
    source_crs = meta.get("crs") or "EPSG:4326"
    tr = transformer(source_crs, grid.crs)

    def project(xy: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        x, y = tr.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    geoms = np.asarray([shapely.transform(g, project) for g in geoms], dtype=object)
    codes = [str(c).strip() for c in table.column(code_col).to_pylist()]
    half = grid.cell_size / 2
    centres = shapely.points(grid.x_min() + half, grid.y_min() + half)
    tree = shapely.STRtree(geoms)
    cell_idx, poly_idx = tree.query(centres, predicate="within")
    commune_of_cell = np.full(len(grid), -1, dtype=np.int64)
    commune_of_cell[cell_idx[::-1]] = poly_idx[::-1]  # en cas de doublon, le premier contour
    uniq = sorted(set(codes))
    position = {c: i for i, c in enumerate(uniq)}
    poly_to_commune = np.array([position[c] for c in codes], dtype=np.int32)
    index = np.where(commune_of_cell >= 0, poly_to_commune[np.maximum(commune_of_cell, 0)], -1)
    grid.commune_index = index.astype(np.int32)
    grid.communes = tuple(uniq)
    return grid
