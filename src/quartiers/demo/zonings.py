"""Zonages de démonstration FICTIFS sur Bellerive : ZFU-TE, quartier de reconquête républicaine,
contours des deux communes, classement ZRR, écoles REP et REP+.

Tout est inventé (codes, noms, contours, classements) et étiqueté « fictif » : ces listes
montrent à quoi ressemblent les réponses, elles ne disent rien d'un territoire réel.
"""

from __future__ import annotations

import datetime as dt

import shapely

from quartiers.core.geo import PerimeterRecord
from quartiers.core.geo.zonings import School, ZrrEntry, ZrrStatus
from quartiers.demo import AGGLOMERATION, CENTRE, COMMUNES, FICTITIOUS, _blob

SOURCE = f"démonstration — {AGGLOMERATION}"
ZFU_TE_EDITION = "2015-demo"
QRR_EDITION = "2018-demo"
COMMUNES_EDITION = "demo"
ZRR_EDITION = "2017-demo"
REP_EDITION = "2015-demo"
ZRR_VALIDITY = (dt.date(2017, 7, 1), dt.date(2024, 6, 30))
ZRR_REFERENCE = (
    "Liste FICTIVE de démonstration (territoire fictif de Bellerive), sur le modèle du classement "
    "ZRR antérieur à la réforme France Ruralités Revitalisation du 1er juillet 2024"
)


def _shifted(points: list[tuple[float, float]]) -> shapely.Polygon:
    lon, lat = CENTRE
    return shapely.Polygon([(round(lon + dx, 6), round(lat + dy, 6)) for dx, dy in points])


def zfu_te_perimeters() -> list[PerimeterRecord]:
    lon, lat = CENTRE
    return [
        PerimeterRecord(
            code="ZF018991",
            name=f"Bellerive – Champ-de-la-Lune (ZFU-TE, {FICTITIOUS})",
            geometry=_blob(lon + 0.012, lat - 0.007, 700, 11),
            insee_codes=("18999",),
            commune_names=(COMMUNES["18999"],),
            department_code="18",
        )
    ]


def qrr_perimeters() -> list[PerimeterRecord]:
    lon, lat = CENTRE
    return [
        PerimeterRecord(
            code="QRR01899",
            name=f"Bellerive – Les Tilleuls (quartier de reconquête républicaine, {FICTITIOUS})",
            geometry=_blob(lon - 0.012, lat + 0.004, 650, 12),
            insee_codes=("18999",),
            commune_names=(COMMUNES["18999"],),
            department_code="18",
        )
    ]


def commune_perimeters() -> list[PerimeterRecord]:
    """Les contours (fictifs) des deux communes : un point y trouve sa commune, donc sa ZRR."""
    bellerive = [
        (-0.045, -0.03),
        (0.022, -0.03),
        (0.022, 0.003),
        (0.0065, 0.003),
        (0.0065, 0.03),
        (-0.045, 0.03),
    ]
    saint_aubin = [
        (0.022, -0.03),
        (0.07, -0.03),
        (0.07, 0.03),
        (0.0065, 0.03),
        (0.0065, 0.003),
        (0.022, 0.003),
    ]
    return [
        PerimeterRecord(
            code=code,
            name=COMMUNES[code],
            geometry=_shifted(points),
            insee_codes=(code,),
            commune_names=(COMMUNES[code],),
            department_code="18",
        )
        for code, points in (("18999", bellerive), ("18998", saint_aubin))
    ]


def zrr_entries() -> list[ZrrEntry]:
    """Saint-Aubin-sur-Lune (fictive) classée, Bellerive (fictive) non classée."""
    return [ZrrEntry("18998", ZrrStatus.CLASSEE), ZrrEntry("18999", ZrrStatus.NON_CLASSEE)]


def rep_schools() -> list[School]:
    lon, lat = CENTRE
    return [
        School(
            "0189901A",
            f"École élémentaire des Tilleuls ({FICTITIOUS})",
            round(lon - 0.0115, 6),
            round(lat + 0.0045, 6),
            "REP+",
        ),
        School(
            "0189902B",
            f"Collège de la Lune ({FICTITIOUS})",
            round(lon + 0.011, 6),
            round(lat - 0.005, 6),
            "REP",
        ),
        School(
            "0189903C",
            f"École primaire des Aubépines ({FICTITIOUS})",
            round(lon + 0.031, 6),
            round(lat + 0.009, 6),
            "REP",
        ),
    ]


def build_demo_zonings() -> str:
    from quartiers.zoning.catalogue import save_schools, save_zrr
    from quartiers.zoning.services import save_records

    save_records(
        zfu_te_perimeters(),
        ZFU_TE_EDITION,
        "zfu_te",
        dt.date(2015, 1, 1),
        None,
        False,
        source=SOURCE,
    )
    save_records(
        qrr_perimeters(), QRR_EDITION, "qrr", dt.date(2018, 9, 1), None, False, source=SOURCE
    )
    save_records(
        commune_perimeters(), COMMUNES_EDITION, "commune", None, None, False, source=SOURCE
    )
    save_zrr(zrr_entries(), ZRR_EDITION, *ZRR_VALIDITY, reference=ZRR_REFERENCE, source=SOURCE)
    save_schools(
        rep_schools(),
        REP_EDITION,
        dt.date(2015, 9, 1),
        None,
        reference=f"Liste FICTIVE de démonstration ({AGGLOMERATION})",
        source=SOURCE,
    )
    return (
        "zonages fictifs : 1 ZFU-TE, 1 quartier de reconquête républicaine, contours des 2 "
        "communes, classement ZRR (Saint-Aubin-sur-Lune classée, jusqu'au 30/06/2024), "
        "3 écoles REP/REP+"
    )
