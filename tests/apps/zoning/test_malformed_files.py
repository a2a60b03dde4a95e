"""Un mauvais fichier ne remplace jamais une bonne édition (issue 9, §5).

L'édition 2015 réelle (Occitanie, 105 périmètres) est importée, puis chaque fichier mal formé :
chacun est refusé avec un message en français et l'édition en place reste intacte. Ces tests
touchent la base : `make test` les rejoue sur PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import pytest
import shapely

from quartiers.cli import main
from quartiers.core.geo import ZoningFileError
from quartiers.core.geo.crs import transformer
from quartiers.zoning import services
from quartiers.zoning.models import Perimeter, ZoningEdition

pytestmark = pytest.mark.django_db

Doc = dict[str, Any]


def _occitanie(path: Path) -> Doc:
    doc: Doc = json.loads(path.read_text(encoding="utf-8"))
    return doc


def _map_coords(doc: Doc, fn: Callable[[np.ndarray], np.ndarray]) -> Doc:
    for feature in doc["features"]:
        geom = shapely.geometry.shape(feature["geometry"])
        feature["geometry"] = shapely.geometry.mapping(shapely.transform(geom, fn))
    return doc


def _lambert93(xy: np.ndarray) -> np.ndarray:
    tr = transformer(4326, 2154)
    return np.column_stack(tr.transform(xy[:, 0], xy[:, 1]))


def lambert_without_crs(doc: Doc) -> Doc:
    doc.pop("crs", None)
    return _map_coords(doc, _lambert93)


def lambert_declared_4326(doc: Doc) -> Doc:
    doc["crs"] = {"type": "name", "properties": {"name": "EPSG:4326"}}
    return _map_coords(doc, _lambert93)


def longitude_400(doc: Doc) -> Doc:
    return _map_coords(doc, lambda xy: np.column_stack([xy[:, 0] + 398.6, xy[:, 1]]))


def swapped_lat_lon(doc: Doc) -> Doc:
    return _map_coords(doc, lambda xy: xy[:, ::-1].copy())


def nan_coordinates(doc: Doc) -> Doc:
    ring = doc["features"][3]["geometry"]["coordinates"][0]
    ring[1] = [math.nan, math.nan]
    return doc


def flat_polygon(doc: Doc) -> Doc:
    doc["features"][5]["geometry"] = {
        "type": "Polygon",
        "coordinates": [[[1.4, 43.6], [1.41, 43.6], [1.42, 43.6], [1.4, 43.6]]],
    }
    return doc


def name_too_long(doc: Doc) -> Doc:
    doc["features"][7]["properties"]["nom_qp"] = "Quartier " * 40
    return doc


def negative_population(doc: Doc) -> Doc:
    doc["features"][2]["properties"]["population"] = -12
    return doc


def infinite_population(doc: Doc) -> Doc:
    doc["features"][2]["properties"]["population"] = "inf"
    return doc


def huge_population(doc: Doc) -> Doc:
    doc["features"][2]["properties"]["population"] = 1e300
    return doc


def department_too_long(doc: Doc) -> Doc:
    doc["features"][4]["properties"]["code_departement"] = "31-Haute-Garonne"
    return doc


def far_from_department(doc: Doc) -> Doc:
    # Un périmètre de Haute-Garonne déplacé à La Réunion : en France, mais pas dans son département.
    return _map_coords(
        {**doc, "features": doc["features"][:1]},
        lambda xy: np.column_stack([xy[:, 0] + 52.6, xy[:, 1] - 63.8]),
    )


MALFORMED: list[tuple[Callable[[Doc], Doc], str]] = [
    (lambert_without_crs, r"ressemblent à du Lambert-93 : EPSG:2154 \?"),
    (lambert_declared_4326, r"hors du domaine de validité du CRS déclaré.*EPSG:2154 \?"),
    (longitude_400, r"hors du domaine de validité du CRS déclaré"),
    (swapped_lat_lon, r"latitude et longitude inversées \?"),
    (nan_coordinates, r"non numériques|NaN"),
    (flat_polygon, r"irréparable|surface nulle"),
    (name_too_long, r"objet n° 8, champ « name » : nom : \d+ caractères, au plus 300"),
    (negative_population, r"objet n° 3, champ « population » : population -12(\.0)? négative"),
    (infinite_population, r"champ « population » : population « inf » n'est pas un nombre fini"),
    (huge_population, r"champ « population » : population 1e\+300 démesurée"),
    (department_too_long, r"objet n° 5, champ « department_code » .*au plus 3"),
    (far_from_department, r"périmètre en La Réunion .*loin de son département 66"),
]


def _import_good(path: Path) -> None:
    services.import_zoning(
        path, "2015", valid_from=dt.date(2015, 1, 1), valid_to=dt.date(2023, 12, 31)
    )


def _unchanged() -> None:
    edition = ZoningEdition.objects.get(zoning_kind="qpv", edition="2015")
    assert edition.valid_to == dt.date(2023, 12, 31)
    assert Perimeter.objects.filter(zoning_edition=edition).count() == 105
    mirail = Perimeter.objects.get(zoning_edition=edition, code="QP031007")
    assert mirail.name == "Grand Mirail" and 1.3 < mirail.min_lon < 1.5
    assert math.isfinite(mirail.area_m2) and mirail.area_m2 > 10_000


@pytest.mark.parametrize(("damage", "message"), MALFORMED, ids=[fn.__name__ for fn, _ in MALFORMED])
def test_malformed_file_refused_and_edition_kept(
    damage: Callable[[Doc], Doc],
    message: str,
    occitanie_qp: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _import_good(occitanie_qp)
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps(damage(_occitanie(occitanie_qp))), encoding="utf-8")
    code = main(["qpv", "import", str(bad), "--edition", "2015", "--valid-from", "2024-01-01"])
    err = capsys.readouterr().err
    assert code == 1
    assert "refusé, rien n'a été importé" in err
    assert "Traceback" not in err and "Error" not in err.replace("Erreur", "")
    import re

    assert re.search(message, err), err
    _unchanged()


def _gpkg(path: Path, layer: str, code: str, x: float) -> None:
    geom = shapely.box(x, 43.6, x + 0.01, 43.61)
    pyogrio.raw.write(
        str(path),
        geometry=np.array([shapely.to_wkb(geom)], dtype=object),
        field_data=[np.array([code]), np.array([f"Essai {layer}"])],
        fields=["code_qp", "nom_qp"],
        crs="EPSG:4326",
        geometry_type="Polygon",
        driver="GPKG",
        layer=layer,
        append=path.exists(),
    )


def test_geopackage_with_several_layers_needs_layer(occitanie_qp: Path, tmp_path: Path) -> None:
    _import_good(occitanie_qp)
    gpkg = tmp_path / "deux.gpkg"
    _gpkg(gpkg, "qp_2015", "QP031001", 1.40)
    _gpkg(gpkg, "qp_brouillon", "QP031002", 1.45)
    with pytest.raises(ZoningFileError, match=r"2 couches \(qp_2015, qp_brouillon\).*--layer"):
        services.import_zoning(gpkg, "2015")
    with pytest.raises(ZoningFileError, match="couche « autre » absente"):
        services.import_zoning(gpkg, "2015", layer="autre")
    _unchanged()
    report = services.import_zoning(gpkg, "essai", layer="qp_brouillon")
    assert report.count == 1
    assert Perimeter.objects.get(zoning_edition__edition="essai").code == "QP031002"


def test_second_import_of_same_edition_waits_then_is_refused(
    occitanie_qp: Path, settings: Any
) -> None:
    _import_good(occitanie_qp)
    settings.QUARTIERS_IMPORT_LOCK_WAIT_SECONDS = 0.5
    with services.edition_lock("qpv", "2015"):
        with pytest.raises(services.ZoningError, match="une autre importation de l'édition"):
            _import_good(occitanie_qp)
        # une autre édition n'attend pas
        services.import_zoning(occitanie_qp, "2015-copie")
    _unchanged()
    _import_good(occitanie_qp)  # verrou rendu : l'import suivant passe
    _unchanged()


def test_overlong_edition_refused_in_french(occitanie_qp: Path) -> None:
    with pytest.raises(services.ZoningError, match="au plus 32 caractères"):
        services.import_zoning(occitanie_qp, "2015-" + "x" * 40)
    assert ZoningEdition.objects.count() == 0


def test_records_checked_against_the_database_before_writing(occitanie_qp: Path) -> None:
    """Ce que GDAL laisserait passer (NUL, codes trop longs venus d'une identification…) est
    refusé avant l'écriture, le même message sur SQLite et PostgreSQL."""
    from quartiers.core.geo import PerimeterRecord

    _import_good(occitanie_qp)
    square = shapely.box(1.40, 43.60, 1.41, 43.61)
    records = [
        PerimeterRecord("QP031001", "Mirail\x00", square, department_code="31"),
        PerimeterRecord("QP031002", "B", square, epci_siren="2431000000000", population=-1),
        PerimeterRecord("QP031003", "C", square, insee_codes=("31555\x00",)),
    ]
    with pytest.raises(ZoningFileError) as caught:
        services.save_records(records, "2015", "qpv", None, None, False, source="essai")
    text = str(caught.value)
    assert "objet n° 1, champ « name » : nom : caractère NUL interdit" in text
    assert "objet n° 2, champ « epci_siren » : EPCI : 13 caractères, au plus 9" in text
    assert "objet n° 2, champ « population » : population : -1 hors des bornes" in text
    assert "objet n° 3, champ « insee_codes »" in text
    _unchanged()
