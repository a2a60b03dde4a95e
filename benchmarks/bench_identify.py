"""Banc de l'identification : une grille synthétique de taille nationale, le plancher, notre moteur.

    python benchmarks/bench_identify.py [--scale 1.0] [--out benchmarks/out/identify]

1. génère une grille « métropole » synthétique (≈ 2,3 millions de carreaux habités à l'échelle 1,
   560 unités urbaines de tailles Zipf, cœurs denses, banlieues, poches de bas revenus, carreaux
   ruraux épars), au format Parquet Filosofi 2019 (`idcar_200m`, `lcog_geo`, `ind`, `men`,
   `men_pauv`, `ind_snv`, `i_est_200`), avec la liste des unités urbaines et leur composition ;
2. mesure, chacun dans un processus neuf et sur un seul cœur :
   - le plancher : lire le Parquet, décoder les identifiants, tramer et étiqueter toutes les
     composantes connexes avec `scipy.ndimage.label` ;
   - notre identification complète (lecture comprise, seuils, agrégats, tests, rognage,
     explications, polygones des quartiers) ;
3. affiche temps, mémoire de pointe (ru_maxrss) et le rapport moteur / plancher.

Objectif : métropole entière < 30 s sur un cœur et < 4 Go.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

OUT = Path(__file__).resolve().parent / "out" / "identify"
CELL = 200
COLS, ROWS = 5500, 5500  # 1 100 km × 1 100 km
C0, R0 = 3_200_000 // CELL, 2_050_000 // CELL
COMMUNE_CELLS = 25  # communes carrées de 5 km


def generate(out: Path, scale: float, seed: int = 2014) -> dict[str, int]:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    n_uu = max(20, round(560 * min(1.0, scale * 4)))
    ranks = np.arange(1, n_uu + 1)
    uu_pop = np.maximum(10_500, 10_800_000 * ranks**-1.08 * scale).astype(np.int64)
    cx = rng.integers(200, COLS - 200, n_uu)
    cy = rng.integers(200, ROWS - 200, n_uu)
    cx[0], cy[0] = COLS // 2, ROWS // 2 + 800  # « Paris »
    mean_pop = 40.0
    n_cells = np.maximum(40, (uu_pop / mean_pop).astype(np.int64))
    spread = np.sqrt(n_cells) / 2.2
    uu_of = np.repeat(np.arange(n_uu), n_cells)
    dx = rng.normal(0, 1, len(uu_of)) * spread[uu_of]
    dy = rng.normal(0, 1, len(uu_of)) * spread[uu_of]
    col = np.clip(np.round(cx[uu_of] + dx), 0, COLS - 1).astype(np.int64)
    row = np.clip(np.round(cy[uu_of] + dy), 0, ROWS - 1).astype(np.int64)
    dist = np.hypot(dx, dy) / spread[uu_of]
    pop = np.maximum(1.0, rng.gamma(2.0, 1.0, len(uu_of)) * 60 * np.exp(-dist))
    median_uu = rng.normal(21000, 2500, n_uu)
    income = median_uu[uu_of] * rng.lognormal(0, 0.25, len(uu_of))
    # Poches de bas revenus : quelques disques près des cœurs.
    n_clusters = np.maximum(1, uu_pop // 40_000)
    k_uu = np.repeat(np.arange(n_uu), n_clusters)
    kx = cx[k_uu] + rng.normal(0, 1, len(k_uu)) * spread[k_uu] * 0.8
    ky = cy[k_uu] + rng.normal(0, 1, len(k_uu)) * spread[k_uu] * 0.8
    kr = rng.uniform(2, 7, len(k_uu))
    poor = np.zeros(len(uu_of), dtype=bool)
    order = np.argsort(k_uu)
    starts = np.searchsorted(k_uu[order], np.arange(n_uu + 1))
    cell_order = np.argsort(uu_of, kind="stable")
    cell_starts = np.searchsorted(uu_of[cell_order], np.arange(n_uu + 1))
    for u in range(n_uu):  # génération seulement : une boucle par unité urbaine
        cells = cell_order[cell_starts[u] : cell_starts[u + 1]]
        ks = order[starts[u] : starts[u + 1]]
        d = (
            np.hypot(col[cells, None] - kx[ks], row[cells, None] - ky[ks])
            if len(ks) < 400
            else None
        )
        if d is not None:
            poor[cells] = (d < kr[ks]).any(axis=1)
    income[poor] *= rng.uniform(0.35, 0.55, poor.sum())
    pop[poor] *= 2.5
    # Carreaux ruraux épars.
    n_rural = max(0, round(2_300_000 * scale) - len(np.unique(row * COLS + col)))
    rcol = rng.integers(0, COLS, n_rural)
    rrow = rng.integers(0, ROWS, n_rural)
    col = np.concatenate([col, rcol])
    row = np.concatenate([row, rrow])
    pop = np.concatenate([pop, rng.gamma(1.5, 6.0, n_rural) + 1])
    income = np.concatenate([income, rng.normal(20500, 3000, n_rural).clip(8000)])
    uu_of = np.concatenate([uu_of, np.full(n_rural, -1)])
    key = row * COLS + col
    _u, first = np.unique(key, return_index=True)
    col, row, pop, income, uu_of = col[first], row[first], pop[first], income[first], uu_of[first]
    # Communes de 5 km ; chacune rattachée à l'unité urbaine de son carreau le plus peuplé.
    commune = (col // COMMUNE_CELLS) * 1000 + (row // COMMUNE_CELLS)
    urban_pop = np.where(uu_of >= 0, pop, 0)
    by = np.lexsort((-urban_pop, commune))
    first_of = np.r_[True, commune[by][1:] != commune[by][:-1]]
    commune_ids = commune[by][first_of]
    commune_uu = uu_of[by][first_of]
    commune_code = np.array([f"{c // 1000:03d}{c % 1000:03d}"[-6:] for c in commune_ids.tolist()])
    # Codes INSEE sur 5 caractères : rang de la commune.
    code_of = {int(c): f"{i + 1:05d}" for i, c in enumerate(commune_ids.tolist())}
    del commune_code
    lcog = np.array([code_of[int(c)] for c in np.unique(commune).tolist()])
    lcog_cell = lcog[np.searchsorted(np.unique(commune), commune)]
    men = pop / 2.2
    men_pauv = np.minimum(men * 0.8, men * np.clip((15000 - income) / 15000, 0.02, 0.95))
    north = ((row + R0) * CELL).astype(np.int64)
    east = ((col + C0) * CELL).astype(np.int64)
    ids = pc.binary_join_element_wise(
        "CRS3035RES200mN",
        pc.cast(pa.array(north), pa.string()),
        "E",
        pc.cast(pa.array(east), pa.string()),
        "",
    )
    table = pa.table(
        {
            "idcar_200m": ids,
            "lcog_geo": pa.array(lcog_cell),
            "i_est_200": pa.array((pop < 11).astype(np.int8)),
            "ind": pa.array(np.round(pop, 1)),
            "men": pa.array(np.round(men, 1)),
            "men_pauv": pa.array(np.round(men_pauv, 1)),
            "ind_snv": pa.array(np.round(pop * income, 1)),
        }
    )
    pq.write_table(table, out / "grille.parquet", compression="zstd")
    uu_codes = [f"U{u:04d}" for u in range(n_uu)]
    commune_uu_code = [uu_codes[u] if u >= 0 else "R0000" for u in commune_uu.tolist()]
    uu_pop_real = np.bincount(uu_of[uu_of >= 0], weights=pop[uu_of >= 0], minlength=n_uu)
    with open(out / "unites_urbaines.csv", "w", encoding="utf-8") as handle:
        handle.write("uu_code,population\n")
        for code, p in zip(uu_codes, uu_pop_real.tolist(), strict=True):
            handle.write(f"{code},{max(round(p), 10_000)}\n")
    with open(out / "composition.csv", "w", encoding="utf-8") as handle:
        handle.write("insee_code,uu_code\n")
        for c, u in zip(commune_ids.tolist(), commune_uu_code, strict=True):
            handle.write(f"{code_of[int(c)]},{u}\n")
    return {"cells": len(col), "urban_units": n_uu, "communes": len(commune_ids)}


def _single_core() -> None:
    import pyarrow as pa

    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)


def phase_floor(data: Path) -> dict[str, float]:
    _single_core()
    import pyarrow.parquet as pq
    from scipy import ndimage

    from quartiers.core.identification.grid import decode_cell_ids

    start = time.perf_counter()
    table = pq.read_table(data / "grille.parquet")
    _epsg, col, row = decode_cell_ids(table.column("idcar_200m"), "grille.parquet")
    col = col - col.min()
    row = row - row.min()
    raster = np.zeros((int(row.max()) + 1, int(col.max()) + 1), dtype=bool)
    raster[row, col] = True
    _labels, count = ndimage.label(raster)
    return {"seconds": time.perf_counter() - start, "components": float(count)}


def phase_ours(data: Path) -> dict[str, float]:
    _single_core()
    from decimal import Decimal

    from quartiers.core.identification import RunOptions, run
    from quartiers.core.identification.outputs import polygons

    start = time.perf_counter()
    result = run(
        RunOptions(
            grid=data / "grille.parquet",
            urban_units=data / "unites_urbaines.csv",
            uu_composition=data / "composition.csv",
            national_median=Decimal(21730),
        )
    )
    identified = time.perf_counter()
    geoms = polygons(result, result.quartiers)
    done = time.perf_counter()
    return {
        "seconds": done - start,
        "identify_seconds": identified - start,
        "polygons_seconds": done - identified,
        "quartiers": float(len(result.quartiers)),
        "quartier_population": float(sum(q.population for q in result.quartiers)),
        "rejected": float(len(result.rejected)),
        "polygons": float(len(geoms)),
    }


def peak_mb() -> float:
    """Mémoire de pointe du processus (VmHWM ; ru_maxrss en repli, qui hérite du parent)."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(phase: str, data: Path) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--out", str(data)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description="Banc de l'identification des quartiers")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = métropole (2,3 M carreaux)")
    parser.add_argument("--out", type=Path, default=OUT, help="dossier des fichiers générés")
    parser.add_argument("--phase", choices=["floor", "ours"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        measure = phase_floor if args.phase == "floor" else phase_ours
        figures = measure(args.out)
        figures["peak_mb"] = peak_mb()
        print(json.dumps(figures))
        return 0
    t = time.perf_counter()
    info = generate(args.out, args.scale)
    print(
        f"Grille synthétique : {info['cells']} carreaux, {info['urban_units']} unités urbaines, "
        f"{info['communes']} communes ({time.perf_counter() - t:.1f} s) → {args.out}"
    )
    floor = _child("floor", args.out)
    ours = _child("ours", args.out)
    print(
        f"Plancher (lecture Parquet + ndimage.label) : {floor['seconds']:.2f} s, "
        f"pointe {floor['peak_mb']:.0f} Mo, {int(floor['components'])} composantes"
    )
    print(
        f"Identification complète : {ours['seconds']:.2f} s (dont moteur "
        f"{ours['identify_seconds']:.2f} s, polygones {ours['polygons_seconds']:.2f} s), "
        f"pointe {ours['peak_mb']:.0f} Mo ; {int(ours['quartiers'])} quartiers "
        f"({int(ours['quartier_population'])} habitants), {int(ours['rejected'])} agrégats rejetés"
    )
    print(f"Rapport identification / plancher : {ours['seconds'] / floor['seconds']:.1f}×")
    goal = ours["seconds"] < 30 and ours["peak_mb"] < 4096
    print("Objectif (< 30 s, < 4 Go) : " + ("atteint" if goal else "NON atteint"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
