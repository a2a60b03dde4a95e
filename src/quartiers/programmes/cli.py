"""Commandes `quartiers rules …` : simuler un cas (JSON), un fichier de cas (CSV), lister les paramètres."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:

    rules = sub.add_parser(
        "rules", help="dispositifs : simuler l'éligibilité, lister les paramètres"
    )
    rules_sub = rules.add_subparsers(dest="rules_command", metavar="SOUS-COMMANDE")
    rules_sub.required = True

    simulate = rules_sub.add_parser("simulate", help="évaluer un cas décrit en JSON")
    simulate.add_argument(
        "facts", metavar="FAITS.json", help='fichier JSON : {faits} ou {"date": …, "facts": {…}}'
    )
    simulate.add_argument("--date", type="date", help="date de la simulation (AAAA-MM-JJ)")
    simulate.add_argument(
        "--programme", action="append", help="limiter à ce dispositif (répétable)"
    )
    simulate.add_argument("--audience", choices=["person", "employer", "structure"], help="public")
    simulate.add_argument("--format", choices=["text", "json"], default="text", help="sortie")
    simulate.set_defaults(handler=_simulate)

    batch = rules_sub.add_parser(
        "simulate-file", help="évaluer un fichier CSV de cas (un par ligne)"
    )
    batch.add_argument(
        "input", metavar="ENTREE.csv", help="colonnes = noms des faits, `date` facultative"
    )
    batch.add_argument(
        "-o", "--output", required=True, metavar="SORTIE.csv", help="fichier produit"
    )
    batch.add_argument("--date", type="date", help="date par défaut des lignes sans `date`")
    batch.add_argument(
        "--workers",
        type=int,
        default=min(4, os.cpu_count() or 1),
        help="processus de calcul (défaut : nombre de cœurs, 4 au plus)",
    )
    batch.set_defaults(handler=_simulate_file)

    params = rules_sub.add_parser(
        "parameters", help="lister les paramètres datés et leurs références"
    )
    params.add_argument("--programme", help="un seul dispositif")
    params.add_argument(
        "--format",
        choices=["text", "json", "openfisca"],
        default="text",
        help="sortie ; « openfisca » écrit un YAML par paramètre dans --output",
    )
    params.add_argument("-o", "--output", metavar="DOSSIER", help="dossier de l'export OpenFisca")
    params.set_defaults(handler=_parameters)


def _simulate(args: argparse.Namespace) -> int:

    path = Path(args.facts)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        print(f"{path} : fichier introuvable", file=sys.stderr)
        return 2
    except OSError:
        print(f"{path} : lecture impossible", file=sys.stderr)
        return 2
    except json.JSONDecodeError as exc:
        print(f"{path} : JSON invalide, ligne {exc.lineno} colonne {exc.colno}", file=sys.stderr)
        return 2
    if not isinstance(doc, dict):
        print(f"{path} : un objet JSON est attendu", file=sys.stderr)
        return 2
    facts = (
        doc.get("facts", doc) if "facts" in doc else {k: v for k, v in doc.items() if k != "date"}
    )
    day = args.date or doc.get("date")
    from quartiers.programmes import services

    try:
        simulation = services.simulate(facts, day, args.programme, args.audience)
    except services.EligibilityError as exc:
        print(f"{path} : {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(simulation.as_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"Simulation au {simulation.on:%d/%m/%Y}")
    for r in simulation.results:
        flag = " [à vérifier]" if r.to_check else ""
        print(f"\n{r.title} : {r.verdict_label}{flag}")
        for a in r.amounts:
            print(f"  {a.label} : {a.value} {a.unit}{' [à vérifier]' if a.to_check else ''}")
            print(f"    calcul : {a.computation}")
        for c in r.conditions:
            mark = {"met": "✓", "not_met": "✗", "unknown": "?"}[c.status.value]
            detail = f" — {c.value}" if c.value else ""
            reason = f" ({c.reason})" if c.reason and c.status.value != "met" else ""
            print(f"  {mark} {c.label}{detail}{reason}")
        if r.missing_facts:
            print("  à renseigner : " + ", ".join(r.missing_facts))
    return 0


def _simulate_file(args: argparse.Namespace) -> int:

    from quartiers.programmes import services

    try:
        summary = services.simulate_file(
            args.input,
            args.output,
            args.date,
            progress=lambda n: print(f"  {n} cas…", file=sys.stderr),
        )
    except services.EligibilityError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(summary.text())
    print(f"Résultats écrits dans {args.output}")
    return 0


def _parameters(args: argparse.Namespace) -> int:
    from quartiers.programmes import services

    if args.format == "openfisca":
        return _export_openfisca(args)
    try:
        catalogue = services.parameters_catalogue(args.programme)
    except services.EligibilityError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(catalogue, ensure_ascii=False, indent=2))
        return 0
    current = None
    for item in catalogue:
        if item["programme"] != current:
            current = item["programme"]
            print(f"\n== {item['programme_title']} ({current})")
        print(f"{item['name']} — {item['description']} [{item['unit']}]")
        for v in item["values"]:
            value = "fermé" if v["value"] is None else v["value"]
            flag = " [à vérifier]" if v["to_check"] else ""
            print(f"  depuis le {v['valid_from']} : {value}{flag} — {v['reference']}")
    return 0


def _export_openfisca(args: argparse.Namespace) -> int:
    from quartiers.core.rules import registry
    from quartiers.core.rules.openfisca import export_parameters

    if not args.output:
        print("--output DOSSIER est requis avec --format openfisca", file=sys.stderr)
        return 2
    try:
        chosen = [registry.programme(args.programme)] if args.programme else registry.programmes()
    except registry.UnknownProgramme as exc:
        print(str(exc), file=sys.stderr)
        return 2
    total = 0
    for programme in chosen:
        written, skipped = export_parameters(
            registry.parameters_for(programme.slug), Path(args.output) / programme.slug
        )
        total += len(written)
        if skipped:
            print(f"{programme.slug} : non exportés (listes) : {', '.join(skipped)}")
    print(f"{total} paramètres exportés au format OpenFisca dans {args.output}")
    return 0
