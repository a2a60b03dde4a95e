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
import sys
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
    from quartiers.zoning.services import save_records

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
    from quartiers.demo.territories import build_demo_territories

    return build_demo_territories(AGGLOMERATION, COMMUNES)


def build_zonings() -> str:
    from quartiers.demo.zonings import build_demo_zonings

    return build_demo_zonings()


DemoStep = Callable[[], str]
DEMO_STEPS: list[DemoStep] = [build_geography, build_territories, build_zonings]


# -- Adresses fictives (format BAN) pour le géocodeur embarqué ----------------------------------

DEMO_POSTCODE = "18999"
# (commune, nom de voie, départ (dlon, dlat), arrivée (dlon, dlat) depuis CENTRE, nombre de numéros)
DEMO_STREETS: tuple[tuple[str, str, tuple[float, float], tuple[float, float], int], ...] = (
    ("18999", "Avenue des Tilleuls", (-0.022, 0.004), (-0.002, 0.004), 60),
    ("18999", "Rue Victor Hugo", (-0.004, -0.002), (0.006, 0.002), 40),
    ("18999", "Boulevard de la Lune", (0.002, -0.012), (0.018, 0.000), 50),
    ("18999", "Rue de la Gare", (0.001, 0.004), (0.001, 0.020), 44),
    ("18999", "Chemin des Rives", (-0.028, -0.012), (-0.012, -0.012), 40),
    ("18999", "Place de la Mairie", (-0.001, -0.001), (0.001, 0.000), 12),
    ("18999", "Impasse des Lilas", (0.004, 0.006), (0.006, 0.007), 10),
    ("18999", "Allée du Marché", (-0.003, 0.001), (-0.001, 0.002), 16),
    ("18999", "Rue Saint-Éloi", (-0.012, -0.002), (-0.012, 0.012), 40),
    ("18999", "Rue du Général de Gaulle", (0.004, -0.004), (0.016, -0.010), 36),
    ("18998", "Rue des Aubépines", (0.024, 0.010), (0.042, 0.006), 50),
    ("18998", "Route de Bellerive", (0.006, 0.004), (0.024, 0.014), 30),
    ("18998", "Rue Sainte-Anne", (0.030, 0.016), (0.034, 0.022), 20),
)


def demo_addresses() -> list[dict[str, str]]:
    """Adresses FICTIVES de Bellerive et Saint-Aubin-sur-Lune, au format des fichiers BAN.

    Les voies traversent les quartiers de démonstration ou passent à côté ; numéros impairs
    d'un côté, pairs de l'autre, et quelques « bis » et « ter ».
    """
    from quartiers.core.geo.crs import transformer

    to_l93 = transformer(4326, 2154)
    rows: list[dict[str, str]] = []
    lon0, lat0 = CENTRE
    for street_no, (insee, name, start, end, count) in enumerate(DEMO_STREETS, start=1):
        fantoir = f"{insee}_x{street_no:03d}"
        ax, ay = lon0 + start[0], lat0 + start[1]
        bx, by = lon0 + end[0], lat0 + end[1]
        length = math.hypot((bx - ax) * math.cos(math.radians(ay)), by - ay) or 1e-9
        # Décalage perpendiculaire d'une dizaine de mètres : impairs à gauche, pairs à droite.
        nx = -(by - ay) / length * 0.00009
        ny = (bx - ax) * math.cos(math.radians(ay)) / length * 0.00009
        for number in range(1, count + 1):
            t = ((number - 1) // 2) / max(1, (count - 1) // 2)
            side = 1 if number % 2 else -1
            lon = ax + (bx - ax) * t + side * nx / math.cos(math.radians(ay))
            lat = ay + (by - ay) * t + side * ny
            reps = [""]
            if number % 7 == 3:
                reps.append("bis")
            if number % 11 == 5:
                reps.append("ter")
            for k, rep in enumerate(reps):
                plon, plat = lon + k * 0.00004, lat + k * 0.00002
                x, y = to_l93.transform(plon, plat)
                rows.append(
                    {
                        "id": f"{fantoir}_{number:05d}{rep}",
                        "id_fantoir": fantoir,
                        "numero": str(number),
                        "rep": rep,
                        "nom_voie": name,
                        "code_postal": DEMO_POSTCODE,
                        "code_insee": insee,
                        "nom_commune": COMMUNES[insee],
                        "code_insee_ancienne_commune": "",
                        "nom_ancienne_commune": "",
                        "x": f"{x:.2f}",
                        "y": f"{y:.2f}",
                        "lon": f"{plon:.6f}",
                        "lat": f"{plat:.6f}",
                        "type_position": "entrée",
                        "alias": "",
                        "nom_ld": "",
                        "libelle_acheminement": COMMUNES[insee].upper(),
                        "nom_afnor": name.upper(),
                        "source_position": FICTITIOUS,
                        "source_nom_voie": FICTITIOUS,
                        "certification_commune": "0",
                        "cad_parcelles": "",
                    }
                )
    return rows


def write_demo_ban_file(path: Any) -> int:
    """Écrit le fichier BAN fictif (séparateur « ; ») ; renvoie le nombre d'adresses."""
    import csv
    from pathlib import Path

    from quartiers.core.geo.geocoding.ban_file import BAN_COLUMNS

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    rows = demo_addresses()
    tmp = target.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=BAN_COLUMNS, delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(target)
    return len(rows)


def build_addresses() -> str:
    from quartiers.addresses.geocoder import demo_ban_path

    path = demo_ban_path()
    count = write_demo_ban_file(path)
    return f"adresses fictives pour le géocodeur embarqué : {count} adresses ({path})"


DEMO_STEPS.append(build_addresses)


def is_empty() -> bool:
    from quartiers.zoning.models import ZoningEdition

    return not ZoningEdition.objects.exists()


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
    from django.conf import settings

    if settings.QUARTIERS_PRODUCTION:
        print(
            "Erreur : la démonstration (territoire et comptes fictifs) ne se charge pas en mode "
            "production (QUARTIERS_ENV=production).",
            file=sys.stderr,
        )
        return 2
    from quartiers.demo.accounts import build_demo_accounts, demo_accounts_missing

    if args.if_empty and not is_empty():
        print("Base déjà garnie : démonstration non rechargée.")
        if demo_accounts_missing():
            print(f"  - {build_demo_accounts()}")
        return 0
    print(f"Chargement de la démonstration : {AGGLOMERATION}")
    for line in build():
        print(f"  - {line}")
    print(f"  - {build_demo_accounts()}")
    from quartiers.demo.funding import build_demo_funding

    print(f"  - {build_demo_funding()}")
    return 0
