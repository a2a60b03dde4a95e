"""Commande `quartiers accounts …` : amorçage par l'exploitant, puis tout passe par --as."""

from __future__ import annotations

from typing import Any

import pytest

from quartiers import cli
from quartiers.accounts.models import ApiToken, Membership, User

pytestmark = pytest.mark.django_db


def run(capsys: Any, *args: str) -> tuple[int, str, str]:
    code = cli.main(["accounts", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_bootstrap_then_acting_account(capsys: Any) -> None:
    code, out, _ = run(capsys, "create-user", "Admin@Example.org", "--name", "Camille Admin")
    assert code == 0 and "Compte créé : Camille Admin (admin@example.org)" in out
    code, out, _ = run(capsys, "create-organisation", "Équipe", "--kind", "platform")
    assert code == 0
    platform_id = out.split("n° ")[1].split(",")[0]
    with pytest.raises(SystemExit) as info:  # --as est obligatoire pour agir sur un objet
        cli.main(
            ["accounts", "add-member", platform_id, "admin@example.org", "--role", "platform_admin"]
        )
    assert info.value.code == 2 and "arguments requis: --as" in capsys.readouterr().err
    # L'exploitant crée l'association et son responsable, puis l'administrateur agit avec --as.
    code, out, err = run(
        capsys, "create-organisation", "Asso", "--kind", "association", "--rna", "W18100012"
    )
    assert code == 1 and "numéro RNA « W18100012 » invalide" in err
    code, out, _ = run(
        capsys, "create-organisation", "Asso", "--kind", "association", "--insee-code", "18999"
    )
    asso_id = out.split("n° ")[1].split(",")[0]
    from quartiers.accounts import services
    from quartiers.accounts.models import Organisation

    services.add_member(
        "test", Organisation.objects.get(pk=platform_id), "admin@example.org", "platform_admin"
    )
    code, out, _ = run(
        capsys,
        "add-member",
        asso_id,
        "resp@example.org",
        "--role",
        "organisation_admin",
        "--as",
        "admin@example.org",
    )
    assert code == 0 and "est « Responsable de l'organisation » de Asso" in out
    code, out, err = run(
        capsys,
        "add-member",
        asso_id,
        "x@example.org",
        "--role",
        "applicant",
        "--as",
        "x@inconnu.org",
    )
    assert code == 4 and "aucun compte actif pour « x@inconnu.org »" in err
    code, out, _ = run(capsys, "members", asso_id, "--as", "resp@example.org")
    assert "resp@example.org  Responsable de l'organisation" in out
    code, out, _ = run(
        capsys, "audit", "accounts.organisation", asso_id, "--as", "resp@example.org"
    )
    assert code == 0 and "membership.added" in out and "Camille Admin (admin@example.org)" in out


def test_tokens_from_the_command_line(demo_world: dict[str, User], capsys: Any) -> None:
    code, out, _ = run(
        capsys, "token", "create", "--name", "import", "--as", "porteur@demo.quartiers.invalid"
    )
    assert code == 0
    secret = out.strip().splitlines()[-1]
    token = ApiToken.objects.get(user=demo_world["applicant"])
    assert secret.startswith("qrt_") and token.prefix in secret
    code, out, _ = run(capsys, "token", "list", "--as", "porteur@demo.quartiers.invalid")
    assert f"{token.pk}  {token.prefix}…  actif  import" in out and secret not in out
    code, _, err = run(
        capsys, "token", "revoke", str(token.pk), "--as", "agent.caf@demo.quartiers.invalid"
    )
    assert code == 3 and "ne peut pas voir ce jeton d'API" in err
    code, out, _ = run(
        capsys, "token", "revoke", str(token.pk), "--as", "porteur@demo.quartiers.invalid"
    )
    assert code == 0 and "révoqué" in out


def test_help_and_roles_are_in_french(capsys: Any) -> None:
    with pytest.raises(SystemExit):
        cli.main(["accounts", "--help"])
    out = capsys.readouterr().out
    assert "usage :" in out and "jetons d'API personnels" in out
    code, out, _ = run(capsys, "roles")
    assert code == 0 and "Délégué du préfet" in out and "Chef de projet contrat de ville" in out


def test_demo_command_creates_one_account_per_role(db: Any, capsys: Any) -> None:
    from quartiers.demo.accounts import DEMO_ACCOUNTS, build_demo_accounts

    build_demo_accounts(write_file=False)
    roles = set(
        Membership.objects.filter(user__email__endswith="@demo.quartiers.invalid").values_list(
            "role", flat=True
        )
    )
    from quartiers.core.accounts import Role

    assert roles == {r.value for r in Role}
    assert len(DEMO_ACCOUNTS) == len(Role)
