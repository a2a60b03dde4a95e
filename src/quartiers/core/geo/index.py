"""Index point → périmètre : pour chaque point, le code du périmètre qui le contient.

Exact sur la géométrie (un point sur la limite compte comme dedans) et sans Django ni base,
pour les analystes : `ZoningIndex.from_file(chemin).locate(lons, lats)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

from quartiers.core.geo.crs import local_epsg, transformer
from quartiers.core.geo.perimeters import PerimeterRecord, read_perimeters

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ObjectArray = npt.NDArray[np.object_]


class ZoningIndex:
    """Index en mémoire des périmètres d'une édition d'un zonage."""

    def __init__(self, perimeters: Sequence[PerimeterRecord]) -> None:
        self.perimeters: list[PerimeterRecord] = list(perimeters)
        self.codes: ObjectArray = np.array([p.code for p in self.perimeters] + [None], dtype=object)
        self._by_code = {p.code: i for i, p in enumerate(self.perimeters)}
        self._geoms = np.array([p.geometry for p in self.perimeters], dtype=object)
        shapely.prepare(self._geoms)
        self._tree = shapely.STRtree(self._geoms)

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

    def locate_indices(self, lons: npt.ArrayLike, lats: npt.ArrayLike) -> IntArray:
        """Rang du périmètre contenant chaque point, -1 hors de tout périmètre ou coordonnée invalide."""
        x, y = _as_arrays(lons, lats)
        out = np.full(len(x), -1, dtype=np.int64)
        ok = np.isfinite(x) & np.isfinite(y)
        if not len(self.perimeters) or not ok.any():
            return out
        points = shapely.points(x[ok], y[ok])
        pairs = self._tree.query(points, predicate="intersects")
        found = np.full(len(points), -1, dtype=np.int64)
        # En cas de chevauchement (impossible dans une liste officielle), le plus petit rang gagne.
        order = np.lexsort((pairs[1], pairs[0]))[::-1]
        found[pairs[0][order]] = pairs[1][order]
        out[np.flatnonzero(ok)] = found
        return out

    def locate(self, lons: npt.ArrayLike, lats: npt.ArrayLike) -> ObjectArray:
        """Code du périmètre contenant chaque point (`None` dehors)."""
        result: ObjectArray = self.codes[self.locate_indices(lons, lats)]
        return result

    def nearest(self, lons: npt.ArrayLike, lats: npt.ArrayLike) -> tuple[IntArray, FloatArray]:
        """Rang du périmètre le plus proche et distance en mètres (0 dedans), en projection locale."""
        x, y = _as_arrays(lons, lats)
        n = len(x)
        best = np.full(n, -1, dtype=np.int64)
        dist = np.full(n, np.nan)
        ok = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
        if not len(self.perimeters) or not len(ok):
            return best, dist
        points = shapely.points(x[ok], y[ok])
        # Candidats : les plus proches en degrés, puis mesure exacte en projection locale.
        pairs = self._tree.query_nearest(points, all_matches=True)
        for point_pos, geom_pos in zip(pairs[0], pairs[1], strict=True):
            i = ok[point_pos]
            d = self._distance_m(float(x[i]), float(y[i]), int(geom_pos))
            if np.isnan(dist[i]) or d < dist[i]:
                dist[i], best[i] = d, geom_pos
        return best, dist

    def distance_m(self, lons: npt.ArrayLike, lats: npt.ArrayLike) -> FloatArray:
        """Distance en mètres au périmètre le plus proche (0 à l'intérieur, NaN si invalide)."""
        return self.nearest(lons, lats)[1]

    def _distance_m(self, lon: float, lat: float, geom_pos: int) -> float:
        epsg = local_epsg(lon, lat)
        tr = transformer(4326, epsg)
        geom = self._projected(geom_pos, epsg)
        px, py = tr.transform(lon, lat)
        return float(shapely.distance(geom, shapely.Point(px, py)))

    def _projected(self, geom_pos: int, epsg: int) -> Any:
        cache: dict[tuple[int, int], Any] = self.__dict__.setdefault("_proj_cache", {})
        key = (geom_pos, epsg)
        if key not in cache:
            tr = transformer(4326, epsg)
            cache[key] = shapely.transform(
                self._geoms[geom_pos], lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1]))
            )
        return cache[key]


def _as_arrays(lons: npt.ArrayLike, lats: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    x = np.asarray(lons, dtype=np.float64).ravel()
    y = np.asarray(lats, dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise ValueError("longitudes et latitudes doivent avoir la même longueur")
    bad = (x < -180) | (x > 180) | (y < -90) | (y > 90)
    if bad.any():
        x = x.copy()
        y = y.copy()
        x[bad] = np.nan
        y[bad] = np.nan
    return x, y
