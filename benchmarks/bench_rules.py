"""Banc du moteur de règles.

1. Une personne contre tous les dispositifs, en mémoire (objectif < 5 ms par évaluation) ;
   référence naïve : relire les paramètres YAML à chaque évaluation.
2. 100 000 cas d'un CSV généré, par le service de `quartiers rules simulate-file`
   (objectif < 60 s) ; référence naïve (sur un échantillon) : paramètres relus et QPV
   localisé point par point, sans préchargement par lot.

Usage : .venv/bin/python benchmarks/bench_rules.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

PERSON = {
    "birth_date": dt.date(2004, 3, 1),
    "lon": 2.388,
    "lat": 46.654,
    "employment_status": "jobseeker",
    "jobseeker_category": 1,
    "diploma_level": "none",
    "household_tax_situation": "not_taxed",
    "receives_incompatible_benefit": False,
    "medically_fit": True,
    "family_quotient": 900,
    "hire_date": dt.date(2024, 6, 1),
    "contract_type": "cdi",
    "working_time_percent": 80,
    "organisation_type": "association",
}


def bench_one_person(n: int = 2000) -> None:
    from quartiers import demo
    from quartiers.core.geo.zoning import DatedLocator, Edition
    from quartiers.core.rules import registry

    resolver = DatedLocator.in_memory(
        [
            (Edition("2015", dt.date(2015, 1, 1), dt.date(2023, 12, 31)), demo.perimeters_2015()),
            (Edition("2024", dt.date(2024, 1, 1), None), demo.perimeters_2024()),
        ]
    )
    on = dt.date(2025, 6, 1)
    registry.evaluate(PERSON, on, resolver)  # chargement initial
    times = []
    cpu = time.process_time()
    for _ in range(n):
        resolver.clear_cache()  # chaque évaluation repart sans réponse QPV mémorisée
        t = time.perf_counter()
        results = registry.evaluate(PERSON, on, resolver)
        times.append(time.perf_counter() - t)
    cpu_mean = (time.process_time() - cpu) / n * 1000
    assert len(results) == len(registry.SLUGS)
    mean = statistics.fmean(times) * 1000
    p95 = sorted(times)[int(0.95 * n)] * 1000
    naive = []
    for _ in range(max(50, n // 20)):
        t = time.perf_counter()
        registry.parameters_for.cache_clear()
        resolver.clear_cache()
        registry.evaluate(PERSON, on, resolver)
        naive.append(time.perf_counter() - t)
    naive_mean = statistics.fmean(naive) * 1000
    print(f"1) Une personne × {len(registry.SLUGS)} dispositifs, {n} évaluations :")
    print(
        f"   moyenne {mean:.3f} ms, p95 {p95:.3f} ms (objectif < 5 ms) ; temps CPU moyen {cpu_mean:.3f} ms"
    )
    print(f"   référence naïve (paramètres relus à chaque fois) : {naive_mean:.2f} ms")
    print(f"   rapport : × {naive_mean / mean:.1f}")


def generate_csv(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    statuses = ["jobseeker", "csp", "mission_locale_youth", "employed", "student", "inactive"]
    orgs = ["company", "association", "sem", "hlm_body", "local_authority"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        w = csv.writer(handle)
        w.writerow(
            [
                "id",
                "date",
                "birth_date",
                "lon",
                "lat",
                "employment_status",
                "jobseeker_category",
                "diploma_level",
                "household_tax_situation",
                "receives_incompatible_benefit",
                "hire_date",
                "contract_type",
                "contract_months",
                "working_time_percent",
                "organisation_type",
                "employer_obligations_up_to_date",
                "economic_dismissal_last_6_months",
                "employee_on_staff_last_6_months",
                "other_state_aid_same_employee",
                "family_quotient",
                "tax_year",
                "premises_in_qpv",
            ]
        )
        for i in range(rows):
            birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 60 * 365))
            hire = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(0, 7 * 365))
            on = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(0, 6 * 365))
            lon = 2.40 + rng.uniform(-0.03, 0.045)
            lat = 46.65 + rng.uniform(-0.02, 0.02)
            bad = i % 1000 == 999  # une ligne fautive sur mille
            w.writerow(
                [
                    i,
                    on.isoformat(),
                    "pas une date" if bad else birth.isoformat(),
                    f"{lon:.6f}",
                    f"{lat:.6f}",
                    rng.choice(statuses),
                    rng.randint(1, 8),
                    rng.choice(["none", "cap_bep", "bac_pro"]),
                    rng.choice(["not_taxed", "first_band", "higher_band"]),
                    rng.choice(["oui", "non"]),
                    hire.isoformat(),
                    rng.choice(["cdi", "cdd", "apprenticeship"]),
                    rng.randint(1, 36),
                    rng.choice([100, 80, 50, 20]),
                    rng.choice(orgs),
                    "oui",
                    "non",
                    "non",
                    "non",
                    rng.randint(0, 2500),
                    rng.randint(2023, 2031),
                    rng.choice(["oui", "non"]),
                ]
            )


def bench_file(rows: int, workers: int) -> None:
    os.environ["QUARTIERS_VAR_DIR"] = tempfile.mkdtemp(prefix="quartiers-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quartiers.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from quartiers import demo
    from quartiers.core.rules import registry
    from quartiers.programmes import services

    demo.build_geography()
    work = Path(os.environ["QUARTIERS_VAR_DIR"])
    source, target = work / "cas.csv", work / "sortie.csv"
    generate_csv(source, rows)
    import resource

    t = time.perf_counter()
    cpu = time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    summary = services.simulate_file(source, target, workers=workers)
    elapsed = time.perf_counter() - t
    cpu_used = time.process_time() - cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_children = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    print(
        f"2) Fichier de {rows} cas ({workers} processus de calcul ; QPV par coordonnées, dates variées) :"
    )
    print(
        f"   {elapsed:.1f} s, {rows / elapsed:,.0f} cas/s (objectif 100 000 cas < 60 s) ; "
        f"{summary.errors} lignes en erreur (attendu {rows // 1000})"
    )
    print(
        f"   temps CPU : processus principal {cpu_used:.1f} s, processus de calcul {cpu_children:.1f} s"
        f" (machine libre : environ {max(cpu_used, cpu_children / max(workers, 1)):.0f} s)"
    )

    sample = min(rows, 200)
    _, reader = services._rows(source)
    sample_rows = [next(reader) for _ in range(sample)]
    resolver = services.DatabaseQpvResolver()
    t = time.perf_counter()
    for row in sample_rows:
        registry.parameters_for.cache_clear()
        for out in services.simulate_rows([row], None, _NoPrefetch(resolver)):
            assert "error" in out
    naive = time.perf_counter() - t
    naive_rate = sample / naive
    print(
        f"   référence naïve sur {sample} lignes (paramètres relus, QPV point par point) : "
        f"{naive_rate:,.0f} cas/s, soit {rows / naive_rate:.0f} s pour {rows} cas"
    )
    print(f"   rapport : × {(rows / elapsed) / naive_rate:.1f}")


class _NoPrefetch:
    """Le résolveur en base, sans préchargement par lot (une requête par point et par date)."""

    def __init__(self, inner: object) -> None:
        self.inner = inner

    def resides_in_qpv(self, lon: float, lat: float, on: dt.date) -> object:
        from quartiers.programmes.services import DatabaseQpvResolver

        return DatabaseQpvResolver().resides_in_qpv(lon, lat, on)


def main() -> None:
    parser = argparse.ArgumentParser(description="Banc du moteur de règles")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--evaluations", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    bench_one_person(args.evaluations)
    bench_file(args.rows, args.workers)


if __name__ == "__main__":
    main()
