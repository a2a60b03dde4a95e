"""Géographie prioritaire : zonages, projections, index point → QPV, géocodage, identification.

API de bibliothèque, utilisable sans Django ni base de données :

    from quartiers.core.geo import ZoningIndex
    index = ZoningIndex.from_file("qp.geojson")
    index.locate(lons, lats)      # codes (None hors périmètre)
    index.distance_m(lons, lats)  # mètres au périmètre le plus proche
"""

from quartiers.core.geo.errors import Problem, ZoningFileError
from quartiers.core.geo.index import ZoningIndex
from quartiers.core.geo.perimeters import PerimeterFile, PerimeterRecord, read_perimeters

__all__ = [
    "PerimeterFile",
    "PerimeterRecord",
    "Problem",
    "ZoningFileError",
    "ZoningIndex",
    "read_perimeters",
]
