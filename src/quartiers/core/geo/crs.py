"""Systèmes de coordonnées : WGS84 pour stocker, la projection locale officielle pour mesurer.

Les distances et surfaces se calculent dans la projection légale de chaque territoire
(Lambert-93 en métropole, UTM locales outre-mer), jamais en degrés.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from pyproj import CRS, Transformer

WGS84 = 4326


@dataclass(frozen=True)
class Territory:
    """Un territoire et sa projection officielle, reconnu par son emprise en WGS84."""

    name: str
    epsg: int
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def contains(self, lon: float, lat: float) -> bool:
        return self.min_lon <= lon <= self.max_lon and self.min_lat <= lat <= self.max_lat


# Projections légales (décret n° 2006-272 modifié, arrêté du 5 mars 2019) ; emprises larges.
TERRITORIES: tuple[Territory, ...] = (
    Territory(
        "Guadeloupe, Martinique, Saint-Martin, Saint-Barthélemy", 5490, -63.3, 14.2, -60.7, 18.2
    ),
    Territory("Guyane", 2972, -54.7, 2.0, -51.5, 6.0),
    Territory("La Réunion", 2975, 55.1, -21.5, 55.9, -20.8),
    Territory("Mayotte", 4471, 44.9, -13.1, 45.4, -12.5),
    Territory("Saint-Pierre-et-Miquelon", 4467, -56.6, 46.7, -56.0, 47.2),
    Territory("Polynésie française", 3297, -155.0, -28.0, -134.0, -7.0),
    Territory("Nouvelle-Calédonie", 3163, 163.0, -23.0, 169.0, -19.0),
)
METROPOLE = Territory("France métropolitaine", 2154, -5.5, 41.0, 10.0, 51.5)


def local_epsg(lon: float, lat: float) -> int:
    """Projection locale officielle pour un point ; Lambert-93 par défaut (métropole et ailleurs)."""
    for territory in TERRITORIES:
        if territory.contains(lon, lat):
            return territory.epsg
    return METROPOLE.epsg


def local_epsg_array(lons: npt.ArrayLike, lats: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """`local_epsg` pour des tableaux de points, d'un bloc (premier territoire reconnu)."""
    x = np.asarray(lons, dtype=np.float64)
    y = np.asarray(lats, dtype=np.float64)
    out = np.full(x.shape, METROPOLE.epsg, dtype=np.int64)
    todo = np.ones(x.shape, dtype=bool)
    for territory in TERRITORIES:
        inside = (
            todo
            & (x >= territory.min_lon)
            & (x <= territory.max_lon)
            & (y >= territory.min_lat)
            & (y <= territory.max_lat)
        )
        out[inside] = territory.epsg
        todo &= ~inside
    return out


@lru_cache(maxsize=64)
def transformer(source_epsg: int | str, target_epsg: int | str) -> Transformer:
    """Transformateur pyproj mis en cache, axes dans l'ordre (x=longitude, y=latitude)."""
    return Transformer.from_crs(
        CRS.from_user_input(source_epsg), CRS.from_user_input(target_epsg), always_xy=True
    )


def is_wgs84(crs: CRS) -> bool:
    """Vrai si le CRS est WGS84 géographique (EPSG:4326 ou OGC CRS84)."""
    if crs.to_epsg() == WGS84:
        return True
    return bool(
        crs.is_geographic and crs.datum and "WGS" in crs.datum.name and "84" in crs.datum.name
    )
