"""Géocodeur embarqué (fichier BAN), normalisation, politique « à vérifier », lots CSV."""

from __future__ import annotations

import csv
import gzip
import shutil
from pathlib import Path

import pytest

from quartiers.core.geo.address_batch import (
    AddressColumnsNotFound,
    check_addresses_file,
    detect_address_columns,
)
from quartiers.core.geo.batch import BatchFileError
from quartiers.core.geo.geocoding import (
    BanFileError,
    BanFileGeocoder,
    GeocodeResult,
    GeocodingError,
    ResultType,
    assess,
    default_min_score,
)
from quartiers.core.geo.geocoding.addok_import import addok_documents
from quartiers.core.geo.geocoding.normalize import key, parse_query
from quartiers.core.geo.zoning import Edition, ZoningSnapshot
from quartiers.demo import perimeters_2024, write_demo_ban_file


@pytest.fixture(scope="module")
def ban_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ban") / "adresses-demo.csv"
    write_demo_ban_file(path)
    return path


@pytest.fixture(scope="module")
def geocoder(ban_file: Path) -> BanFileGeocoder:
    return BanFileGeocoder(ban_file)


def best(geocoder: BanFileGeocoder, query: str) -> GeocodeResult:
    found = geocoder.search(query, limit=1)
    assert found, f"rien trouvé pour {query!r}"
    return found[0]


def test_normalisation_of_abbreviations_accents_and_suffixes() -> None:
    assert key("Bd  Saint-Éloi") == key("boulevard st eloi") == "boulevard saint eloi"
    assert key("AV. du Gal de Gaulle") == "avenue du general de gaulle"
    assert (
        key("Imp. des Lilas") == "impasse des lilas" and key("All. du Marché") == "allee du marche"
    )
    assert (
        key("r. Ste-Anne") == "rue sainte anne" and key("pl de la mairie") == "place de la mairie"
    )
    assert key("che des rives") == "chemin des rives"
    parsed = parse_query("12 bis, bd V. Hugo 18999 Bellerive")
    assert (parsed.housenumber, parsed.repetition, parsed.postcode) == ("12", "bis", "18999")
    assert parse_query("12b rue X").number_key == "12bis"
    assert parse_query("5 ter rue X").number_key == "5ter"
    assert parse_query("5 T rue X").number_key == "5ter"
    assert parse_query("n° 7 rue X").housenumber == "7"
    # Un code postal n'est pas un numéro.
    assert parse_query("18999 Bellerive").housenumber == ""


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("12 rue saint-éloi 18999 Bellerive", "12 Rue Saint-Éloi 18999 Bellerive (fictive)"),
        ("12 R ST ELOI BELLERIVE", "12 Rue Saint-Éloi 18999 Bellerive (fictive)"),
        ("3 bis av des tilleuls bellerive", "3 bis Avenue des Tilleuls 18999 Bellerive (fictive)"),
        ("3b avenue des Tilleuls 18999", "3 bis Avenue des Tilleuls 18999 Bellerive (fictive)"),
        (
            "5 ter r du gal de gaulle 18999",
            "5 ter Rue du Général de Gaulle 18999 Bellerive (fictive)",
        ),
        (
            "17 rue des aubepines st aubin sur lune",
            "17 Rue des Aubépines 18999 Saint-Aubin-sur-Lune (fictive)",
        ),
        ("4 pl de la mairie bellerive", "4 Place de la Mairie 18999 Bellerive (fictive)"),
        ("2 imp des lilas bellerive", "2 Impasse des Lilas 18999 Bellerive (fictive)"),
        ("6 all du marche bellerive", "6 Allée du Marché 18999 Bellerive (fictive)"),
        ("8 che des rives bellerive", "8 Chemin des Rives 18999 Bellerive (fictive)"),
    ],
)
def test_embedded_backend_finds_housenumbers(
    geocoder: BanFileGeocoder, query: str, label: str
) -> None:
    result = best(geocoder, query)
    assert result.label == label
    assert result.result_type == ResultType.HOUSENUMBER
    assert 0.6 <= result.score <= 1.0
    assert result.insee_code in {"18999", "18998"} and result.postcode == "18999"
    assert assess(result, 0.6).confident


def test_embedded_backend_street_municipality_typo_and_nothing(geocoder: BanFileGeocoder) -> None:
    street = best(geocoder, "999 avenue des tilleuls bellerive")
    assert street.result_type == ResultType.STREET and street.label.startswith(
        "Avenue des Tilleuls"
    )
    town = best(geocoder, "Bellerive")
    assert town.result_type == ResultType.MUNICIPALITY and town.insee_code == "18999"
    verdict = assess(town, 0.6)
    assert not verdict.confident and "adresse trop imprécise : seule la commune" in verdict.reason
    assert "précisez le numéro et la voie" in verdict.reason
    typo = best(geocoder, "12 rue saint eloy bellerive")
    assert typo.label.startswith("12 Rue Saint-Éloi") and typo.score < 1.0
    assert geocoder.search("", 5) == []
    assert geocoder.search("zzzz qqqq", 5) == []
    # La mauvaise commune fait baisser le score : une adresse contradictoire est à vérifier.
    wrong_town = best(geocoder, "4 rue victor hugo 18999 saint aubin sur lune")
    assert not assess(wrong_town, 0.6).confident
    # L'indice absent retombe sur le numéro nu, un peu moins sûr.
    plain = best(geocoder, "12 ter rue saint-éloi bellerive")
    assert plain.label.startswith("12 Rue Saint-Éloi") and plain.score < 1.0


def test_search_many_keeps_order_and_reverse_finds_nearest(geocoder: BanFileGeocoder) -> None:
    results = geocoder.search_many(["4 place de la mairie bellerive", "zzzz qqqq", "Bellerive"])
    assert results[0] is not None and results[0].label.startswith("4 Place de la Mairie")
    assert results[1] is None
    assert results[2] is not None and results[2].result_type == ResultType.MUNICIPALITY
    target = results[0]
    near = geocoder.reverse(target.lon, target.lat, limit=2)
    assert near[0].label == target.label and near[0].score > 0.99
    assert len(near) == 2 and near[1].score <= near[0].score


def test_gzip_file_and_bad_files(ban_file: Path, tmp_path: Path) -> None:
    gz = tmp_path / "adresses-18.csv.gz"
    with open(ban_file, "rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    assert best(BanFileGeocoder(gz), "12 rue saint eloi bellerive").label.startswith("12 Rue")
    with pytest.raises(BanFileError, match="introuvable"):
        BanFileGeocoder(tmp_path / "absent.csv").search("rue", 1)
    bad = tmp_path / "bad.csv"
    bad.write_text("id;voie;commune\n1;rue X;Y\n", encoding="utf-8")
    with pytest.raises(BanFileError, match=r"colonne\(s\) numero, rep, nom_voie"):
        BanFileGeocoder(bad).search("rue", 1)
    assert issubclass(BanFileError, GeocodingError)


def test_addok_documents_group_streets_with_numbers(ban_file: Path) -> None:
    docs = list(addok_documents(ban_file))
    streets = [d for d in docs if d["type"] == "street"]
    towns = [d for d in docs if d["type"] == "municipality"]
    assert {t["citycode"] for t in towns} == {"18999", "18998"}
    eloi = next(d for d in streets if d["name"] == "Rue Saint-Éloi")
    assert "12" in eloi["housenumbers"] and "3 bis" in eloi["housenumbers"]
    assert eloi["citycode"] == "18999" and eloi["postcode"] == "18999"


def test_to_check_policy_thresholds() -> None:
    assert default_min_score() == 0.6
    make = lambda score, kind: GeocodeResult("x", 2.0, 46.0, score, kind)  # noqa: E731
    assert assess(make(0.6, ResultType.HOUSENUMBER), 0.6).confident
    low = assess(make(0.59, ResultType.HOUSENUMBER), 0.6)
    assert not low.confident and "adresse reconnue avec un doute" in low.reason
    assert assess(make(0.95, ResultType.STREET), 0.6).confident
    assert not assess(make(0.99, ResultType.LOCALITY), 0.6).confident
    assert not assess(make(0.99, ResultType.MUNICIPALITY), 0.6).confident
    assert "introuvable" in assess(None, 0.6).reason


def _demo_locator() -> object:
    return ZoningSnapshot.of_records([(Edition("2024").edition, perimeters_2024())]).locate


def test_address_file_streams_in_order_with_errors(
    geocoder: BanFileGeocoder, tmp_path: Path
) -> None:
    src = tmp_path / "adresses.csv"
    lines = ["id;numero;nom_voie;code_postal;commune"]
    expected = []
    for i in range(1, 41):
        lines.append(f"{i};12;Rue St Éloi;18999;Bellerive")
        expected.append("in_qpv")
    lines += ["41;;;;", "42;;;18999;Bellerive", "43;4;pl de la mairie;18999;Bellerive", "44;1"]
    expected += ["error", "to_check", "outside", "error"]
    src.write_text("\n".join(lines) + "\n", encoding="latin-1")
    out = tmp_path / "out.csv"
    summary = check_addresses_file(
        src,
        out,
        geocoder.search_many,
        _demo_locator(),
        0.6,
        chunk_size=7,
        workers=3,  # type: ignore[arg-type]
    )
    rows = list(csv.DictReader(out.open(encoding="utf-8"), delimiter=";"))
    assert [r["id"] for r in rows] == [str(i) for i in range(1, 45)]
    assert [r["status"] for r in rows] == expected
    assert rows[0]["qpv_code"] == "QN01801M" and rows[0]["geocode_type"] == "housenumber"
    assert float(rows[0]["geocode_score"].replace(",", ".")) >= 0.6 and rows[0][
        "geocode_label"
    ].startswith("12 Rue")
    assert "adresse trop imprécise" in rows[41]["status_detail"]
    assert rows[41]["geocode_type"] == "municipality" and rows[41]["qpv_code"] == ""
    assert float(rows[42]["qpv_distance_m"].replace(",", ".")) > 0
    assert "2 colonnes au lieu de 5" in rows[43]["status_detail"]
    assert (summary.rows, summary.in_qpv, summary.outside, summary.to_check, summary.errors) == (
        44,
        40,
        1,
        1,
        2,
    )
    assert "à vérifier : 1" in summary.text()


def test_failing_geocoder_chunk_marks_rows_and_continues(
    geocoder: BanFileGeocoder, tmp_path: Path
) -> None:
    src = tmp_path / "adresses.csv"
    src.write_text(
        "adresse\n"
        + "\n".join(["PANNE"] + [f"{n} rue saint eloi bellerive" for n in (12, 14, 16, 18, 20)])
        + "\n",
        encoding="utf-8",
    )

    def flaky(queries: list[str]) -> list[GeocodeResult | None]:
        if "PANNE" in queries:
            raise GeocodingError("le service de géocodage est injoignable")
        return geocoder.search_many(queries)

    out = tmp_path / "out.csv"
    summary = check_addresses_file(
        src,
        out,
        flaky,
        _demo_locator(),
        0.6,
        ["adresse"],
        chunk_size=2,
        workers=2,  # type: ignore[arg-type]
    )
    rows = list(csv.DictReader(out.open(encoding="utf-8"), delimiter=","))
    assert [r["status"] for r in rows] == ["error", "error", "in_qpv", "in_qpv", "in_qpv", "in_qpv"]
    assert "géocodeur en échec sur ce lot" in rows[0]["status_detail"]
    assert summary.errors == 2 and summary.in_qpv == 4


def test_address_columns_detection() -> None:
    assert detect_address_columns(["ID", "Numero", "voie", "CP", "Commune"]) == [
        "Numero",
        "voie",
        "CP",
        "Commune",
    ]
    with pytest.raises(BatchFileError, match="nom_voie") as refused:
        detect_address_columns(["id", "nom", "prenom"])
    # Le cœur ne parle d'aucune porte : chaque porte ajoute sa façon de désigner les colonnes.
    assert "--" not in str(refused.value)
    assert isinstance(refused.value, AddressColumnsNotFound)
    assert "--address-col" in str(refused.value.explained("indiquez --address-col"))


def test_repeated_addresses_are_geocoded_once(geocoder: BanFileGeocoder, tmp_path: Path) -> None:
    src = tmp_path / "adresses.csv"
    same = [
        "12 rue saint eloi bellerive",
        "12 RUE SAINT-ÉLOI BELLERIVE",
        "4 pl de la mairie bellerive",
    ]
    src.write_text("adresse\n" + "\n".join(same * 10) + "\n", encoding="utf-8")
    calls: list[int] = []

    def counting(queries: list[str]) -> list[GeocodeResult | None]:
        calls.append(len(queries))
        return geocoder.search_many(queries)

    out = tmp_path / "out.csv"
    summary = check_addresses_file(
        src,
        out,
        counting,
        _demo_locator(),
        0.6,
        ["adresse"],
        chunk_size=4,
        workers=2,  # type: ignore[arg-type]
    )
    assert sum(calls) == 2 and summary.seconds["addresses_sent"] == 2
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["status"] for r in rows] == ["in_qpv", "in_qpv", "outside"] * 10
    assert {r["geocode_label"] for r in rows[::3]} == {
        "12 Rue Saint-Éloi 18999 Bellerive (fictive)"
    }


def test_autocompletion_of_the_last_word(geocoder: BanFileGeocoder) -> None:
    found = geocoder.search("12 rue saint-él", limit=3)
    assert found[0].label.startswith("12 Rue Saint-Éloi")
    assert geocoder.search("avenue des tille", limit=1)[0].label.startswith("Avenue des Tilleuls")


def test_a_giant_cell_fails_its_row_only(tmp_path: Path) -> None:
    """Une cellule au-delà du plafond du module csv (128 Kio) : sa ligne est en erreur, les autres
    lignes sont localisées, le fichier va jusqu'au bout."""
    from quartiers.core.geo.batch import check_coordinates_file

    source = tmp_path / "points.csv"
    source.write_text(
        f"id;nom;lon;lat\n1;a;2.388;46.654\n2;{'x' * 200_000};2.388;46.654\n3;c;2.300;46.600\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    summary = check_coordinates_file(source, out, "lon", "lat", _demo_locator())  # type: ignore[arg-type]
    assert (summary.rows, summary.errors) == (3, 1)
    assert "cellule de 200000 caractères" in summary.error_examples[0]
    assert "ligne 3" in summary.error_examples[0]
