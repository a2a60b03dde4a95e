"""Sous-commandes `quartiers qpv …` : import, liste, localisation, fichiers de points."""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from typing import Any

from quartiers.cli import parse_date, setup_django


def register(sub: Any) -> None:
    qpv = sub.add_parser("qpv", help="zonages QPV : import, liste, localisation, fichiers")
    qsub = qpv.add_subparsers(dest="qpv_command", metavar="ACTION")
    qsub.required = True

    imp = qsub.add_parser("import", help="importer une édition de périmètres (tout ou rien)")
    imp.add_argument("path", help="GeoJSON, GeoPackage, Shapefile (dossier ou .zip), GeoParquet")
    imp.add_argument("--edition", required=True, help="édition, ex. 2015 ou 2024")
    imp.add_argument("--valid-from", type=parse_date, help="début de validité (AAAA-MM-JJ)")
    imp.add_argument("--valid-to", type=parse_date, help="fin de validité (AAAA-MM-JJ)")
    imp.add_argument(
        "--kind", default="qpv", help="zonage : qpv (défaut), qrr, zfu_te, zrr, rep, rep_plus"
    )
    imp.add_argument(
        "--simulated",
        action="store_true",
        help="édition simulée (issue d'une identification), jamais « en vigueur »",
    )
    imp.set_defaults(handler=_import)

    lst = qsub.add_parser("list", help="lister les périmètres")
    lst.add_argument("--department", help="code du département, ex. 31")
    lst.add_argument("--edition", help="édition (défaut : celles en vigueur aujourd'hui)")
    lst.add_argument("--date", type=parse_date, help="éditions en vigueur à cette date")
    lst.add_argument(
        "--format",
        choices=["table", "csv", "json"],
        default="table",
        help="format de sortie (table)",
    )
    lst.set_defaults(handler=_list)

    loc = qsub.add_parser("locate", help="dire si un point est en QPV")
    loc.add_argument("--lon", type=float, required=True, help="longitude WGS84")
    loc.add_argument("--lat", type=float, required=True, help="latitude WGS84")
    when = loc.add_mutually_exclusive_group()
    when.add_argument("--date", type=parse_date, help="date de la liste (défaut : aujourd'hui)")
    when.add_argument("--edition", help="édition précise")
    loc.add_argument("--format", choices=["text", "json"], default="text")
    loc.set_defaults(handler=_locate)

    chk = qsub.add_parser("check-file", help="localiser chaque ligne d'un fichier CSV")
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
    when.add_argument("--date", type=parse_date, help="date de la liste (défaut : aujourd'hui)")
    when.add_argument("--edition", help="édition précise")
    chk.add_argument("--no-progress", action="store_true", help="sans barre de progression")
    chk.set_defaults(handler=_check_file)

    cmp_ = qsub.add_parser("compare", help="comparer deux éditions (ex. officielle et simulée)")
    cmp_.add_argument("edition_a", metavar="EDITION_A", help="édition de référence (officielle)")
    cmp_.add_argument("edition_b", metavar="EDITION_B", help="édition comparée (simulée)")
    cmp_.set_defaults(handler=_compare)


def _fail(message: str) -> int:
    print(f"Erreur : {message}", file=sys.stderr)
    return 1


def _import(args: argparse.Namespace) -> int:
    setup_django()
    from quartiers.core.geo import ZoningFileError
    from quartiers.territories.services import ZoningError, import_zoning

    try:
        report = import_zoning(
            args.path,
            args.edition,
            args.kind,
            args.valid_from,
            args.valid_to,
            is_simulated=args.simulated,
        )
    except (ZoningFileError, ZoningError) as exc:
        return _fail(str(exc))
    print(report.summary())
    return 0


def _list(args: argparse.Namespace) -> int:
    setup_django()
    from quartiers.territories.services import ZoningError, perimeters

    try:
        rows = [
            {
                "code": p.code,
                "name": p.name,
                "edition": p.layer.edition,
                "department_code": p.department_code,
                "insee_codes": ",".join(p.insee_codes),
                "communes": ", ".join(p.commune_names),
                "population": p.population,
                "area_ha": round(p.area_m2 / 10_000, 1),
            }
            for p in perimeters(edition=args.edition, on=args.date, department=args.department)
        ]
    except ZoningError as exc:
        return _fail(str(exc))
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        print()
    elif args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["code"])
        writer.writeheader()
        writer.writerows(rows)
    else:
        for r in rows:
            print(
                f"{r['code']:<10} {r['edition']:<6} {r['department_code']:<4} "
                f"{r['name'][:45]:<45} {r['communes'][:30]}"
            )
        print(f"{len(rows)} périmètre(s)")
    return 0


def _locate(args: argparse.Namespace) -> int:
    setup_django()
    from quartiers.territories.services import ZoningError, locate_points

    try:
        result = locate_points([args.lon], [args.lat], on=args.date, edition=args.edition)[0]
    except ZoningError as exc:
        return _fail(str(exc))
    if result.error:
        return _fail(result.error)
    if args.format == "json":
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    elif result.in_zoning:
        print(
            f"En QPV : {result.code} « {result.name} » (édition {result.edition}), "
            f"commune(s) : {', '.join(result.commune_names or result.insee_codes)}"
        )
    else:
        near = (
            f" ; le plus proche : {result.nearest_code} « {result.nearest_name} » à "
            f"{result.distance_m:.0f} m"
            if result.distance_m is not None
            else ""
        )
        print(f"Hors QPV{near}")
    return 0


def _check_file(args: argparse.Namespace) -> int:
    setup_django()
    from tqdm import tqdm

    from quartiers.core.geo.batch import BatchFileError
    from quartiers.core.geo.geocoding import GeocodingError
    from quartiers.territories.addresses import check_addresses
    from quartiers.territories.services import ZoningError, check_coordinates

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
    except (BatchFileError, ZoningError, GeocodingError, OSError) as exc:
        bar.close()
        return _fail(str(exc))
    bar.close()
    print(summary.text())
    print(f"Résultat écrit dans {args.output}")
    return 0


def _compare(args: argparse.Namespace) -> int:
    setup_django()
    from quartiers.identification.services import compare_editions
    from quartiers.territories.services import ZoningError

    try:
        comparison = compare_editions(args.edition_a, args.edition_b)
    except ZoningError as exc:
        return _fail(str(exc))
    print(comparison.summary())
    return 0
