"""Comptes de démonstration : un par rôle, sur le territoire FICTIF de Bellerive.

Appelé par `quartiers demo`. Écrit la liste des comptes et mots de passe dans
`settings.QUARTIERS_DEMO_ACCOUNTS_FILE` (`VAR_DIR/demo-accounts.json`), que la page de connexion lit seulement quand `QUARTIERS_DEMO=1`
(rien n'importe le module de démonstration à l'exécution). Relancer remet les mots de passe.
Les organisations n'ont pas de SIRET ni de RNA : des numéros inventés pourraient être réels.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

DEMO_DOMAIN = "demo.quartiers.invalid"
DEMO_ACTOR = "démonstration"
DEMO_EPCI_SIREN = "249999999"  # celui de l'EPCI fictif de territories.reference
BELLERIVE = {"region_code": "24", "department_code": "18"}

ORGANISATIONS: dict[str, dict[str, str]] = {
    "platform": {"name": "Équipe Quartiers (démonstration)", "kind": "platform"},
    "association": {
        "name": "Association Les Tilleuls solidaires (fictive)",
        "kind": "association",
        **BELLERIVE,
        "epci_siren": DEMO_EPCI_SIREN,
        "insee_code": "18999",
    },
    "ddets": {"name": "DDETS de démonstration (Bellerive, fictive)", "kind": "ddets", **BELLERIVE},
    "prefecture": {
        "name": "Préfecture de démonstration (Bellerive, fictive)",
        "kind": "prefecture",
        **BELLERIVE,
    },
    "caf": {"name": "CAF de démonstration (Bellerive, fictive)", "kind": "caf", **BELLERIVE},
    "epci": {
        "name": "Agglomération de Bellerive (territoire fictif)",
        "kind": "epci",
        **BELLERIVE,
        "epci_siren": DEMO_EPCI_SIREN,
    },
    "council": {
        "name": "Conseil citoyen des Tilleuls (fictif)",
        "kind": "citizen_council",
        **BELLERIVE,
        "epci_siren": DEMO_EPCI_SIREN,
        "insee_code": "18999",
    },
}


@dataclass(frozen=True)
class DemoAccount:
    role: str
    organisation: str  # clé de ORGANISATIONS
    full_name: str
    local_part: str
    password: str

    @property
    def email(self) -> str:
        return f"{self.local_part}@{DEMO_DOMAIN}"


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("platform_admin", "platform", "Camille Martin", "admin", "bellerive-admin"),
    DemoAccount(
        "organisation_admin",
        "association",
        "Nadia Benali",
        "responsable.association",
        "bellerive-responsable",
    ),
    DemoAccount("applicant", "association", "Julien Moreau", "porteur", "bellerive-porteur"),
    DemoAccount(
        "state_instructor",
        "ddets",
        "Sophie Lefebvre",
        "instructrice.ddets",
        "bellerive-instructrice",
    ),
    DemoAccount(
        "prefect_delegate", "prefecture", "Karim Haddad", "delegue.prefet", "bellerive-delegue"
    ),
    DemoAccount("funder_agent", "caf", "Élodie Garnier", "agent.caf", "bellerive-cofinanceur"),
    DemoAccount("city_contract_lead", "epci", "Thomas Petit", "chef.projet", "bellerive-contrat"),
    DemoAccount(
        "council_member", "council", "Aminata Diallo", "membre.conseil", "bellerive-conseil"
    ),
    DemoAccount(
        "council_facilitator", "council", "Lucas Roux", "animateur.conseil", "bellerive-animation"
    ),
)


def demo_accounts_missing() -> bool:
    from quartiers.accounts.models import User

    return not User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").exists()


def build_demo_accounts(write_file: bool = True) -> str:
    """Crée (ou remet) les organisations, comptes et adhésions ; écrit le fichier des accès."""
    from django.conf import settings
    from django.db import transaction

    from quartiers.accounts import services
    from quartiers.accounts.models import Membership, Organisation, User
    from quartiers.core.accounts import role_label

    with transaction.atomic():
        organisations: dict[str, Organisation] = {}
        for key, fields in ORGANISATIONS.items():
            found = Organisation.objects.filter(name=fields["name"], kind=fields["kind"]).first()
            organisations[key] = found or services.create_organisation(DEMO_ACTOR, **fields)
        for account in DEMO_ACCOUNTS:
            user = User.objects.filter(email=account.email).first()
            if user is None:
                user = services.create_user(DEMO_ACTOR, account.email, account.full_name)
            user.full_name = account.full_name
            user.is_active = True
            user.set_password(account.password)
            user.save()
            organisation = organisations[account.organisation]
            if not Membership.objects.filter(
                user=user, organisation=organisation, role=account.role
            ).exists():
                services.add_member(DEMO_ACTOR, organisation, account.email, account.role)
    if write_file:
        rows: list[dict[str, Any]] = [
            {
                **asdict(account),
                "email": account.email,
                "role_label": role_label(account.role),
                "organisation": ORGANISATIONS[account.organisation]["name"],
            }
            for account in DEMO_ACCOUNTS
        ]
        path = settings.QUARTIERS_DEMO_ACCOUNTS_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(
            json.dumps({"accounts": rows}, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        tmp.replace(path)
    return (
        f"comptes de démonstration : {len(DEMO_ACCOUNTS)} comptes (un par rôle), "
        f"@{DEMO_DOMAIN}, listés sur /comptes/connexion/ quand QUARTIERS_DEMO=1"
    )
