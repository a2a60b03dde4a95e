"""Territoire de démonstration : une agglomération FICTIVE, pour explorer l'application hors ligne.

« Agglomération de Bellerive (territoire fictif) » : des quartiers aux contours réalistes
(irréguliers, l'un en deux parties), une liste « 2015 » et une liste « 2024 » qui diffèrent
(un quartier sort, un entre, un périmètre change), pour que la date compte. Les codes suivent
les formats officiels mais ne désignent aucun quartier réel. Les autres modules ajoutent
leurs données de démonstration par `DEMO_STEPS`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
from collections.abc import Callable
from typing import Any

import shapely

from quartiers.core.geo import PerimeterRecord

FICTITIOUS = "territoire fictif"
AGGLOMERATION = "Agglomération de Bellerive (territoire fictif)"
DEPARTMENT = "018"  # rang de département des codes de démonstration (aucun quartier réel)
COMMUNES = {"18999": "Bellerive (fictive)", "18998": "Saint-Aubin-sur-Lune (fictive)"}
CENTRE = (2.4000, 46.6500)


def _blob(lon: float, lat: float, radius_m: float, seed: int, vertices: int = 36) -> Any:
    """Polygone irrégulier autour d'un centre : le contour d'un quartier dessiné à la main."""
    rng = random.Random(seed)
    dlat = radius_m / 111_320
    dlon = radius_m / (111_320 * math.cos(math.radians(lat)))
    phases = [rng.uniform(0, 2 * math.pi) for _ in range(3)]
    points = []
    for k in range(vertices):
        a = 2 * math.pi * k / vertices
        r = (
            1
            + 0.18 * math.sin(3 * a + phases[0])
            + 0.1 * math.sin(5 * a + phases[1])
            + 0.05 * math.sin(9 * a + phases[2])
        )
        points.append(
            (round(lon + dlon * r * math.cos(a), 6), round(lat + dlat * r * math.sin(a), 6))
        )
    return shapely.Polygon(points)


def _quartier(code: str, name: str, insee: str, geometry: Any, population: int) -> PerimeterRecord:
    return PerimeterRecord(
        code=code,
        name=f"{name} ({FICTITIOUS})",
        geometry=geometry,
        insee_codes=(insee,),
        commune_names=(COMMUNES[insee],),
        department_code="18",
        region_code="24",
        uu_code="18999",
        population=population,
    )


def perimeters_2015() -> list[PerimeterRecord]:
    lon, lat = CENTRE
    return [
        _quartier(
            "QP018901", "Les Tilleuls", "18999", _blob(lon - 0.012, lat + 0.004, 420, 1), 3850
        ),
        _quartier(
            "QP018902", "Champ-de-la-Lune", "18999", _blob(lon + 0.010, lat - 0.006, 360, 2), 2410
        ),
        _quartier(
            "QP018903", "Gare - Faubourg", "18999", _blob(lon + 0.001, lat + 0.013, 260, 3), 1320
        ),
        _quartier(
            "QP018904",
            "Les Aubépines",
            "18998",
            shapely.MultiPolygon(
                [_blob(lon + 0.030, lat + 0.010, 300, 4), _blob(lon + 0.039, lat + 0.006, 180, 5)]
            ),
            2090,
        ),
    ]


def perimeters_2024() -> list[PerimeterRecord]:
    lon, lat = CENTRE
    return [
        # Les Tilleuls : périmètre élargi.
        _quartier(
            "QN01801M", "Les Tilleuls", "18999", _blob(lon - 0.012, lat + 0.004, 520, 1), 4420
        ),
        _quartier(
            "QN01802M", "Champ-de-la-Lune", "18999", _blob(lon + 0.010, lat - 0.006, 360, 2), 2380
        ),
        # Gare - Faubourg sort de la géographie prioritaire ; Les Rives entre.
        _quartier("QN01803M", "Les Rives", "18999", _blob(lon - 0.020, lat - 0.012, 300, 6), 1650),
        _quartier(
            "QN01804M",
            "Les Aubépines",
            "18998",
            shapely.MultiPolygon(
                [_blob(lon + 0.030, lat + 0.010, 300, 4), _blob(lon + 0.039, lat + 0.006, 180, 5)]
            ),
            2050,
        ),
    ]


def build_geography() -> str:
    from quartiers.territories.services import save_records

    save_records(
        perimeters_2015(),
        "2015",
        "qpv",
        dt.date(2015, 1, 1),
        dt.date(2023, 12, 31),
        False,
        source=f"démonstration — {AGGLOMERATION}",
    )
    save_records(
        perimeters_2024(),
        "2024",
        "qpv",
        dt.date(2024, 1, 1),
        None,
        False,
        source=f"démonstration — {AGGLOMERATION}",
    )
    return "géographie prioritaire : listes 2015 et 2024 (4 quartiers chacune)"


def build_territories() -> str:
    from quartiers.territories.reference import build_demo_territories

    return build_demo_territories()


DemoStep = Callable[[], str]
DEMO_STEPS: list[DemoStep] = [build_geography, build_territories]


def is_empty() -> bool:
    from quartiers.territories.models import ZoningLayer

    return not ZoningLayer.objects.exists()


def build() -> list[str]:
    """Construit toutes les données de démonstration ; renvoie ce qui a été fait."""
    return [step() for step in DEMO_STEPS]


def register(sub: Any) -> None:
    demo = sub.add_parser("demo", help=f"charger le territoire de démonstration ({AGGLOMERATION})")
    demo.add_argument(
        "--if-empty", action="store_true", help="ne rien faire si la base contient déjà des zonages"
    )
    demo.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    from quartiers.cli import setup_django

    setup_django()
    if args.if_empty and not is_empty():
        print("Base déjà garnie : démonstration non rechargée.")
        return 0
    print(f"Chargement de la démonstration : {AGGLOMERATION}")
    for line in build():
        print(f"  - {line}")
    return 0
