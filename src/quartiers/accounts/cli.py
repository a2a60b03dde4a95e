"""Commandes `quartiers accounts …` : comptes, organisations, membres, jetons, journal.

Toute commande qui agit sur un objet prend `--as COURRIEL` (le compte qui agit) et passe par
les mêmes services et le même `authorize` que les pages et l'API. Sans `--as`, seules la
création d'un compte ou d'une organisation sont permises : c'est l'exploitant qui amorce.
Codes de sortie : 0 réussi, 1 demande invalide, 3 action refusée, 4 objet introuvable.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from typing import Any

OPERATOR = "exploitant (ligne de commande)"
EXIT_INVALID, EXIT_REFUSED, EXIT_NOT_FOUND = 1, 3, 4


def register(sub: Any) -> None:
    from quartiers.core.accounts import ORGANISATION_KIND_LABELS, TERRITORY_FIELD_LABELS

    accounts = sub.add_parser(
        "accounts", help="comptes, organisations, rôles, jetons d'API, journal"
    )
    asub = accounts.add_subparsers(dest="accounts_command", metavar="SOUS-COMMANDE")
    asub.required = True

    def command(
        name: str, help_text: str, handler: Callable[[argparse.Namespace], int], acting: str
    ) -> Any:
        parser = asub.add_parser(name, help=help_text, description=help_text)
        if acting == "required":
            parser.add_argument(
                "--as", dest="acting", required=True, metavar="COURRIEL", help="compte qui agit"
            )
        elif acting == "optional":
            parser.add_argument(
                "--as",
                dest="acting",
                metavar="COURRIEL",
                help="compte qui agit (défaut : l'exploitant)",
            )
        parser.set_defaults(handler=lambda args: _run(handler, args))
        return parser

    p = command("create-user", "créer un compte", _create_user, "optional")
    p.add_argument("email", metavar="COURRIEL")
    p.add_argument("--name", default="", help="nom complet")
    p.add_argument(
        "--password-stdin", action="store_true", help="lire le mot de passe sur l'entrée standard"
    )
    p.add_argument(
        "--superuser", action="store_true", help="accès complet à l'administration Django"
    )

    p = command("create-organisation", "créer une organisation", _create_organisation, "optional")
    p.add_argument("name", metavar="NOM")
    p.add_argument(
        "--kind", required=True, choices=[k.value for k in ORGANISATION_KIND_LABELS], help="nature"
    )
    for field in ("siret", "siren", "rna", *TERRITORY_FIELD_LABELS):
        p.add_argument(
            f"--{field.replace('_', '-')}",
            dest=field,
            default="",
            help=TERRITORY_FIELD_LABELS.get(field, field.upper()),
        )

    command("roles", "lister les rôles et leur sens", _roles, "none")

    p = command("list", "lister les organisations visibles du compte", _list, "required")
    p.add_argument("--format", choices=["text", "json"], default="text", help="sortie")

    p = command("show", "afficher une organisation", _show, "required")
    p.add_argument(
        "organisation", type=int, metavar="ORGANISATION", help="numéro de l'organisation"
    )

    p = command("members", "lister les membres d'une organisation", _members, "required")
    p.add_argument("organisation", type=int, metavar="ORGANISATION")
    p.add_argument("--format", choices=["text", "json"], default="text", help="sortie")

    p = command(
        "add-member", "ajouter un membre (compte créé s'il n'existe pas)", _add_member, "required"
    )
    p.add_argument("organisation", type=int, metavar="ORGANISATION")
    p.add_argument("email", metavar="COURRIEL")
    p.add_argument("--role", required=True, help="code du rôle (voir « quartiers accounts roles »)")
    p.add_argument("--name", default="", help="nom complet, si le compte est créé")
    p.add_argument("--reason", default="", help="motif consigné au journal")

    p = command("remove-member", "retirer une adhésion", _remove_member, "required")
    p.add_argument("membership", type=int, metavar="ADHESION", help="numéro de l'adhésion")
    p.add_argument("--reason", default="", help="motif consigné au journal")

    p = command("audit", "journal d'un objet", _audit, "required")
    p.add_argument("target_type", metavar="TYPE", help="par exemple accounts.organisation")
    p.add_argument("target_id", metavar="ID")
    p.add_argument("--format", choices=["text", "json"], default="text", help="sortie")

    token = asub.add_parser("token", help="jetons d'API personnels")
    tsub = token.add_subparsers(dest="token_command", metavar="ACTION")
    tsub.required = True
    p = tsub.add_parser("create", help="créer un jeton (affiché une seule fois)")
    p.add_argument(
        "--as", dest="acting", required=True, metavar="COURRIEL", help="compte titulaire"
    )
    p.add_argument("--name", required=True, help="à quoi sert le jeton")
    p.add_argument("--days", type=int, help="validité en jours (0 : sans expiration)")
    p.set_defaults(handler=lambda args: _run(_token_create, args))
    p = tsub.add_parser("list", help="lister ses jetons")
    p.add_argument(
        "--as", dest="acting", required=True, metavar="COURRIEL", help="compte titulaire"
    )
    p.set_defaults(handler=lambda args: _run(_token_list, args))
    p = tsub.add_parser("revoke", help="révoquer un jeton")
    p.add_argument("token", type=int, metavar="JETON", help="numéro du jeton")
    p.add_argument("--as", dest="acting", required=True, metavar="COURRIEL", help="compte qui agit")
    p.add_argument("--reason", default="", help="motif consigné au journal")
    p.set_defaults(handler=lambda args: _run(_token_revoke, args))


def _run(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Trouve le compte qui agit, et formule en français refus et erreurs."""
    from quartiers.accounts.services import ServiceError
    from quartiers.core.accounts import NotAllowed

    try:
        args.actor = _acting(args)
        return handler(args)
    except NotAllowed as exc:
        print(f"Refusé : {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except LookupError as exc:
        print(f"Introuvable : {exc}.", file=sys.stderr)
        return EXIT_NOT_FOUND
    except ServiceError as exc:
        print(f"Erreur : {exc}.", file=sys.stderr)
        return EXIT_INVALID


def _acting(args: argparse.Namespace) -> Any:
    from quartiers.accounts.models import User, normalise_email

    email = getattr(args, "acting", None)
    if not email:
        return OPERATOR
    user = User.objects.filter(email=normalise_email(email), is_active=True).first()
    if user is None:
        raise LookupError(f"aucun compte actif pour « {email} » (option --as)")
    return user


def _create_user(args: argparse.Namespace) -> int:
    from quartiers.accounts import services

    password = None
    if args.password_stdin:
        password = (
            sys.stdin.readline().rstrip("\n")
            if not sys.stdin.isatty()
            else getpass.getpass("Mot de passe : ")
        )
    user = services.create_user(args.actor, args.email, args.name, password)
    if args.superuser:
        if not isinstance(args.actor, str):
            from quartiers.core.accounts import NotAllowed

            raise NotAllowed("accounts.add_user", args.actor.label, "compte superutilisateur")
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    print(
        f"Compte créé : {user.label} (n° {user.pk}){'' if password else ' — sans mot de passe : « Mot de passe oublié » sur la page de connexion'}."
    )
    return 0


def _create_organisation(args: argparse.Namespace) -> int:
    from quartiers.accounts import services
    from quartiers.core.accounts import TERRITORY_FIELD_LABELS

    fields = {
        name: getattr(args, name) for name in ("siret", "siren", "rna", *TERRITORY_FIELD_LABELS)
    }
    organisation = services.create_organisation(
        args.actor, name=args.name, kind=args.kind, **fields
    )
    print(
        f"Organisation créée : {organisation.name} (n° {organisation.pk}, {organisation.kind_label})."
    )
    return 0


def _roles(args: argparse.Namespace) -> int:
    from quartiers.core.accounts import ROLES

    for info in ROLES.values():
        kinds = ", ".join(sorted(k.value for k in info.organisation_kinds))
        print(f"{info.role.value:22} {info.label} — {info.description}")
        print(f"{'':22} organisations : {kinds}")
    return 0


def _print_rows(rows: list[dict[str, Any]], fmt: str, columns: list[str]) -> None:
    if fmt == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    for row in rows:
        print("  ".join(str(row[c]) for c in columns))
    if not rows:
        print("(aucun)")


def _list(args: argparse.Namespace) -> int:
    from quartiers.accounts import services

    rows = [
        {"id": o.pk, "name": o.name, "kind": o.kind, "department_code": o.department_code or "—"}
        for o in services.visible_organisations(args.actor)
    ]
    _print_rows(rows, args.format, ["id", "kind", "department_code", "name"])
    return 0


def _show(args: argparse.Namespace) -> int:
    from quartiers.accounts import services

    o = services.get_organisation(args.actor, args.organisation)
    print(f"{o.name} (n° {o.pk}) — {o.kind_label}")
    for label, value in (
        ("SIRET", o.siret),
        ("SIREN", o.siren),
        ("RNA", o.rna),
        ("région", o.region_code),
        ("département", o.department_code),
        ("EPCI", o.epci_siren),
        ("commune", o.insee_code),
    ):
        if value:
            print(f"  {label} : {value}")
    return 0


def _members(args: argparse.Namespace) -> int:
    from quartiers.accounts import services
    from quartiers.accounts.models import Organisation

    organisation = Organisation.objects.filter(pk=args.organisation).first()
    if organisation is None:
        raise LookupError(f"organisation n° {args.organisation} introuvable")
    rows = [
        {
            "id": m.pk,
            "email": m.user.email,
            "full_name": m.user.full_name,
            "role": m.role,
            "role_label": m.role_label,
        }
        for m in services.members(args.actor, organisation)
    ]
    _print_rows(rows, args.format, ["id", "email", "role_label"])
    return 0


def _require_user(args: argparse.Namespace) -> Any:
    if isinstance(args.actor, str):
        raise LookupError("option --as requise")
    return args.actor


def _add_member(args: argparse.Namespace) -> int:
    from quartiers.accounts import services
    from quartiers.accounts.models import Organisation

    actor = _require_user(args)
    organisation = Organisation.objects.filter(pk=args.organisation).first()
    if organisation is None:
        raise LookupError(f"organisation n° {args.organisation} introuvable")
    m = services.add_member(actor, organisation, args.email, args.role, args.name, args.reason)
    print(f"Adhésion n° {m.pk} : {m.user.label} est « {m.role_label} » de {organisation.name}.")
    return 0


def _remove_member(args: argparse.Namespace) -> int:
    from quartiers.accounts import services

    actor = _require_user(args)
    m = services.get_membership(actor, args.membership)
    services.remove_member(actor, m, args.reason)
    print(
        f"Adhésion n° {args.membership} retirée : {m.user.label} n'est plus « {m.role_label} » de {m.organisation.name}."
    )
    return 0


def _audit(args: argparse.Namespace) -> int:
    from django.utils import timezone

    from quartiers.accounts import services

    events = services.history_of(_require_user(args), args.target_type, args.target_id)
    rows = [
        {
            "created_at": timezone.localtime(e.created_at).isoformat(timespec="seconds"),
            "actor": e.actor_label,
            "action": e.action,
            "changes": e.changes,
            "reason": e.reason,
        }
        for e in events
    ]
    if args.format == "json":
        _print_rows(rows, "json", [])
    else:
        for row in rows:
            changes = ", ".join(
                f"{k} : {v['before']} → {v['after']}" for k, v in row["changes"].items()
            )
            print(
                f"{row['created_at']}  {row['actor']}  {row['action']}  {changes}  {row['reason']}".rstrip()
            )
        if not rows:
            print("(aucun événement)")
    return 0


def _token_create(args: argparse.Namespace) -> int:
    from quartiers.accounts import services

    new = services.create_token(_require_user(args), args.name, args.days)
    expires = new.token.expires_at.strftime("%d/%m/%Y") if new.token.expires_at else "jamais"
    print(
        f"Jeton n° {new.token.pk} « {new.token.name} » créé (expire : {expires}). Copiez-le, il ne sera plus affiché :"
    )
    print(new.secret)
    return 0


def _token_list(args: argparse.Namespace) -> int:
    from quartiers.accounts import services

    tokens = list(services.tokens_of(_require_user(args)))
    for t in tokens:
        used = t.last_used_at.strftime("%d/%m/%Y %H:%M") if t.last_used_at else "jamais utilisé"
        print(f"{t.pk}  {t.prefix}…  {t.status_label}  {t.name}  ({used})")
    if not tokens:
        print("(aucun jeton)")
    return 0


def _token_revoke(args: argparse.Namespace) -> int:
    from quartiers.accounts import services

    actor = _require_user(args)
    token = services.revoke_token(actor, services.get_token(actor, args.token), args.reason)
    print(f"Jeton n° {token.pk} « {token.name} » révoqué.")
    return 0
