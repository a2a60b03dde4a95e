"""`quartiers qpv check-file` : localiser chaque ligne d'un fichier de points ou d'adresses."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from quartiers.core.csvfile import CsvFileError
from quartiers.core.geo.address_batch import AddressColumnsNotFound
from quartiers.core.geo.geocoding import GeocodingError
from quartiers.core.geo.zoning import ZoningUnavailable
from quartiers.zoning.cli import zoning_message

ADDRESS_COLUMNS_HOW = "indiquez --address-col (une ou plusieurs fois), ou --lon-col et --lat-col"


def register(qpv: Any) -> None:
    """Ajoute `check-file` au groupe `quartiers qpv`."""
    chk = qpv.add_parser("check-file", help="localiser chaque ligne d'un fichier CSV")
    chk.add_argument("input", help="fichier CSV (UTF-8 ou Latin-1, « ; » ou « , »)")
    chk.add_argument("-o", "--output", required=True, help="fichier CSV de sortie")
    chk.add_argument("--lon-col", help="colonne des longitudes")
    chk.add_argument("--lat-col", help="colonne des latitudes")
    chk.add_argument(
        "--address-col",
        action="append",
        metavar="COLONNE",
        help="colonne d'adresse à géocoder (répétable, concaténées dans l'ordre) ; sans "
        "--lon-col/--lat-col ni --address-col, les colonnes numero, voie (ou nom_voie), "
        "code_postal, commune sont reconnues",
    )
    chk.add_argument("--workers", type=int, help="lots géocodés en parallèle (défaut : réglage)")
    chk.add_argument("--chunk-size", type=int, help="adresses par lot envoyé au géocodeur")
    when = chk.add_mutually_exclusive_group()
    when.add_argument("--date", type="date", help="date de la liste (défaut : aujourd'hui)")
    when.add_argument("--edition", help="édition précise")
    chk.add_argument("--no-progress", action="store_true", help="sans barre de progression")
    chk.set_defaults(handler=_check_file)


def _fail(message: str) -> int:
    print(f"Erreur : {message}", file=sys.stderr)
    return 1


def _check_file(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from quartiers.addresses.services import check_addresses
    from quartiers.zoning.services import check_coordinates

    by_coordinates = bool(args.lon_col or args.lat_col)
    if by_coordinates and not (args.lon_col and args.lat_col):
        return _fail("indiquez à la fois --lon-col et --lat-col")
    if by_coordinates and args.address_col:
        return _fail(
            "choisissez des coordonnées (--lon-col/--lat-col) ou --address-col, pas les deux"
        )
    for name, value in (("--workers", args.workers), ("--chunk-size", args.chunk_size)):
        if value is not None and value < 1:
            return _fail(f"{name} doit être un entier positif")
    bar = tqdm(
        total=os.path.getsize(args.input),
        unit="o",
        unit_scale=True,
        desc="Localisation",
        disable=args.no_progress,
        file=sys.stderr,
    )

    def progress(rows: int, done: int) -> None:
        bar.update(done - bar.n)
        bar.set_postfix(lignes=rows)

    try:
        if by_coordinates:
            summary = check_coordinates(
                args.input,
                args.output,
                args.lon_col,
                args.lat_col,
                on=args.date,
                edition=args.edition,
                progress=progress,
            )
        else:
            bar.set_description("Géocodage et localisation")
            summary = check_addresses(
                args.input,
                args.output,
                args.address_col,
                on=args.date,
                edition=args.edition,
                progress=progress,
                chunk_size=args.chunk_size,
                workers=args.workers,
            )
    except AddressColumnsNotFound as exc:
        bar.close()
        return _fail(str(exc.explained(ADDRESS_COLUMNS_HOW)))
    except ZoningUnavailable as exc:
        bar.close()
        return _fail(zoning_message(exc))
    except (CsvFileError, GeocodingError, OSError) as exc:
        bar.close()
        return _fail(str(exc))
    bar.close()
    print(summary.text())
    print(f"Résultat écrit dans {args.output}")
    return 0
