"""La commande unique `quartiers` : elle appelle les mêmes services que le web et l'API.

Chaque domaine ajoute ses sous-commandes par une fonction `register(sub)` de son module
`cli.py` ; celui-ci n'importe rien d'ici (règle de dépendance : `cli` est tout en haut).
Django est prêt avant que la sous-commande ne s'exécute.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from quartiers.cli.parser import FrenchParser

Handler = Callable[[argparse.Namespace], int]


def setup_django() -> None:
    """Prépare Django (réglages, applications) avant toute sous-commande."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quartiers.settings")
    import django

    django.setup()


def build_parser() -> argparse.ArgumentParser:
    parser = FrenchParser(
        prog="quartiers",
        description="Quartiers : géographie prioritaire, dispositifs et "
        "financements de la politique de la ville.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE", parser_class=FrenchParser)
    sub.required = True

    from quartiers import demo
    from quartiers.accounts import cli as accounts_cli
    from quartiers.addresses import cli as addresses_cli
    from quartiers.cli import server
    from quartiers.funding import cli as funding_cli
    from quartiers.identification import cli as identification_cli
    from quartiers.jobs import cli as jobs_cli
    from quartiers.observatory import cli as observatory_cli
    from quartiers.programmes import cli as programmes_cli
    from quartiers.territories import cli as territories_cli
    from quartiers.zoning import cli as zoning_cli

    server.register(sub)
    demo.register(sub)
    qpv = zoning_cli.register(sub)
    addresses_cli.register(qpv)
    territories_cli.register(sub)
    identification_cli.register(sub)
    programmes_cli.register(sub)
    jobs_cli.register(sub)
    accounts_cli.register(sub)
    observatory_cli.register(sub)
    funding_cli.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    setup_django()
    from django.db import DatabaseError

    try:
        return handler(args)
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130
    except DatabaseError as exc:
        # Jamais de trace technique pour l'usager : la cause la plus fréquente est une base
        # créée par une version antérieure (tables ou colonnes absentes).
        print(
            "Erreur : la base de données a refusé l'opération ; si elle vient d'une version "
            "antérieure, lancez « quartiers migrate ». Détail technique : "
            f"{type(exc).__name__}.",
            file=sys.stderr,
        )
        return 1
    except BrokenPipeError:  # sortie coupée par `head`, `less`… : rien à dire
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
