"""Sous-commandes `quartiers qpv …` : import, liste, localisation, comparaison d'éditions."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import Any

from quartiers.core.csvfile import neutralise
from quartiers.core.geo.zoning import Unavailability, ZoningUnavailable


def register(sub: Any) -> Any:
    """Le groupe `quartiers qpv` ; renvoyé pour que d'autres domaines y ajoutent leurs actions."""
    qpv = sub.add_parser("qpv", help="zonages QPV : import, liste, localisation, fichiers")
    qsub = qpv.add_subparsers(dest="qpv_command", metavar="ACTION")
    qsub.required = True

    imp = qsub.add_parser(
        "import", help="importer une édition de périmètres, de communes ZRR ou d'écoles REP"
    )
    imp.add_argument(
        "path",
        help="périmètres : GeoJSON, GeoPackage, Shapefile (dossier ou .zip), GeoParquet ; "
        "zrr : fixture JSON de les-emplois ou CSV insee_code;status (C, NC, PC) ; "
        "rep : CSV uai;nom;lon;lat;reseau (REP ou REP+)",
    )
    imp.add_argument("--edition", required=True, help="édition, ex. 2015 ou 2024")
    imp.add_argument("--valid-from", type="date", help="début de validité (AAAA-MM-JJ)")
    imp.add_argument("--valid-to", type="date", help="fin de validité (AAAA-MM-JJ)")
    imp.add_argument(
        "--kind",
        default="qpv",
        help="zonage : qpv (défaut), qrr, zfu_te, commune (contours, pour la ZRR) — "
        "périmètres ; zrr (communes) ; rep (écoles REP et REP+)",
    )
    imp.add_argument(
        "--reference",
        default="",
        help="texte ou liste d'origine (zrr : par défaut, la liste antérieure à la réforme "
        "France Ruralités Revitalisation du 1er juillet 2024)",
    )
    imp.add_argument(
        "--layer", help="couche à importer, si le fichier (GeoPackage) en contient plusieurs"
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
    lst.add_argument("--date", type="date", help="éditions en vigueur à cette date")
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
    when.add_argument("--date", type="date", help="date de la liste (défaut : aujourd'hui)")
    when.add_argument("--edition", help="édition précise")
    loc.add_argument("--format", choices=["text", "json"], default="text")
    loc.set_defaults(handler=_locate)

    zon = qsub.add_parser(
        "zonings", help="tous les zonages d'un point (QPV, ZFU-TE, QRR, ZRR, REP)"
    )
    zon.add_argument("--lon", type=float, required=True, help="longitude WGS84")
    zon.add_argument("--lat", type=float, required=True, help="latitude WGS84")
    zon.add_argument("--date", type="date", help="date des listes (défaut : aujourd'hui)")
    zon.add_argument("--insee-code", help="code INSEE de la commune (ZRR), s'il est connu")
    zon.add_argument("--format", choices=["text", "json"], default="text")
    zon.set_defaults(handler=_zonings)

    cmp_ = qsub.add_parser("compare", help="comparer deux éditions (ex. officielle et simulée)")
    cmp_.add_argument("edition_a", metavar="EDITION_A", help="édition de référence (officielle)")
    cmp_.add_argument("edition_b", metavar="EDITION_B", help="édition comparée (simulée)")
    cmp_.set_defaults(handler=_compare)
    return qsub


def zoning_message(exc: Exception) -> str:
    """L'erreur de zonage, avec ce que l'on peut faire en ligne de commande."""
    if isinstance(exc, ZoningUnavailable) and exc.reason is Unavailability.NO_EDITION_IN_FORCE:
        return f"{exc} : importez-en une (quartiers qpv import)"
    return str(exc)


def _fail(message: str) -> int:
    print(f"Erreur : {message}", file=sys.stderr)
    return 1


def _import(args: argparse.Namespace) -> int:
    from quartiers.core.geo import ZoningFileError
    from quartiers.zoning import catalogue
    from quartiers.zoning.services import ZoningError, import_zoning

    if args.kind in ("zrr", "rep", "rep_plus"):
        importer = catalogue.import_zrr if args.kind == "zrr" else catalogue.import_schools
        try:
            listed = importer(
                args.path, args.edition, args.valid_from, args.valid_to, args.reference
            )
        except (ZoningFileError, ZoningError) as exc:
            return _fail(str(exc))
        print(listed.summary())
        return 0
    try:
        report = import_zoning(
            args.path,
            args.edition,
            args.kind,
            args.valid_from,
            args.valid_to,
            is_simulated=args.simulated,
            layer=args.layer,
        )
    except (ZoningFileError, ZoningError) as exc:
        return _fail(str(exc))
    print(report.summary())
    return 0


def _list(args: argparse.Namespace) -> int:
    from quartiers.zoning.services import ZoningError, perimeters

    try:
        rows = [
            {
                "code": p.code,
                "name": p.name,
                "edition": p.zoning_edition.edition,
                "department_code": p.department_code,
                "insee_codes": ",".join(p.insee_codes),
                "communes": ", ".join(p.commune_names),
                "population": p.population,
                "area_ha": round(p.area_m2 / 10_000, 1),
            }
            for p in perimeters(edition=args.edition, on=args.date, department=args.department)
        ]
    except (ZoningError, ZoningUnavailable) as exc:
        return _fail(zoning_message(exc))
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        print()
    elif args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["code"])
        writer.writeheader()
        writer.writerows({k: neutralise(v) for k, v in r.items()} for r in rows)
    else:
        for r in rows:
            print(
                f"{r['code']!s:<10} {r['edition']!s:<6} {r['department_code']!s:<4} "
                f"{str(r['name'])[:45]:<45} {str(r['communes'])[:30]}"
            )
        print(f"{len(rows)} périmètre(s)")
    return 0


def _locate(args: argparse.Namespace) -> int:
    from quartiers.zoning.services import locate_points

    try:
        result = locate_points([args.lon], [args.lat], on=args.date, edition=args.edition)[0]
    except ZoningUnavailable as exc:
        return _fail(zoning_message(exc))
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


def _zonings(args: argparse.Namespace) -> int:
    from quartiers.core.geo.zoning import INVALID_COORDINATES, valid_coordinates
    from quartiers.zoning.catalogue import locate_all

    if not valid_coordinates(args.lon, args.lat):
        return _fail(INVALID_COORDINATES)
    answer = locate_all(args.lon, args.lat, args.date, args.insee_code)
    if args.format == "json":
        print(json.dumps(answer.as_dict(), ensure_ascii=False, indent=2))
        return 0
    for hit in answer.zonings:
        print(
            f"{hit.zoning_kind:<7} {hit.code:<10} « {hit.name} » (édition {hit.edition}) {hit.detail}"
        )
    if not answer.zonings:
        print("Aucun zonage à ce point.")
    for kind, why in answer.unavailable.items():
        print(f"{kind} : {why}")
    school = answer.nearest_rep_school
    if school:
        print(
            f"École {school.network} la plus proche : {school.uai} « {school.name} » "
            f"à {school.distance_m:.0f} m (édition {school.edition})"
        )
    return 0


def _compare(args: argparse.Namespace) -> int:
    from quartiers.zoning.services import compare_editions

    try:
        comparison = compare_editions(args.edition_a, args.edition_b)
    except ZoningUnavailable as exc:
        return _fail(zoning_message(exc))
    print(comparison.summary())
    return 0
