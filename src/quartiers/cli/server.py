"""`quartiers migrate` et `quartiers serve` : préparer la base, servir l'application (avec un
travailleur de la file de traitements, sauf `--no-worker`)."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: Any) -> None:
    migrate = sub.add_parser("migrate", help="préparer ou mettre à jour la base de données")
    migrate.set_defaults(handler=_migrate)

    serve = sub.add_parser("serve", help="servir l'application web")
    serve.add_argument("--host", default="127.0.0.1", help="adresse d'écoute (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port d'écoute (8000)")
    serve.add_argument("--threads", type=int, default=8, help="fils de traitement (8)")
    serve.add_argument("--no-worker", action="store_true", help="ne pas lancer de travailleur")
    serve.set_defaults(handler=_serve)


def _migrate(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)
    return 0


# Marge au-delà du plus gros fichier accepté (champs du formulaire multipart) : l'application
# répond elle-même, en français, jusqu'à QUARTIERS_BATCH_MAX_BYTES + 64 Kio ; waitress ne coupe
# qu'au-delà, notamment un corps envoyé par morceaux (« chunked ») sans Content-Length.
SERVER_BODY_MARGIN_BYTES = 1024 * 1024


def max_request_body_size() -> int:
    """Taille maximale d'un corps de requête lu par waitress (octets)."""
    from django.conf import settings

    return int(settings.QUARTIERS_BATCH_MAX_BYTES) + SERVER_BODY_MARGIN_BYTES


def _serve(args: argparse.Namespace) -> int:
    from django.conf import settings
    from waitress import serve

    from quartiers.web.production import production_errors

    errors = production_errors()
    if errors:
        print("Quartiers refuse de démarrer en mode production :", file=sys.stderr)
        for error in errors:
            print(f"- {error}", file=sys.stderr)
        return 2
    proxy: dict[str, object] = {}
    if settings.QUARTIERS_BEHIND_HTTPS_PROXY:
        # waitress efface les en-têtes X-Forwarded-* sauf ceux du mandataire déclaré.
        proxy = {
            "trusted_proxy": settings.QUARTIERS_TRUSTED_PROXY,
            "trusted_proxy_headers": {"x-forwarded-proto", "x-forwarded-for"},
        }

    from quartiers.jobs.cli import worker_alongside
    from quartiers.wsgi import application

    print(f"Quartiers sert sur http://{args.host}:{args.port}/ (Ctrl+C pour arrêter)")
    with worker_alongside(enabled=not args.no_worker):
        serve(
            application,
            host=args.host,
            port=args.port,
            threads=args.threads,
            max_request_body_size=max_request_body_size(),
            **proxy,
        )
    return 0
