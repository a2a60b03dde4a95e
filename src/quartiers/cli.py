"""La commande unique `quartiers` : elle appelle les mêmes services que le web et l'API.

Chaque domaine ajoute ses sous-commandes par une fonction `register(subparsers)`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable, Sequence

Handler = Callable[[argparse.Namespace], int]


def setup_django() -> None:
    """Prépare Django (réglages, applications) pour les commandes qui touchent la base."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quartiers.settings")
    import django

    django.setup()


def parse_date(text: str) -> dt.date:
    """Date au format AAAA-MM-JJ (ou JJ/MM/AAAA), avec un message français sinon."""
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"date « {text} » invalide : attendu AAAA-MM-JJ")


class FrenchParser(argparse.ArgumentParser):
    """argparse avec les libellés et erreurs en français."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")

    def error(self, message: str) -> None:  # type: ignore[override]
        translated = (
            message.replace("the following arguments are required", "arguments requis")
            .replace("invalid choice", "choix invalide")
            .replace("unrecognized arguments", "arguments inconnus")
            .replace("expected one argument", "une valeur attendue")
        )
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur : {translated}\n")

    def format_usage(self) -> str:
        return super().format_usage().replace("usage:", "usage :")

    def format_help(self) -> str:
        return super().format_help().replace("usage:", "usage :")


def build_parser() -> argparse.ArgumentParser:
    parser = FrenchParser(
        prog="quartiers",
        description="Quartiers : géographie prioritaire, dispositifs et "
        "financements de la politique de la ville.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE", parser_class=FrenchParser)
    sub.required = True

    migrate = sub.add_parser("migrate", help="préparer ou mettre à jour la base de données")
    migrate.set_defaults(handler=_migrate)

    serve = sub.add_parser("serve", help="servir l'application web")
    serve.add_argument("--host", default="127.0.0.1", help="adresse d'écoute (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port d'écoute (8000)")
    serve.add_argument("--threads", type=int, default=8, help="fils de traitement (8)")
    serve.set_defaults(handler=_serve)

    from quartiers import demo
    from quartiers.identification import cli as identification_cli
    from quartiers.programmes import cli as programmes_cli
    from quartiers.territories import cli as territories_cli
    from quartiers.territories import reference_cli

    demo.register(sub)
    territories_cli.register(sub)
    reference_cli.register(sub)
    identification_cli.register(sub)
    programmes_cli.register(sub)
    return parser


def _migrate(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    return 0


def _serve(args: argparse.Namespace) -> int:
    setup_django()
    from waitress import serve

    from quartiers.web.production import production_errors

    errors = production_errors()
    if errors:
        print("Quartiers refuse de démarrer en mode production :", file=sys.stderr)
        for error in errors:
            print(f"- {error}", file=sys.stderr)
        return 2

    from django.conf import settings

    from quartiers.wsgi import application

    proxy: dict[str, object] = {}
    if settings.QUARTIERS_BEHIND_HTTPS_PROXY:
        # waitress efface les en-têtes X-Forwarded-* sauf ceux du mandataire déclaré.
        proxy = {
            "trusted_proxy": settings.QUARTIERS_TRUSTED_PROXY,
            "trusted_proxy_headers": {"x-forwarded-proto", "x-forwarded-for"},
        }
    print(f"Quartiers sert sur http://{args.host}:{args.port}/ (Ctrl+C pour arrêter)")
    serve(application, host=args.host, port=args.port, threads=args.threads, **proxy)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
