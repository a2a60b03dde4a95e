"""Sous-commande `quartiers identify` : identification des quartiers sur une grille de 200 m."""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text.replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"montant « {text} » invalide : nombre attendu") from None


def register(sub: Any) -> None:
    p = sub.add_parser(
        "identify",
        help="identifier les quartiers à bas revenus sur une grille de 200 m (décret 2014-767)",
        description="Identifie les quartiers : carreaux candidats, agrégats contigus, "
        "population ≥ 1 000, médiane sous le seuil ; chaque décision est expliquée.",
    )
    p.add_argument(
        "--grid",
        metavar="FICHIER",
        required=True,
        type=Path,
        help="grille (CSV, GeoPackage, Parquet)",
    )
    p.add_argument(
        "--urban-units",
        metavar="FICHIER",
        type=Path,
        help="unités urbaines (uu_code, population, …)",
    )
    p.add_argument(
        "--uu-composition", metavar="FICHIER", type=Path, help="communes → unités urbaines"
    )
    p.add_argument(
        "--incomes",
        metavar="FICHIER",
        type=Path,
        help="revenus individuels (idcar_200m, income_per_cu, weight)",
    )
    p.add_argument(
        "--communes",
        metavar="FICHIER",
        type=Path,
        help="contours des communes (insee_code) pour placer les carreaux sans lcog_geo",
    )
    p.add_argument(
        "--national-median", metavar="EUROS", type=_decimal, help="médiane nationale par UC (€)"
    )
    p.add_argument(
        "--department-median",
        metavar="EUROS",
        type=_decimal,
        help="outre-mer : médiane du département (€)",
    )
    p.add_argument(
        "--criterion", choices=["median", "poor-share"], default="median", help="critère (median)"
    )
    p.add_argument("--contiguity", type=int, choices=[4, 8], help="voisinage : 4 ou 8 (paramètre)")
    p.add_argument("--crs", help="projection des colonnes x, y d'une table générique (EPSG:NNNN)")
    p.add_argument(
        "--territory",
        choices=["auto", "metropole", "outre-mer"],
        default="auto",
        help="méthode : métropole (unités urbaines) ou Martinique/La Réunion (communes)",
    )
    p.add_argument("--date", type="date", help="date des paramètres (défaut : aujourd'hui)")
    p.add_argument(
        "--param",
        action="append",
        metavar="NOM=VALEUR",
        help="remplacer un paramètre pour simuler (ex. median_share=0.65), répétable",
    )
    p.add_argument(
        "--smooth",
        metavar="MÈTRES",
        type=float,
        default=0.0,
        help="lissage des contours en mètres (0)",
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="SORTIE",
        required=True,
        type=Path,
        help="sortie .gpkg, .geojson ou .parquet",
    )
    p.add_argument("--report", metavar="FICHIER", type=Path, help="rapport HTML")
    p.add_argument("--no-cells", action="store_true", help="ne pas écrire la couche des carreaux")
    p.add_argument(
        "--save-edition",
        metavar="EDITION",
        help="enregistrer les quartiers comme édition simulée du zonage QPV (ex. SIM-2024-A)",
    )
    p.add_argument("--no-progress", action="store_true", help="sans barre de progression")
    p.set_defaults(handler=_identify)

    c = sub.add_parser(
        "identify-census",
        help="outre-mer : indicateur synthétique du décret 2014-1575 sur une table du recensement",
    )
    c.add_argument(
        "--method",
        required=True,
        choices=["guyane", "polynesie", "guadeloupe", "saint-martin", "mayotte"],
        help="méthode du territoire",
    )
    c.add_argument("table", type=Path, help="CSV : unit_code, insee_code, population, indicateurs")
    c.add_argument(
        "-o", "--output", metavar="SORTIE", type=Path, help="CSV des décisions (sinon à l'écran)"
    )
    c.add_argument("--date", type="date", help="date des paramètres (défaut : aujourd'hui)")
    c.set_defaults(handler=_identify_census)


def _output_problem(target: Path | None) -> str | None:
    """Pourquoi on ne pourra pas écrire ce fichier, vérifié AVANT de calculer (dossier absent,
    non inscriptible, chemin qui est un dossier)."""
    import os

    if target is None:
        return None
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.exists():
        return f"le dossier « {folder} » n'existe pas (créez-le d'abord)"
    if not folder.is_dir():
        return f"« {folder} » n'est pas un dossier"
    if target.is_dir():
        return "c'est un dossier, un nom de fichier est attendu"
    if not os.access(folder, os.W_OK):
        return f"écriture interdite dans le dossier « {folder} »"
    return None


def _fail(message: str) -> int:
    print(f"Erreur : {message}", file=sys.stderr)
    return 1


def _identify(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from quartiers.core.identification import IdentificationError, RunOptions, run
    from quartiers.core.identification.outputs import write_outputs
    from quartiers.core.identification.parameters import parse_overrides
    from quartiers.core.identification.report import html_report
    from quartiers.core.params import ParameterError

    for option, target in (("-o/--output", args.output), ("--report", args.report)):
        problem = _output_problem(target)
        if problem:
            return _fail(f"{option} « {target} » : {problem}")
    if (
        args.criterion == "median"
        and not (args.urban_units and args.uu_composition)
        and args.territory != "outre-mer"
    ):
        print(
            "Attention : sans --urban-units et --uu-composition, la grille est traitée comme "
            "un seul territoire.",
            file=sys.stderr,
        )
    bar = tqdm(
        total=4, desc="Identification", unit="étape", disable=args.no_progress, file=sys.stderr
    )

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    try:
        overrides = parse_overrides(args.param)
        options = RunOptions(
            grid=args.grid,
            urban_units=args.urban_units,
            uu_composition=args.uu_composition,
            incomes=args.incomes,
            communes=args.communes,
            national_median=args.national_median,
            department_median=args.department_median,
            criterion=args.criterion,
            contiguity=args.contiguity,
            crs=args.crs,
            overseas={"auto": None, "metropole": False, "outre-mer": True}[args.territory],
            on=args.date,
            overrides=overrides,
        )
        result = run(options, progress=progress)
    except (IdentificationError, ParameterError, ValueError) as exc:
        bar.close()
        return _fail(str(exc))
    bar.close()
    try:
        write_outputs(result, args.output, smooth_m=args.smooth, with_cells=not args.no_cells)
    except Exception as exc:  # OSError, erreurs GDAL de pyogrio, pyarrow…
        return _fail(f"écriture de « {args.output} » impossible ({type(exc).__name__} : {exc})")
    if args.report:
        args.report.write_text(html_report(result), encoding="utf-8")
    for warning in result.warnings:
        print(f"Attention : {warning}", file=sys.stderr)
    quartiers = result.quartiers
    total = sum(q.population for q in quartiers)
    est = " (estimation)" if result.estimated else ""
    print(
        f"{len(quartiers)} quartier(s) retenu(s), {round(total)} habitants{est} ; "
        f"{len(result.rejected)} agrégat(s) rejeté(s)."
    )
    for q in quartiers[:20]:
        print(f"  {q.code} : {q.explanation}")
    if len(quartiers) > 20:
        print(f"  … et {len(quartiers) - 20} autre(s)")
    print(
        f"Résultat écrit dans {args.output}"
        + (f", rapport dans {args.report}" if args.report else "")
    )
    if args.save_edition:
        from quartiers.identification.services import save_result_as_edition

        report = save_result_as_edition(result, args.save_edition, source=str(args.grid))
        print(report.summary())
    return 0


def _identify_census(args: argparse.Namespace) -> int:
    import csv

    from quartiers.core.identification import IdentificationError, IdentificationParameters
    from quartiers.core.identification.overseas import METHODS, read_census_units

    try:
        units = read_census_units(str(args.table), args.method)
        decisions = METHODS[args.method](units, IdentificationParameters.at(args.date))
    except (IdentificationError, ValueError) as exc:
        return _fail(str(exc))
    selected = [d for d in decisions if d.selected]
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["unit_code", "insee_code", "score", "selected", "explanation"])
            for d in decisions:
                writer.writerow(
                    [d.code, d.insee_code, str(d.score), int(d.selected), d.explanation]
                )
    else:
        for d in decisions:
            print(f"{d.code:<12} {'retenu' if d.selected else 'non retenu':<11} {d.explanation}")
    print(f"{len(selected)} unité(s) retenue(s) sur {len(decisions)}.")
    return 0
