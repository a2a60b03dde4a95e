"""Banc de l'observatoire (issue 13) : import de fichiers de taille nationale, fiche quartier, rapport.

Six fichiers synthétiques de 1 600 QPV aux noms de colonnes réels de l'INSEE (DEMO, REVN, IPRO,
EDUC, LOGT, TECO ; `;`, virgule décimale, BOM, espaces fines U+202F des milliers, cases vides du
secret statistique, ligne `Ensemble`), plus un millésime précédent pour les évolutions. Mesuré dans la même exécution :

- l'import (`services.import_indicators` : lecture, validation tout ou rien, écriture en bloc)
  contre une boucle naïve sans pandas (module `csv`, `Decimal` cellule par cellule, un `create()`
  par ligne, dans une transaction) ;
- la fiche quartier `/observatoire/qpv/<code>` (client de test de Django, gabarit compris), p50 et
  p95 sur des codes tirés au hasard ; objectif p95 < 300 ms ;
- le rapport national (`build_report("fr")`, page HTML, PDF si WeasyPrint est là) : durée et
  pic de mémoire (tracemalloc).

Base SQLite dans un dossier temporaire.

    python benchmarks/bench_observatory.py [--qpv 1600] [--profiles 60] [--no-pdf]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

COLUMNS = {
    "DEMO": [
        "POP_MUN",
        "POP_COM_QP",
        "POP_COM",
        "TX_F",
        "TX_TOT_0A24",
        "TX_F_0A24",
        "TX_TOT_60ETPLUS",
        "TX_F_60ETPLUS",
        "IND_JEUNE",
        "TX_TOT_MEN1",
        "TX_TOT_MEN6",
        "TX_TOT_ET",
        "TX_F_ET",
        "A",
        "PERCOU",
        "AM",
        "AI",
        "ACSSENF",
        "ACAVENF",
        "AC3ENF",
        "A_NETUD_24",
        "A_ETUD",
        "ENF",
    ],
    "REVN": [
        "PMIMP",
        "DECUC_Q2",
        "DECUC_Q1",
        "DECUC_Q3",
        "BREV",
        "DECUC_D1",
        "DECUC_D9",
        "DISP_Q2",
        "DISP_Q1",
        "DISP_Q3",
        "TP60",
        "DISP_D1",
        "DISP_D9",
        "PACT",
        "PPEN",
        "PPSOC",
        "PIMPOT",
        "PPAT",
        "C",
        "C_C2SNP",
        "C_C2SP",
        "A",
        "APPA",
        "ARSAS",
        "AAAH",
    ],
    "IPRO": [
        "TX_TOT_EMPL",
        "TX_F_EMPL",
        "TX_ET_EMPL",
        "TX_TOT_EDLIM",
        "TX_F_EDLIM",
        "TX_ET_EDLIM",
        "CA",
        "ABCDE",
        "ABCDE_F",
        "ABCDE_H",
        "ABC",
        "ABC_F",
        "ABC_H",
        "ABC_RSA",
        "A",
        "A_F",
        "A_H",
        "ABC_25",
        "ABC_2649",
        "ABC_50",
        "ABC_FR",
        "ABC_E",
    ],
    "EDUC": [
        "TX_NSNE_16A25",
        "EFF_E6",
        "RET_E6",
        "EFF_E3",
        "RET_E3",
        "EFF_E0_GT",
        "RET_E0_GT",
        "EFF_E0_PRO",
        "RET_E0_PRO",
    ],
    "LOGT": [
        "NBLSPLS",
        "TXLSRP",
        "PARTRESVAC",
        "TXLSPLAI",
        "TXLSPLS",
        "TXLS1P",
        "TXLS5PP",
        "PARTRESPRINCSUROCC",
        "NBPERSRESPRINC",
        "PARTMENLOGGRAT",
    ],
    "TECO": ["NBETAB", "ENS_SANTE", "SERV_PAR", "SERV_TOT", "AUTO_ENT"],
}
NOTES = {"DEMO": ["NOTE_CNAF"], "REVN": ["NOTE_FILO", "NOTE_CNAM"], "IPRO": ["NOTE_PE"]}
LARGE = {
    "POP_MUN",
    "POP_COM_QP",
    "POP_COM",
    "DECUC_Q2",
    "DECUC_Q1",
    "DECUC_Q3",
    "DECUC_D1",
    "DECUC_D9",
    "DISP_Q2",
    "DISP_Q1",
    "DISP_Q3",
    "DISP_D1",
    "DISP_D9",
    "PERCOU",
    "NBLSPLS",
}


def _codes(count: int) -> list[str]:
    from quartiers.core.indicators.regions import DEPARTMENT_REGION

    deps = sorted(DEPARTMENT_REGION)
    codes: list[str] = []
    n = 0
    while len(codes) < count:
        dep = deps[n % len(deps)]
        number = n // len(deps) + 1
        codes.append(f"QP{dep.zfill(3)}{number:03d}" if len(dep) < 3 else f"QP{dep}{number:03d}")
        n += 1
    return codes


def _cell(rng: random.Random, column: str) -> str:
    if rng.random() < 0.03:
        return ""  # secret statistique
    if column in LARGE:
        return f"{rng.randint(1000, 40000):,}".replace(",", "\u202f")
    return f"{rng.uniform(0, 80):.1f}".replace(".", ",")


def write_file(folder: Path, theme: str, year: int, codes: list[str], seed: int) -> Path:
    rng = random.Random(seed)
    columns = COLUMNS[theme] + NOTES.get(theme, [])
    path = folder / f"{theme}_{year}.csv"
    lines = [";".join(["CODGEO", "LIBGEO", *columns, "", ""])]
    lines.append(";".join(["Ensemble", "Ensemble des QPV", *("" for _ in columns), "", ""]))
    for i, code in enumerate(codes):
        cells = [
            rng.choice(["", "1", "2"]) if c.startswith("NOTE_") else _cell(rng, c) for c in columns
        ]
        lines.append(";".join([code, f"Quartier {i}", *cells, "", ""]))
    path.write_text("\ufeff" + "\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def naive_import(path: Path, theme: str, year: int) -> int:
    """La référence : une boucle ligne à ligne, sans pandas, un enregistrement par ligne."""
    import csv
    from decimal import Decimal

    from django.db import transaction

    from quartiers.observatory.models import IndicatorSource, TerritoryIndicators

    with path.open(encoding="utf-8-sig", newline="") as handle, transaction.atomic():
        reader = csv.reader(handle, delimiter=";")
        header = [h.strip().upper() for h in next(reader)]
        IndicatorSource.objects.filter(source="naive", theme=theme, year=year).delete()
        vintage = IndicatorSource.objects.create(
            source="naive", theme=theme, year=year, level="qpv", file_name=path.name
        )
        rows = 0
        for line in reader:
            values: dict[str, str | None] = {}
            flags: dict[str, str] = {}
            for name, raw in zip(header, line, strict=False):
                if not name or name in ("CODGEO", "LIBGEO"):
                    continue
                text = raw.strip().replace("\u202f", "").replace(",", ".")
                if name.startswith("NOTE_"):
                    flags[name] = text
                else:
                    values[name] = str(Decimal(text)) if text else None
            TerritoryIndicators.objects.create(
                indicator_source=vintage,
                level="ensemble_qpv" if line[0] == "Ensemble" else "qpv",
                code=line[0].upper()[:16],
                name=line[1],
                values=values,
                flags=flags,
            )
            rows += 1
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--qpv", type=int, default=1600)
    parser.add_argument("--profiles", type=int, default=60)
    parser.add_argument("--no-pdf", action="store_true")
    args = parser.parse_args()
    var = Path(tempfile.mkdtemp(prefix="quartiers-bench-obs-"))
    os.environ.update(
        {"QUARTIERS_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "quartiers.settings"}
    )
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from quartiers.observatory import documents, services
    from quartiers.observatory import report as reports

    call_command("migrate", verbosity=0)
    folder = var / "fichiers"
    folder.mkdir()
    codes = _codes(args.qpv)
    files = [
        (write_file(folder, theme, year, codes, seed=year * 7 + i), theme, year)
        for i, theme in enumerate(COLUMNS)
        for year in (2021, 2022)
    ]
    timed = [f for f in files if f[2] == 2022]
    size = sum(p.stat().st_size for p, _, _ in timed) / 1e6
    print(f"{len(timed)} fichiers synthétiques, {args.qpv} QPV chacun, {size:.1f} Mo")

    started = time.perf_counter()
    for path, theme, year in timed:
        services.import_indicators(path, year=year, theme=theme)
    ours = time.perf_counter() - started
    started = time.perf_counter()
    for path, theme, year in timed:
        naive_import(path, theme, year)
    naive = time.perf_counter() - started
    # Le millésime précédent (non chronométré), pour que fiches et rapport aient leurs évolutions.
    for path, theme, year in files:
        if year != 2022:
            services.import_indicators(path, year=year, theme=theme)
    print(f"import (services.import_indicators) : {ours:.2f} s")
    print(f"import naïf (boucle ligne à ligne)  : {naive:.2f} s")
    print(f"rapport naïf / import : {naive / ours:.2f}× (plus grand : l'import est plus rapide)")
    from quartiers.observatory.models import IndicatorSource

    IndicatorSource.objects.filter(source="naive").delete()

    client = Client()
    rng = random.Random(1)
    sample = [rng.choice(codes) for _ in range(args.profiles)]
    client.get(f"/observatoire/qpv/{sample[0]}")  # échauffement (caches des millésimes)
    timings = []
    for code in sample:
        t0 = time.perf_counter()
        response = client.get(f"/observatoire/qpv/{code}")
        timings.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (code, response.status_code)
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    verdict = "atteint" if p95 < 300 else "MANQUÉ"
    print(
        f"fiche quartier : p50 {statistics.median(timings):.0f} ms, p95 {p95:.0f} ms "
        f"(objectif < 300 ms : {verdict})"
    )

    tracemalloc.start()
    t0 = time.perf_counter()
    built = reports.build_report("fr", 2024)
    html = documents.report_html(built)
    built_s = time.perf_counter() - t0
    pdf_note = "PDF non produit (--no-pdf)"
    if not args.no_pdf:
        missing = reports.weasyprint_missing()
        if missing:
            pdf_note = f"PDF non produit : {missing}"
        else:
            t1 = time.perf_counter()
            pdf = documents.report_pdf(built)
            pdf_note = f"PDF {len(pdf) / 1e6:.1f} Mo en {time.perf_counter() - t1:.1f} s"
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"rapport national : {built.qpv_count} QPV, calcul et page HTML ({len(html) / 1e6:.1f} Mo) "
        f"en {built_s:.1f} s ; {pdf_note} ; pic de mémoire {peak / 1e6:.0f} Mo"
    )
    return 0 if p95 < 300 else 1


if __name__ == "__main__":
    sys.exit(main())
