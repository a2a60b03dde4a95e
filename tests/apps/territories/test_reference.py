"""Territoires de référence : paquet d'Etalab (archive ou dossier), unités urbaines INSEE réelles,
rattachement des périmètres."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import tarfile
from pathlib import Path
from typing import Any

import pytest

from quartiers.cli import main
from quartiers.core.geo.admin_units import ReferenceFileError
from quartiers.territories import reference
from quartiers.territories.models import Commune, Department, Epci, Region, UrbanUnit
from quartiers.zoning import services
from tests.conftest import shared

pytestmark = pytest.mark.django_db


def package_data() -> dict[str, list[dict[str, Any]]]:
    """Un petit découpage à la structure exacte du paquet (extraits réels, Haute-Garonne)."""
    return {
        "regions.json": [
            {
                "code": "76",
                "chefLieu": "31555",
                "nom": "Occitanie",
                "typeLiaison": 1,
                "zone": "metro",
            },
            {
                "code": "04",
                "chefLieu": "97411",
                "nom": "La Réunion",
                "typeLiaison": 0,
                "zone": "drom",
            },
        ],
        "departements.json": [
            {
                "code": "31",
                "region": "76",
                "chefLieu": "31555",
                "nom": "Haute-Garonne",
                "typeLiaison": 3,
                "zone": "metro",
            },
            {
                "code": "974",
                "region": "04",
                "chefLieu": "97411",
                "nom": "La Réunion",
                "typeLiaison": 0,
                "zone": "drom",
            },
        ],
        "communes.json": [
            {
                "code": "31555",
                "nom": "Toulouse",
                "typeLiaison": 0,
                "zone": "metro",
                "arrondissement": "313",
                "departement": "31",
                "region": "76",
                "type": "commune-actuelle",
                "rangChefLieu": 0,
                "siren": "213105554",
                "codesPostaux": ["31000", "31100"],
                "population": 511684,
            },
            {
                "code": "31069",
                "nom": "Blagnac",
                "typeLiaison": 0,
                "zone": "metro",
                "departement": "31",
                "region": "76",
                "type": "commune-actuelle",
                "siren": "213100696",
                "codesPostaux": ["31700"],
                "population": 25527,
            },
            {
                "code": "31069",
                "nom": "Blagnac-Ancien",
                "typeLiaison": 0,
                "zone": "metro",
                "departement": "31",
                "region": "76",
                "type": "commune-deleguee",
                "chefLieu": "31069",
            },
            {
                "code": "97411",
                "nom": "Saint-Denis",
                "typeLiaison": 0,
                "zone": "drom",
                "departement": "974",
                "region": "04",
                "type": "commune-actuelle",
                "codesPostaux": ["97400"],
                "population": 153001,
            },
        ],
        "epci.json": [
            {
                "code": "243100518",
                "nom": "Toulouse Métropole",
                "type": "METRO",
                "modeFinancement": "FPU",
                "populationTotale": 815000,
                "populationMunicipale": 800000,
                "membres": [
                    {
                        "code": "31555",
                        "siren": "213105554",
                        "nom": "Toulouse",
                        "populationTotale": 1,
                        "populationMunicipale": 1,
                    },
                    {
                        "code": "31069",
                        "siren": "213100696",
                        "nom": "Blagnac",
                        "populationTotale": 1,
                        "populationMunicipale": 1,
                    },
                ],
            },
        ],
    }


def write_tarball(path: Path, data: dict[str, list[dict[str, Any]]], skip: str = "") -> Path:
    """Archive au format de `npm pack` : package/package.json, package/data/*.json."""
    with tarfile.open(path, "w:gz") as tar:
        files = {
            "package/package.json": {"name": "@etalab/decoupage-administratif", "version": "6.0.0"}
        }
        files |= {f"package/data/{name}": content for name, content in data.items() if name != skip}
        for name, content in files.items():
            raw = json.dumps(content, ensure_ascii=False).encode()
            info = tarfile.TarInfo(name)
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    return path


def test_import_from_tarball_links_communes_to_epci(tmp_path: Path) -> None:
    report = reference.import_decoupage(write_tarball(tmp_path / "pkg.tgz", package_data()))
    assert (report.regions, report.departments, report.communes, report.epcis) == (2, 2, 4, 1)
    assert report.version == "6.0.0"
    toulouse = Commune.objects.get(insee_code="31555")
    assert toulouse.population == 511684 and toulouse.epci.name == "Toulouse Métropole"
    assert toulouse.department.name == "Haute-Garonne" and toulouse.region.name == "Occitanie"
    assert Commune.objects.get(insee_code="31069", kind="commune-deleguee").epci is None
    assert Commune.objects.get(insee_code="97411").epci is None
    assert Epci.objects.get().communes.count() == 2


def test_import_from_unpacked_folder_and_reimport_replaces(tmp_path: Path) -> None:
    write_tarball(tmp_path / "pkg.tgz", package_data())
    with tarfile.open(tmp_path / "pkg.tgz") as tar:
        tar.extractall(tmp_path / "unpacked", filter="data")
    reference.import_decoupage(tmp_path / "unpacked" / "package")
    report = reference.import_decoupage(tmp_path / "unpacked")
    assert report.replaced and Commune.objects.count() == 4 and Epci.objects.count() == 1


def test_bad_package_is_refused_whole_with_precise_message(tmp_path: Path) -> None:
    reference.import_decoupage(write_tarball(tmp_path / "good.tgz", package_data()))
    data = package_data()
    data["communes.json"][1]["departement"] = "99"
    data["communes.json"][3]["population"] = "beaucoup"
    data["epci.json"][0]["membres"].append({"code": "31999", "nom": "Inconnue"})
    with pytest.raises(ReferenceFileError) as caught:
        reference.import_decoupage(write_tarball(tmp_path / "bad.tgz", data))
    message = str(caught.value)
    assert "rien n'a été importé" in message
    assert "data/communes.json" in message and "élément n° 2 (code 31069)" in message
    assert "champ « departement »" in message
    assert "champ « population » : entier positif ou nul attendu, reçu « beaucoup »" in message
    assert "commune « 31999 » absente de data/communes.json" in message
    assert Commune.objects.count() == 4 and Commune.objects.get(insee_code="31555").epci


def test_missing_file_and_wrong_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ReferenceFileError, match=r"package/data/epci\.json » absent"):
        reference.import_decoupage(
            write_tarball(tmp_path / "p.tgz", package_data(), skip="epci.json")
        )
    (tmp_path / "x.zip").write_bytes(b"PK")
    assert main(["territories", "import", str(tmp_path / "x.zip")]) == 1
    assert "format non reconnu" in capsys.readouterr().err
    assert not Commune.objects.exists()


def test_without_npm_a_french_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["territories", "import"]) == 1
    assert "npm est introuvable" in capsys.readouterr().err
    assert not Commune.objects.exists()
    # Hors ligne, une archive déjà téléchargée dans var/reference/ sert.
    folder = reference.package_folder()
    folder.mkdir(parents=True, exist_ok=True)
    cached = write_tarball(folder / "etalab-decoupage-administratif-6.0.0.tgz", package_data())
    try:
        assert main(["territories", "import"]) == 0
        out = capsys.readouterr().out
        assert "Archive déjà téléchargée utilisée" in out and "4 communes" in out
    finally:
        cached.unlink()


def test_if_empty_skips_when_loaded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reference.import_decoupage(write_tarball(tmp_path / "pkg.tgz", package_data()))
    assert main(["territories", "import", "--if-empty"]) == 0
    assert "déjà chargé" in capsys.readouterr().out


@pytest.mark.slow
def test_real_package_from_npm(tmp_path: Path) -> None:
    if shutil.which("npm") is None:
        pytest.skip("npm absent")
    try:
        archive = reference.fetch_decoupage_package(tmp_path)
    except reference.PackageFetchError as exc:
        pytest.skip(f"paquet npm inaccessible : {exc}")
    report = reference.import_decoupage(archive)
    assert report.communes == 37_590 and report.epcis == 1_255
    assert (
        Commune.objects.get(insee_code="31555", kind="commune-actuelle").epci.epci_siren
        == "243100518"
    )
    assert Region.objects.filter(region_code="76").exists()
    assert Department.objects.get(department_code="974").region.name == "La Réunion"


def test_real_urban_units_and_perimeter_links(tmp_path: Path, occitanie_qp: Path) -> None:
    folder = shared("unites_urbaines")
    report = reference.import_urban_units(folder)
    assert (report.units, report.members) == (2469, 7578)
    toulouse = UrbanUnit.objects.get(uu_code="00758")
    assert toulouse.vintage == "uu2020" and toulouse.size_band == 7
    assert toulouse.members.filter(insee_code="31555", status="C").exists()
    assert UrbanUnit.objects.filter(uu_code__startswith="9D").count() > 0
    # Rattachement d'un QPV réel (Grand Mirail, Toulouse) : commune → EPCI, département, région, UU.
    reference.import_decoupage(write_tarball(tmp_path / "pkg.tgz", package_data()))
    services.import_zoning(occitanie_qp, "2015", valid_from=dt.date(2015, 1, 1))
    found = reference.territories_of(services.perimeter_by_code("QP031007"))
    assert [c.name for c in found.communes] == ["Toulouse"]
    assert [e.name for e in found.epcis] == ["Toulouse Métropole"]
    assert [d.name for d in found.departments] == ["Haute-Garonne"]
    assert [r.name for r in found.regions] == ["Occitanie"]
    assert [u.uu_code for u in found.urban_units] == ["00758"]


def test_urban_unit_files_refused_whole(tmp_path: Path) -> None:
    folder = shared("unites_urbaines")
    listing = tmp_path / "uu2020_liste.csv"
    lines = (folder / "uu2020_liste_geo2023.csv").read_text("utf-8").splitlines()
    lines[3] = lines[3].replace(",1,11,", ",x,11,", 1)
    listing.write_text("\n".join(lines), "utf-8")
    with pytest.raises(
        ReferenceFileError, match="ligne 4, colonne « TUU2017 » : nombre entier attendu"
    ):
        reference.import_urban_units(listing, folder / "uu2020_composition_communale_geo2023.csv")
    (tmp_path / "c.csv").write_text("CODGEO;LIBGEO\n31555;Toulouse\n", "utf-8")
    with pytest.raises(ReferenceFileError, match="« UU2020 », « STATUT_2017 »"):
        reference.import_urban_units(folder / "uu2020_liste_geo2023.csv", tmp_path / "c.csv")
    assert not UrbanUnit.objects.exists()
