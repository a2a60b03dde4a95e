"""Banc d'essai : file d'instruction et page d'une demande sur 12 000 structures et 25 000 demandes.

Génère (données fictives, en masse) 12 000 structures, 25 000 demandes avec leurs actions, leur
budget et leur plan de financement, puis mesure, avec le client de test de Django (vues, gabarits
et requêtes compris) :

  (a) la file d'instruction filtrée (statut, thème, montant) et paginée, page 3 ;
  (b) la page d'une demande (actions, budget, plan, avis, historique) ;
  (c) une page « naïve » de la même file en ORM simple (accès paresseux par ligne : N+1).

Affiche p50/p95 en ms et le nombre de requêtes SQL de chaque page (constant pour (a) et (b)),
et le rapport naïve / Quartiers. Objectif : p95 < 300 ms.

    .venv/bin/python benchmarks/bench_funding.py [--organisations 12000] [--applications 25000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/quartiers_bench \\
        .venv/bin/python benchmarks/bench_funding.py   # sur PostgreSQL (base vide, dédiée)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

STATUSES = ["draft", "submitted", "taken_charge", "under_instruction", "complemented", "decided"]
THEMES = ["Éducation", "Emploi", "Cadre de vie", "Santé", "Culture", "Sport"]


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def generate(n_orgs: int, n_apps: int) -> dict[str, Any]:
    from django.db import transaction

    from quartiers.accounts.models import Membership, Organisation, User
    from quartiers.funding.models import (
        Action,
        BudgetLine,
        CallForProjects,
        CityContract,
        FundingLine,
        GrantApplication,
    )

    rng = random.Random(147)
    with transaction.atomic():
        cher = {"region_code": "24", "department_code": "18"}
        ddets = Organisation.objects.create(name="DDETS 18 (banc)", kind="ddets", **cher)
        caf = Organisation.objects.create(name="CAF 18 (banc)", kind="caf", **cher)
        epci = Organisation.objects.create(
            name="EPCI (banc)", kind="epci", epci_siren="249999999", **cher
        )
        orgs = Organisation.objects.bulk_create(
            Organisation(name=f"Association n° {i} (fictive)", kind="association", **cher)
            for i in range(n_orgs)
        )
        inst = User.objects.create_user("inst@banc.invalid", "x")
        Membership.objects.create(user=inst, organisation=ddets, role="state_instructor")
        contracts = [
            CityContract.objects.create(
                name=f"Contrat {i} (banc)", epci_siren="249999999", department_code="18",
                region_code="24", generation="2024", starts_on=dt.date(2024, 1, 1),
                ends_on=dt.date(2030, 12, 31), qpv_codes=[f"QN018{i:02d}{k}M" for k in range(5)],
            )
            for i in range(8)
        ]  # fmt: skip
        grid = [{"code": "capacite", "label": "Capacité", "max": 5}]
        calls = []
        for contract in contracts:
            call = CallForProjects.objects.create(
                contract=contract, title=f"Appel {contract.pk}", year=2026, themes=THEMES,
                opens_on=dt.date(2025, 10, 1), closes_on=dt.date(2026, 12, 31), scoring_grid=grid,
            )  # fmt: skip
            call.funders.set([ddets, caf, epci])
            calls.append(call)
        apps = []
        for i in range(n_apps):
            call = calls[i % len(calls)]
            qpv = [rng.choice(call.contract.qpv_codes)]
            apps.append(
                GrantApplication(
                    reference=f"2026-18-{i + 1:06d}",
                    call=call,
                    applicant=orgs[i % n_orgs],
                    title=f"Action de proximité {i}",
                    theme=rng.choice(THEMES),
                    status=rng.choice(STATUSES),
                    first_year=2026,
                    department_code="18",
                    region_code="24",
                    epci_siren="249999999",
                    qpv_codes=qpv,
                    requested_total=Decimal(rng.randrange(1000, 40000)),
                )
            )
        apps = GrantApplication.objects.bulk_create(apps, batch_size=2000)
        actions = Action.objects.bulk_create(
            (
                Action(application=a, number=n, title=f"Action {n}", qpv_codes=a.qpv_codes,
                       beneficiaries=30, qpv_share=Decimal(80))
                for a in apps for n in range(1, 1 + (1 if a.pk % 3 else 2))
            ),
            batch_size=2000,
        )  # fmt: skip
        BudgetLine.objects.bulk_create(
            (
                BudgetLine(action=a, category=code, amount=Decimal(1000))
                for a in actions
                for code in ("60", "64", "74")
            ),
            batch_size=5000,
        )
        FundingLine.objects.bulk_create(
            (
                FundingLine(action=a, funder=f, year=2026, requested=Decimal(500))
                for a in actions
                for f in (ddets, caf)
            ),
            batch_size=5000,
        )
    return {"inst": inst, "app": apps[len(apps) // 2], "actions": len(actions)}


def measure(client: Any, url: str, runs: int) -> tuple[list[float], int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    queries = 0
    status = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        queries, status = len(ctx.captured_queries), response.status_code
    return times, queries, status


def naive_queue(user: Any) -> str:
    """La même file écrite sans précaution : accès paresseux par ligne (N+1)."""
    from quartiers.funding.models import GrantApplication

    rows = GrantApplication.objects.filter(
        department_code="18", status="under_instruction", theme="Éducation"
    ).order_by("-created_at")[50:75]
    parts = []
    for app in rows:
        lines = [f"{line.funder.name}:{line.requested}" for a in app.actions.all()
                 for line in a.funding_lines.all()]  # fmt: skip
        parts.append(f"{app.reference} {app.applicant.name} {app.call.title} {len(lines)}")
    return "\n".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--organisations", type=int, default=12_000)
    parser.add_argument("--applications", type=int, default=25_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="quartiers-bench-funding-"))
    os.environ.update(
        {"QUARTIERS_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "quartiers.settings"}
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    from quartiers.accounts.models import User

    if User.objects.filter(email="inst@banc.invalid").exists():
        print(
            f"la base {connection.settings_dict['NAME']} contient déjà un banc : donnez une base "
            "vide à DATABASE_URL (par ex. DROP puis CREATE DATABASE quartiers_bench)",
            file=sys.stderr,
        )
        return 2
    start = time.perf_counter()
    data = generate(args.organisations, args.applications)
    print(
        f"données : {args.organisations} structures, {args.applications} demandes, "
        f"{data['actions']} actions ({connection.vendor}) en {time.perf_counter() - start:.1f} s"
    )
    client = Client()
    client.force_login(data["inst"])
    queue_url = "/financements/instruction?status=under_instruction&theme=Éducation&min=2000&page=3"
    detail_url = f"/financements/demandes/{data['app'].pk}"
    measure(client, queue_url, 2)  # chauffe
    results = {}
    for label, url in (("file d'instruction", queue_url), ("page d'une demande", detail_url)):
        times, queries, status = measure(client, url, args.runs)
        assert status == 200, (label, status)
        results[label] = times
        print(
            f"{label:22s} p50 {_p(times, 0.5):7.1f} ms  p95 {_p(times, 0.95):7.1f} ms  "
            f"{queries} requêtes SQL"
        )
    naive_times = []
    naive_queries = 0
    for _ in range(max(5, args.runs // 3)):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            naive_queue(data["inst"])
            naive_times.append(time.perf_counter() - t0)
        naive_queries = len(ctx.captured_queries)
    print(
        f"{'file naïve (ORM)':22s} p50 {_p(naive_times, 0.5):7.1f} ms  "
        f"p95 {_p(naive_times, 0.95):7.1f} ms  {naive_queries} requêtes SQL"
    )
    ratio = statistics.median(naive_times) / statistics.median(results["file d'instruction"])
    print(f"rapport naïve / Quartiers (médianes, la naïve sans gabarit) : {ratio:.2f}×")
    worst = max(_p(t, 0.95) for t in results.values())
    print(f"objectif p95 < 300 ms : {'atteint' if worst < 300 else 'MANQUÉ'} ({worst:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
