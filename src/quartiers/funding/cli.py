"""Commandes `quartiers funding …` : export CSV des plans de financement, import d'une programmation.

`--as COURRIEL` : le compte qui agit ; mêmes services et mêmes permissions que les pages et l'API.
Codes de sortie : 0 réussi, 1 demande invalide, 3 action refusée, 4 objet introuvable.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

EXIT_INVALID, EXIT_REFUSED, EXIT_NOT_FOUND = 1, 3, 4


def register(sub: Any) -> None:
    funding = sub.add_parser("funding", help="financements : demandes, export, import")
    fsub = funding.add_subparsers(dest="funding_command", metavar="SOUS-COMMANDE")
    fsub.required = True

    p = fsub.add_parser(
        "export",
        help="exporter en CSV ou XLSX les plans de financement visibles du compte",
        description="Une ligne par financeur et par action (CSV : séparateur « ; », UTF-8 ; "
        "XLSX : feuille « Financements », montants en nombres).",
    )
    p.add_argument("--as", dest="acting", required=True, metavar="COURRIEL", help="compte qui agit")
    p.add_argument("-o", "--output", metavar="FICHIER", help="fichier de sortie (défaut : écran)")
    p.add_argument(
        "--format",
        choices=["csv", "xlsx"],
        help="format (défaut : d'après l'extension de --output, sinon csv)",
    )
    p.set_defaults(handler=lambda args: _run(_export, args))

    p = fsub.add_parser(
        "import",
        help="importer la programmation d'un appel à projets (CSV ou XLSX, tout ou rien)",
        description="Colonnes : reference, siret, intitule, theme, action, intitule_action, qpv, "
        "financeur, montant_demande. À la moindre erreur, rien n'est importé.",
    )
    p.add_argument(
        "file",
        metavar="FICHIER",
        help="fichier CSV (UTF-8 ou Latin-1, « ; » ou « , ») ou classeur XLSX (première feuille)",
    )
    p.add_argument(
        "--call", type=int, required=True, metavar="APPEL", help="numéro de l'appel à projets"
    )
    p.add_argument("--as", dest="acting", required=True, metavar="COURRIEL", help="compte qui agit")
    p.set_defaults(handler=lambda args: _run(_import, args))

    p = fsub.add_parser("show", help="afficher une demande (statut, plan, historique)")
    p.add_argument("reference", metavar="REFERENCE")
    p.add_argument("--as", dest="acting", required=True, metavar="COURRIEL", help="compte qui agit")
    p.set_defaults(handler=lambda args: _run(_show, args))


def _run(handler: Any, args: argparse.Namespace) -> int:
    from quartiers.accounts.models import User, normalise_email
    from quartiers.core.accounts import NotAllowed
    from quartiers.core.csvfile import CsvFileError
    from quartiers.funding.programming import ImportRefused
    from quartiers.funding.services import ServiceError

    try:
        user = User.objects.filter(email=normalise_email(args.acting), is_active=True).first()
        if user is None:
            raise LookupError(f"aucun compte actif pour « {args.acting} » (option --as)")
        args.actor = user
        result: int = handler(args)
        return result
    except NotAllowed as exc:
        print(f"Refusé : {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except LookupError as exc:
        print(f"Introuvable : {exc}.", file=sys.stderr)
        return EXIT_NOT_FOUND
    except ImportRefused as exc:
        print(f"Import refusé, {exc} :", file=sys.stderr)
        for error in exc.errors:
            print(f"  - {error}", file=sys.stderr)
        return EXIT_INVALID
    except (ServiceError, CsvFileError, OSError, UsageError) as exc:
        print(f"Erreur : {exc}.", file=sys.stderr)
        return EXIT_INVALID


class UsageError(Exception):
    """Option incohérente : code de sortie 1 (demande invalide)."""


def _export(args: argparse.Namespace) -> int:
    from quartiers.funding.programming import write_export, write_export_xlsx
    from quartiers.funding.services import iter_export_rows

    rows = iter_export_rows(args.actor)
    fmt = args.format or ("xlsx" if (args.output or "").lower().endswith(".xlsx") else "csv")
    if fmt == "xlsx":
        if not args.output:
            raise UsageError("un classeur XLSX s'écrit dans un fichier : précisez -o")
        count = write_export_xlsx(rows, args.output)
        print(f"{count} ligne(s) écrite(s) dans {args.output}", file=sys.stderr)
        return 0
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            count = write_export(rows, out)
        print(f"{count} ligne(s) écrite(s) dans {args.output}", file=sys.stderr)
    else:
        write_export(rows, sys.stdout)
    return 0


def _import(args: argparse.Namespace) -> int:
    from quartiers.funding.models import CallForProjects
    from quartiers.funding.programming import import_file

    call = CallForProjects.objects.filter(pk=args.call).first()
    if call is None:
        raise LookupError(f"appel à projets n° {args.call} introuvable")
    result = import_file(args.actor, call, args.file)
    print(
        f"Importé : {result.applications} demande(s), {result.actions} action(s), "
        f"{result.funding_lines} ligne(s) de financement dans « {call} »."
    )
    return 0


def _show(args: argparse.Namespace) -> int:
    from quartiers.funding import services

    app = services.get_by_reference(args.actor, args.reference)
    summary = services.plan_summary(app)
    print(f"{app.reference} — {app.title} ({app.applicant.name})")
    print(
        f"Statut : {app.status_label} ; demandé {summary.requested} € ; accordé {summary.granted} €"
    )
    for item in services.history(args.actor, app):
        print(f"  {item.at:%d/%m/%Y %H:%M} {item.actor} {item.sentence}")
    return 0
