"""Index point → périmètre : pour chaque point, le code du périmètre qui le contient.

Exact sur la géométrie (un point sur la limite compte comme dedans, mêmes réponses que
`shapely.STRtree.query(points, predicate="intersects")`) et sans Django ni base, pour les
analystes : `ZoningIndex.from_file(chemin).locate(lons, lats)`. L'accélération (grilles
emboîtées, `grid.py`) et la méthode sont décrites dans le README, « Moteur de localisation ».
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

from quartiers.core.geo.crs import WGS84, local_epsg_array, transformer
from quartiers.core.geo.grid import DEFAULT_EXPONENTS, CellGrid
from quartiers.core.geo.perimeters import PerimeterRecord, read_perimeters

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ObjectArray = npt.NDArray[np.object_]

# En dessous, sans grilles déjà construites, on interroge directement le STRtree.
GRID_MIN_POINTS = 2_000


class ZoningIndex:
    """Index en mémoire des périmètres d'une édition d'un zonage.

    La localisation passe par des grilles emboîtées (`grid.CellGrid`, construites au premier
    lot d'au moins `GRID_MIN_POINTS` points ; avant, les petits lots interrogent un STRtree) :
    réponse directe pour les points loin de toute limite, test exact pour les autres. Les distances se mesurent dans la projection
    officielle du territoire de chaque point, sur des géométries projetées une fois pour toutes.
    """

    def __init__(
        self,
        perimeters: Sequence[PerimeterRecord],
        grid_exponents: Sequence[int] = DEFAULT_EXPONENTS,
    ) -> None:
        self.perimeters: list[PerimeterRecord] = list(perimeters)
        self.codes: ObjectArray = np.array([p.code for p in self.perimeters] + [None], dtype=object)
        self._by_code = {p.code: i for i, p in enumerate(self.perimeters)}
        self._geoms = np.empty(len(self.perimeters), dtype=object)
        self._geoms[:] = [p.geometry for p in self.perimeters]
        shapely.prepare(self._geoms)
        self._grid_exponents = tuple(grid_exponents)
        self._lock = threading.Lock()
        self._grid: CellGrid | None = None
        self._tree: Any = None
        self._projected: dict[int, tuple[Any, IntArray]] = {}

    @classmethod
    def from_file(
        cls, path: str | Path, zoning_kind: str = "qpv", edition: str | None = None
    ) -> ZoningIndex:
        """Index construit depuis un fichier, avec les mêmes contrôles et réparations que l'import."""
        return cls(read_perimeters(path, zoning_kind, edition).records)

    def __len__(self) -> int:
        return len(self.perimeters)

    def perimeter(self, code: str) -> PerimeterRecord:
        """Le périmètre d'un code ; `KeyError` s'il n'est pas dans l'index."""
        return self.perimeters[self._by_code[code]]

    @property
    def grid(self) -> CellGrid:
        """Grilles d'accélération, construites une seule fois (au premier besoin)."""
        with self._lock:
            if self._grid is None:
                self._grid = CellGrid(self._geoms, self._grid_exponents)
            return self._grid

    def locate_indices(self, lons: npt.ArrayLike, lats: npt.ArrayLike) -> IntArray:
        """Rang du périmètre contenant chaque point (limite comprise), -1 hors de tout périmètre
        ou coordonnée invalide ; en cas de chevauchement, le plus petit rang gagne."""
        x, y = _as_arrays(lons, lats)
        if not len(self.perimeters):
            return np.full(len(x), -1, dtype=np.int64)
        ok = (x >= -180) & (x <= 180) & (y >= -90) & (y <= 90)  # faux aussi pour NaN
        # Tant que les grilles n'existent pas, un petit lot passe par le STRtree (même réponse) :
        # une requête d'un point n'attend pas la construction, amortie sur les gros lots.
        with self._lock:
            small = self._grid is None and len(x) < GRID_MIN_POINTS
        find = self._tree_lookup if small else self.grid.lookup
        if ok.all():
            return find(x, y)
        out = np.full(len(x), -1, dtype=np.int64)
        out[ok] = find(x[ok], y[ok])
        return out

    @property
    def grid_ready(self) -> bool:
        """Vrai une fois les grilles d'accélération construites."""
        with self._lock:
            return self._grid is not None

    def _tree_lookup(self, x: FloatArray, y: FloatArray) -> IntArray:
        """Test direct : STRtree, prédicat `intersects` ; le plus petit rang gagne."""
        with self._lock:
            if self._tree is None:
                self._tree = shapely.STRtree(self._geoms)
            tree = self._tree
        pairs = tree.query(shapely.points(x, y), predicate="intersects")
        found = np.full(len(x), -1, dtype=np.int64)
        order = np.lexsort((pairs[1], pairs[0]))[::-1]
        found[pairs[0][order]] = pairs[1][order]
        return found

    def locate(self, lons: npt.ArrayLike, lats: npt.ArrayLike) -> ObjectArray:
        """Code du périmètre contenant chaque point (`None` dehors)."""
        result: ObjectArray = self.codes[self.locate_indices(lons, lats)]
        return result

    def nearest(self, lons: npt.ArrayLike, lats: npt.ArrayLike) -> tuple[IntArray, FloatArray]:
        """Rang du périmètre le plus proche et distance en mètres (0 dedans, NaN si invalide),
        mesurée dans la projection locale du point ; à égalité, le plus petit rang."""
        x, y = _as_arrays(lons, lats)
        best = self.locate_indices(x, y)
        dist = np.where(best >= 0, 0.0, np.nan)
        valid = (x >= -180) & (x <= 180) & (y >= -90) & (y <= 90)
        todo = np.flatnonzero(valid & (best < 0))
        if not len(self.perimeters) or not len(todo):
            return best, dist
        epsgs = local_epsg_array(x[todo], y[todo])
        for epsg in np.unique(epsgs).tolist():
            sel = todo[epsgs == epsg]
            tree, ranks = self._projected_tree(int(epsg))
            if not len(ranks):
                continue
            px, py = transformer(WGS84, int(epsg)).transform(x[sel], y[sel])
            px, py = np.asarray(px, dtype=np.float64), np.asarray(py, dtype=np.float64)
            finite = np.isfinite(px) & np.isfinite(py)
            sel, px, py = sel[finite], px[finite], py[finite]
            pairs, metres = tree.query_nearest(
                shapely.points(px, py), return_distance=True, all_matches=True
            )
            # Plusieurs périmètres à égale distance : le plus petit rang, comme pour `locate`.
            order = np.lexsort((ranks[pairs[1]], pairs[0]))
            _, first = np.unique(pairs[0][order], return_index=True)
            chosen = order[first]
            best[sel[pairs[0][chosen]]] = ranks[pairs[1][chosen]]
            dist[sel[pairs[0][chosen]]] = metres[chosen]
        return best, dist

    def distance_m(self, lons: npt.ArrayLike, lats: npt.ArrayLike) -> FloatArray:
        """Distance en mètres au périmètre le plus proche (0 à l'intérieur, NaN si invalide)."""
        return self.nearest(lons, lats)[1]

    def _projected_tree(self, epsg: int) -> tuple[Any, IntArray]:
        """STRtree des arêtes des périmètres projetés dans `epsg` (mis en cache), avec le rang du
        périmètre de chaque arête. Hors d'un périmètre, la distance au périmètre est celle à la
        plus proche de ses arêtes : indexer les arêtes évite de mesurer des polygones entiers.
        Les arêtes que la projection ne sait pas représenter (coordonnées infinies) sont omises."""
        with self._lock:
            cached = self._projected.get(epsg)
        if cached is None:
            parts, part_owner = shapely.get_parts(self._geoms, return_index=True)
            rings, ring_owner = shapely.get_rings(parts, return_index=True)
            coords, ring_of = shapely.get_coordinates(rings, return_index=True)
            px, py = transformer(WGS84, epsg).transform(coords[:, 0], coords[:, 1])
            xy = np.column_stack((px, py))
            same = (ring_of[1:] == ring_of[:-1]) & np.isfinite(xy[1:]).all(axis=1)
            same &= np.isfinite(xy[:-1]).all(axis=1)
            segments = shapely.linestrings(np.stack((xy[:-1][same], xy[1:][same]), axis=1))
            ranks = part_owner[ring_owner[ring_of[:-1][same]]].astype(np.int64)
            cached = (shapely.STRtree(segments), ranks)
            with self._lock:
                self._projected[epsg] = cached
        return cached


def _as_arrays(lons: npt.ArrayLike, lats: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    x = np.asarray(lons, dtype=np.float64).ravel()
    y = np.asarray(lats, dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise ValueError("longitudes et latitudes doivent avoir la même longueur")
    return x, y
