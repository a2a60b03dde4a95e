"""Sous-commandes `quartiers territories …` : communes, EPCI, départements, régions, unités urbaines."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: Any) -> None:
    territories = sub.add_parser(
        "territories", help="territoires de référence : communes, EPCI, départements, régions, UU"
    )
    tsub = territories.add_subparsers(dest="territories_command", metavar="ACTION")
    tsub.required = True

    imp = tsub.add_parser(
        "import",
        help="charger le découpage administratif d'Etalab (@etalab/decoupage-administratif)",
        description=(
            "Charge régions, départements, communes (avec population) et EPCI (avec leurs "
            "membres) depuis l'archive du paquet npm @etalab/decoupage-administratif (.tgz) "
            "ou son dossier dépaqueté. Sans chemin, l'archive est téléchargée par "
            "« npm pack » dans le dossier var/. Tout ou rien."
        ),
    )
    imp.add_argument("path", nargs="?", help="archive .tgz du paquet ou dossier dépaqueté")
    imp.add_argument(
        "--if-empty",
        action="store_true",
        help="ne rien faire si le découpage est déjà chargé",
    )
    imp.set_defaults(handler=_import)

    uu = tsub.add_parser(
        "import-uu",
        help="charger les unités urbaines 2020 de l'INSEE (liste + composition communale)",
        description=(
            "Charge les unités urbaines 2020 depuis un dossier contenant "
            "uu2020_liste….csv et uu2020_composition_communale….csv, ou depuis ces deux "
            "fichiers donnés dans cet ordre. Tout ou rien."
        ),
    )
    uu.add_argument("path", help="dossier des fichiers INSEE, ou fichier de la liste des UU")
    uu.add_argument("composition", nargs="?", help="fichier de la composition communale")
    uu.set_defaults(handler=_import_uu)


def _fail(message: str) -> int:
    print(f"Erreur : {message}", file=sys.stderr)
    return 1


def _import(args: argparse.Namespace) -> int:
    from quartiers.core.geo.admin_units import ReferenceFileError
    from quartiers.territories import reference

    if args.if_empty and reference.decoupage_loaded():
        print("Découpage administratif déjà chargé : rien à faire.")
        return 0
    try:
        path = args.path
        if path is None:
            print(f"Téléchargement de {reference.NPM_PACKAGE} (npm pack)…")
            try:
                path = reference.fetch_decoupage_package()
            except reference.PackageFetchError as exc:
                path = reference.cached_decoupage_package()
                if path is None and args.if_empty:
                    # Premier lancement hors ligne : la démonstration n'en a pas besoin.
                    print(
                        f"Découpage administratif non chargé : {exc}\n"
                        "La démonstration fonctionne sans (ses communes sont fictives) ; "
                        "relancez « quartiers territories import » une fois en ligne."
                    )
                    return 0
                if path is None:
                    raise
                print(f"Attention : {exc}\nArchive déjà téléchargée utilisée : {path}")
            print(f"Archive : {path}")
        report = reference.import_decoupage(path)
    except (ReferenceFileError, reference.PackageFetchError) as exc:
        return _fail(str(exc))
    print(report.summary())
    return 0


def _import_uu(args: argparse.Namespace) -> int:
    from quartiers.core.geo.admin_units import ReferenceFileError
    from quartiers.territories import reference

    try:
        report = reference.import_urban_units(args.path, args.composition)
    except ReferenceFileError as exc:
        return _fail(str(exc))
    print(report.summary())
    return 0
