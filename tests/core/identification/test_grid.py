"""Lecture des grilles : en-têtes Filosofi 2015/2017/2019, identifiants, erreurs précises."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from quartiers.core.identification import IdentificationError
from quartiers.core.identification.grid import read_grid
from quartiers.core.identification.units import read_composition, read_urban_units
from tests.conftest import shared

HEADER_2019 = "idcar_200m;idcar_1km;i_est_200;lcog_geo;ind;men;men_pauv;ind_snv\n"


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_filosofi_2019_header_and_cell_id_decoding(tmp_path):
    path = write(
        tmp_path,
        "f2019.csv",
        HEADER_2019
        + "CRS3035RES200mN2893400E3763200;x;0;7505675101;120,5;50;10;2411000,5\n"
        + "CRS3035RES200mN2893600E3763200;x;1;75056;80;30;3;1800000\n",
    )
    grid = read_grid(path)
    assert grid.crs == "EPSG:3035"
    assert grid.col.tolist() == [3763200 // 200] * 2
    assert grid.row.tolist() == [2893400 // 200, 2893600 // 200]
    assert grid.population.tolist() == [120.5, 80.0]
    assert grid.communes == ("75056",)  # lcog_geo concaténé : la première commune
    assert grid.imputed is not None and grid.imputed.tolist() == [False, True]
    assert grid.cell_ids() == [
        "CRS3035RES200mN2893400E3763200",
        "CRS3035RES200mN2893600E3763200",
    ]


def test_filosofi_2015_and_2017_headers(tmp_path):
    p2015 = write(
        tmp_path,
        "f2015.csv",
        "IdINSPIRE,Id_carr1km,I_est_cr,Depcom,Ind,Men,Men_pauv,Ind_snv\n"
        "CRS3035RES200mN2029800E4254200,a,0,31555,100,40,20,1500000\n",
    )
    p2017 = write(
        tmp_path,
        "f2017.csv",
        "Idcar_200m;I_est_200;Groupe;lcog_geo;Ind;Men;Men_pauv;Ind_snv\n"
        "CRS3035RES200mN2029800E4254200;0;1;31555;100;40;20;1500000\n",
    )
    for path in (p2015, p2017):
        grid = read_grid(path)
        assert grid.communes == ("31555",)
        assert grid.income_sum is not None and grid.income_sum[0] == 1_500_000


def test_parquet_and_geopackage(tmp_path):
    table = pa.table(
        {
            "idcar_200m": ["CRS3035RES200mN2029800E4254200", "CRS3035RES200mN2029800E4254400"],
            "ind": [10.0, 20.0],
            "ind_snv": [200000.0, 300000.0],
        }
    )
    pq.write_table(table, tmp_path / "g.parquet")
    grid = read_grid(tmp_path / "g.parquet")
    assert grid.population.tolist() == [10.0, 20.0]

    import pyogrio
    import shapely

    boxes = shapely.box([700000, 700200], [6200000] * 2, [700200, 700400], [6200200] * 2)
    gtable = pa.table({"ind": [5.0, 7.0], "geometry": shapely.to_wkb(boxes).tolist()})
    pyogrio.write_arrow(
        gtable,
        tmp_path / "g.gpkg",
        driver="GPKG",
        geometry_name="geometry",
        crs="EPSG:2154",
        geometry_type="Polygon",
    )
    vgrid = read_grid(tmp_path / "g.gpkg")
    assert vgrid.crs == "EPSG:2154"
    assert vgrid.col.tolist() == [3500, 3501]
    assert vgrid.row.tolist() == [31000, 31000]


def test_real_reunion_grid_centroids_are_detected():
    grid = read_grid(
        shared("grid_rfl2010_reunion/reunion_rfl2010_200m.csv"), persons_per_household=2.8
    )
    assert len(grid) == 14076
    assert grid.crs == "EPSG:2975"  # suffixe _epsg2975 des colonnes
    assert grid.population_estimated
    assert grid.households is not None and grid.poor_households is not None
    # Premier carreau : centre (359 500 ; 7 634 300) → coin inférieur gauche (359 400 ; 7 634 200).
    assert (grid.x_min()[0], grid.y_min()[0]) == (359400.0, 7634200.0)
    assert np.isclose(grid.population[0], 5.069306930693069 * 2.8)


def test_bad_cell_id_names_file_row_and_field(tmp_path):
    path = write(
        tmp_path,
        "bad.csv",
        HEADER_2019
        + "CRS3035RES200mN2893400E3763200;x;0;75056;1;1;0;10\n"
        + "CRS3035RES200mN28934E;x;0;75056;1;1;0;10\n",
    )
    with pytest.raises(IdentificationError) as err:
        read_grid(path)
    message = str(err.value)
    assert "bad.csv" in message and "ligne 3" in message and "idcar_200m" in message
    assert "CRS3035RES200mN28934E" in message


def test_bad_number_names_file_row_and_field(tmp_path):
    path = write(
        tmp_path,
        "num.csv",
        HEADER_2019
        + "CRS3035RES200mN2893400E3763200;x;0;75056;12;1;0;10\n"
        + "CRS3035RES200mN2893600E3763200;x;0;75056;douze;1;0;10\n",
    )
    with pytest.raises(IdentificationError) as err:
        read_grid(path)
    assert str(err.value) == (
        f"fichier « {path} », ligne 3, champ « ind » : nombre attendu, lu « douze »"
    )


def test_missing_column(tmp_path):
    path = write(tmp_path, "nocol.csv", "idcar_200m;men_pauv\nCRS3035RES200mN2893400E3763200;1\n")
    with pytest.raises(IdentificationError) as err:
        read_grid(path)
    assert "colonne de population" in str(err.value) and "nocol.csv" in str(err.value)


def test_duplicate_cell(tmp_path):
    row = "CRS3035RES200mN2893400E3763200;x;0;75056;1;1;0;10\n"
    path = write(tmp_path, "dup.csv", HEADER_2019 + row + row)
    with pytest.raises(IdentificationError, match=r"ligne 3.*en double"):
        read_grid(path)


def test_generic_table_needs_a_crs(tmp_path):
    path = write(tmp_path, "xy.csv", "x,y,population\n700100,6200100,10\n")
    with pytest.raises(IdentificationError, match="projection"):
        read_grid(path)
    grid = read_grid(path, crs="EPSG:2154")
    assert (grid.col[0], grid.row[0]) == (3500, 31000)


def test_urban_units_and_composition_files(tmp_path):
    uu = write(tmp_path, "uu.csv", "UU2020;population;median_income_per_cu\n00758;1000000;23350\n")
    units = read_urban_units(uu)
    assert units["00758"].population == 1_000_000
    assert str(units["00758"].median_income_per_cu) == "23350.00"
    bad = write(tmp_path, "uu2.csv", "uu_code,population\n00758,beaucoup\n")
    with pytest.raises(IdentificationError, match="ligne 2, champ « population »"):
        read_urban_units(bad)
    composition = read_composition(
        shared("unites_urbaines/uu2020_composition_communale_geo2023.csv")
    )
    assert len(composition) == 34945
    assert composition["97411"] == "9D603"
    wrong = write(tmp_path, "comp.csv", "CODGEO,UU2020\n3155,00758\n")
    with pytest.raises(IdentificationError, match=r"ligne 2.*code commune"):
        read_composition(wrong)


def test_cells_placed_in_communes_by_geometry(tmp_path):
    """Sans lcog_geo : chaque carreau va dans la commune qui contient son centre (contours réels)."""
    import shapely

    from quartiers.core.geo.crs import transformer
    from quartiers.core.identification.grid import place_in_communes

    communes = shared("qpv2015_occitanie/communes.geojson")
    import json

    toulouse = next(
        f
        for f in json.loads(communes.read_text(encoding="utf-8"))["features"]
        if f["properties"]["code_commune"] == "31555"
    )
    lon, lat = shapely.geometry.shape(toulouse["geometry"]).representative_point().coords[0]
    x, y = transformer(4326, 3035).transform(lon, lat)
    east, north = int(x // 200 * 200), int(y // 200 * 200)
    path = write(
        tmp_path,
        "g.csv",
        "idcar_200m;ind\n"
        f"CRS3035RES200mN{north}E{east};10\n"
        "CRS3035RES200mN2000000E3000000;10\n",  # en mer, hors de toute commune
    )
    grid = place_in_communes(read_grid(path), communes)
    assert grid.communes[grid.commune_index[0]] == "31555"
    assert grid.commune_index[1] == -1
