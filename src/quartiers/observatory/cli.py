"""Sous-commandes `quartiers observatory …` : importer des indicateurs, lire un profil."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from quartiers.core.indicators.files import IndicatorFileError, Level


def register(sub: Any) -> None:
    obs = sub.add_parser(
        "observatory", help="observatoire : indicateurs des QPV et des territoires"
    )
    osub = obs.add_subparsers(dest="observatory_command", metavar="ACTION")
    osub.required = True
    imp = osub.add_parser(
        "import", help="importer un fichier d'indicateurs de l'INSEE (tout ou rien)"
    )
    imp.add_argument("path", metavar="FICHIER", help="CSV de l'INSEE (DEMO, REVN, IPRO…, Filosofi)")
    imp.add_argument("--source", default="insee", help="source (défaut : insee)")
    imp.add_argument("--year", type=int, help="millésime (défaut : lu dans le nom du fichier)")
    imp.add_argument("--theme", help="thème (défaut : DEMO, REVN, IPRO… lu dans le nom du fichier)")
    imp.add_argument(
        "--level",
        choices=[level.value for level in Level if level is not Level.ALL_QPV],
        help="niveau des lignes (défaut : QPV, ou lu dans le nom d'un fichier Filosofi)",
    )
    imp.add_argument("--edition", default="2015", help="édition des QPV des codes (défaut : 2015)")
    imp.set_defaults(handler=_import)
    prof = osub.add_parser("profile", help="indicateurs d'un quartier (ou d'un territoire)")
    prof.add_argument("code", metavar="CODE", help="code du QPV, ex. QP031007")
    prof.add_argument("--level", default="qpv", choices=[level.value for level in Level])
    prof.add_argument("--format", choices=["table", "json"], default="table")
    prof.set_defaults(handler=_profile)
    rep = osub.add_parser(
        "report", help="rapport annuel d'un territoire (PDF, HTML, CSV ou JSON, selon -o)"
    )
    rep.add_argument(
        "--territory", default="fr", help="fr, reg:76, dep:31 ou epci:SIREN (défaut : fr)"
    )
    rep.add_argument("--year", type=int, required=True, help="année du rapport, ex. 2024")
    rep.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FICHIER",
        help="fichier produit : .pdf, .html, .csv ou .json (par son extension)",
    )
    rep.set_defaults(handler=_report)


def _fail(message: str) -> int:
    print(f"Erreur : {message}", file=sys.stderr)
    return 1


def _import(args: argparse.Namespace) -> int:
    from quartiers.observatory.services import ObservatoryError, import_indicators

    try:
        report = import_indicators(
            args.path,
            source=args.source,
            year=args.year,
            theme=args.theme,
            level=Level(args.level) if args.level else None,
            zoning_edition=args.edition,
        )
    except (IndicatorFileError, ObservatoryError, OSError) as exc:
        return _fail(str(exc))
    print(report.summary())
    return 0


def _profile(args: argparse.Namespace) -> int:
    from quartiers.core.fr import number
    from quartiers.observatory.services import ObservatoryError, profile

    try:
        found = profile(args.code, Level(args.level))
    except ObservatoryError as exc:
        return _fail(str(exc))
    if args.format == "json":
        print(json.dumps(found.as_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"{found.code} {found.name}")
    for item in found.values:
        shown = "secret" if item.value is None else number(item.value, 1 if item.value % 1 else 0)
        print(
            f"  {item.code:<18} {shown:>14} {item.unit:<9} {item.source} {item.theme} {item.year}  {item.label}"
        )
    return 0


def _report(args: argparse.Namespace) -> int:
    import time
    from pathlib import Path

    from quartiers.observatory import documents
    from quartiers.observatory import report as reports
    from quartiers.observatory.services import ObservatoryError

    output = Path(args.output)
    kind = output.suffix.lower().lstrip(".")
    if kind not in ("pdf", "html", "csv", "json"):
        return _fail(f"« {output.name} » : extension .pdf, .html, .csv ou .json attendue")
    started = time.perf_counter()
    try:
        built = reports.build_report(args.territory, args.year)
        if kind == "pdf":
            output.write_bytes(documents.report_pdf(built))
        elif kind == "html":
            output.write_text(documents.report_html(built, pdf=True), encoding="utf-8")
        elif kind == "csv":
            output.write_text(reports.report_csv(built), encoding="utf-8")
        else:
            text = json.dumps(reports.report_dict(built), ensure_ascii=False, indent=2)
            output.write_text(text, encoding="utf-8")
    except (ObservatoryError, OSError) as exc:
        return _fail(str(exc))
    elapsed = time.perf_counter() - started
    print(f"{built.title} : {built.qpv_count} QPV, {output} écrit en {elapsed:.1f} s.")
    return 0
