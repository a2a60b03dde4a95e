"""Banc d'essai : fichier d'adresses géocodé puis localisé (quartiers qpv check-file).

Dans le même passage, contre le même serveur addok réel (Redis bases 9 et 10, gunicorn avec
un processus par cœur) chargé de ≥ 20 000 adresses au format BAN (fictives mais réalistes) :

  (a) référence : UN appel `/search/csv/` avec tout le fichier ;
  (b) Quartiers : `check_addresses` de bout en bout (lecture, géocodage par lots concurrents
      vers `/search/csv/`, localisation QPV, écriture), comme `quartiers qpv check-file`.

Affiche les adresses/s des deux, le rapport (objectif ≥ 1,5) et la part de notre temps hors
géocodage (lecture + localisation + écriture, objectif < 10 %).

    .venv/bin/python benchmarks/bench_geocode_batch.py [--addresses 20000]
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import random
import sys
import tempfile
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.addok_server import AddokUnavailable, start_addok  # noqa: E402

BENCH_DBS = (9, 10)
COMMUNES = [
    ("18999", "Bellerive"),
    ("18998", "Saint-Aubin-sur-Lune"),
    ("18997", "Montfleury-les-Prés"),
    ("18996", "Val-d'Argent"),
    ("18995", "Sainte-Hélène-du-Lac"),
    ("18994", "Châteauvert"),
    ("18993", "Les Ormeaux"),
    ("18992", "Fontaine-Évêque"),
]
TYPES = ["Rue", "Avenue", "Boulevard", "Impasse", "Allée", "Chemin", "Place", "Route", "Quai"]
NAMES = [
    "Victor Hugo", "Jean Jaurès", "de la République", "des Lilas", "du Moulin", "Pasteur",
    "Gambetta", "de la Gare", "Saint-Martin", "des Écoles", "du Général Leclerc", "Émile Zola",
    "des Acacias", "de la Fontaine", "du Château", "des Tilleuls", "Sainte-Anne", "de Verdun",
    "du Maréchal Foch", "des Peupliers", "de l'Église", "Jules Ferry", "Anatole France",
    "des Glycines", "du Stade", "de la Mairie", "des Vignes", "Charles de Gaulle", "du Lavoir",
    "de la Libération", "des Cerisiers", "Louis Pasteur", "du Puits", "des Rosiers",
    "de Bretagne", "Paul Bert", "de la Paix", "des Marronniers", "Saint-Éloi", "Pierre Curie",
]  # fmt: skip
ABBREVIATE = {
    "Avenue": "av",
    "Boulevard": "bd",
    "Rue": "r",
    "Impasse": "imp",
    "Allée": "all",
    "Chemin": "che",
    "Place": "pl",
    "Saint": "st",
    "Sainte": "ste",
    "Général": "gal",
    "Maréchal": "mal",
}


def strip_accents(text: str) -> str:
    from unidecode import unidecode

    return unidecode(text)


def generate_ban(path: Path, target: int, seed: int = 2024) -> list[dict[str, str]]:
    """Adresses fictives (format BAN) autour de l'agglomération de démonstration."""
    from quartiers.core.geo.geocoding.ban_file import BAN_COLUMNS
    from quartiers.demo import CENTRE

    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    per_commune = math.ceil(target / len(COMMUNES))
    for c, (insee, commune) in enumerate(COMMUNES):
        cx = CENTRE[0] + (c % 4 - 1.5) * 0.03
        cy = CENTRE[1] + (c // 4 - 0.5) * 0.03
        streets = rng.sample([(t, n) for t in TYPES for n in NAMES], 60)
        count = 0
        for s, (kind, name) in enumerate(streets):
            if count >= per_commune:
                break
            voie = f"{kind} {name}"
            ax, ay = cx + rng.uniform(-0.012, 0.012), cy + rng.uniform(-0.012, 0.012)
            angle = rng.uniform(0, math.pi)
            numbers = rng.randint(40, 160)
            for n in range(1, numbers + 1):
                t = n / numbers * 0.01
                lon = ax + math.cos(angle) * t + (0.00008 if n % 2 else -0.00008)
                lat = ay + math.sin(angle) * t
                reps = [""] + (["bis"] if n % 9 == 4 else []) + (["ter"] if n % 17 == 6 else [])
                for rep in reps:
                    rows.append(
                        {
                            "id": f"{insee}_b{s:03d}_{n:05d}{rep}",
                            "numero": str(n),
                            "rep": rep,
                            "nom_voie": voie,
                            "code_postal": f"{insee[:2]}{900 + c:03d}",
                            "code_insee": insee,
                            "nom_commune": commune,
                            "lon": f"{lon:.6f}",
                            "lat": f"{lat:.6f}",
                        }
                    )
                    count += 1
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=BAN_COLUMNS, delimiter=";", restval="")
        writer.writeheader()
        writer.writerows(rows)
    return rows


def noisy_query(row: dict[str, str], rng: random.Random) -> str:
    """Une adresse comme la saisissent les gens : abréviations, accents perdus, casse."""
    number = row["numero"] + (f" {row['rep']}" if row["rep"] else "")
    voie = row["nom_voie"]
    if rng.random() < 0.4:
        voie = " ".join(ABBREVIATE.get(w, w) for w in voie.replace("-", " ").split())
    parts = [number, voie]
    if rng.random() < 0.8:
        parts.append(row["code_postal"])
    parts.append(row["nom_commune"])
    text = " ".join(parts)
    if rng.random() < 0.3:
        text = strip_accents(text)
    if rng.random() < 0.2:
        text = text.upper()
    return text


def write_queries(path: Path, rows: list[dict[str, str]], count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["id", "adresse"])
        for i in range(count):
            writer.writerow([i + 1, noisy_query(rng.choice(rows), rng)])


def single_csv_call(url: str, path: Path) -> tuple[float, int]:
    """Référence : tout le fichier en un seul POST /search/csv/ ; (secondes, lignes géocodées)."""
    boundary = uuid.uuid4().hex
    content = path.read_bytes()
    body = b"".join(
        [
            f'--{boundary}\r\nContent-Disposition: form-data; name="columns"\r\n\r\nadresse\r\n'.encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="delimiter"\r\n\r\n;\r\n'.encode(),
            f'--{boundary}\r\nContent-Disposition: form-data; name="data"; filename="a.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n".encode(),
            content,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    request = urllib.request.Request(
        f"{url}/search/csv/",
        data=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=3600) as response:
        answer = response.read().decode("utf-8-sig")
    seconds = time.perf_counter() - start
    lines = list(csv.DictReader(answer.splitlines(), delimiter=";"))
    return seconds, sum(1 for r in lines if r.get("result_label"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addresses", type=int, default=20_000, help="adresses à vérifier")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="processus addok")
    parser.add_argument("--rounds", type=int, default=2, help="1 : A B ; 2 : A B B A (défaut)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-geocode-"))
    os.environ["QUARTIERS_VAR_DIR"] = str(work / "var")
    os.environ.pop("DATABASE_URL", None)
    ban = work / "adresses-bench.csv"
    rows = generate_ban(ban, int(args.addresses * 1.1))
    queries = work / "requetes.csv"
    write_queries(queries, rows, args.addresses)
    print(f"Fichier BAN fictif : {len(rows)} adresses ; requêtes : {args.addresses} (bruitées)")

    t0 = time.perf_counter()
    try:
        server = start_addok(ban, work / "addok", workers=args.workers, dbs=BENCH_DBS)
    except AddokUnavailable as exc:
        print(f"Banc d'essai impossible : {exc}")
        return 1
    print(f"addok prêt en {time.perf_counter() - t0:.0f} s ({args.workers} processus gunicorn)")
    try:
        os.environ["QUARTIERS_GEOCODER_URL"] = server.url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quartiers.settings")
        import django

        django.setup()
        from django.core.management import call_command

        from quartiers import demo
        from quartiers.addresses.geocoder import get_geocoder
        from quartiers.addresses.services import check_addresses

        call_command("migrate", interactive=False, verbosity=0)
        demo.build_geography()
        workers = int(getattr(get_geocoder(), "max_concurrency", 1))
        own_shares: list[float] = []

        # Chauffe : les caches de chaque processus addok (phonétique…) servent aux deux mesures.
        geocoder = get_geocoder()
        with open(queries, encoding="utf-8") as handle:
            sample = [r["adresse"] for r in csv.DictReader(handle, delimiter=";")][:2000]
        with ThreadPoolExecutor(args.workers) as pool:
            list(
                pool.map(
                    geocoder.search_many, [sample[i :: args.workers] for i in range(args.workers)]
                )
            )

        # Ordre A B B A (--rounds 2) : une charge de la machine qui dérive pèse autant des deux côtés.
        base_times: list[float] = []
        ours_times: list[float] = []
        order = ["a", "b"] + ["b", "a"] * (args.rounds - 1)
        for step in order:
            if step == "a":
                base_s, base_found = single_csv_call(server.url, queries)
                base_times.append(base_s)
                print(
                    f"(a) un seul appel /search/csv/ : {base_s:.1f} s, "
                    f"{args.addresses / base_s:.0f} adresses/s ({base_found} géocodées)"
                )
                continue
            out = work / "resultat.csv"
            start = time.perf_counter()
            summary = check_addresses(queries, out, ["adresse"])
            ours_s = time.perf_counter() - start
            ours_times.append(ours_s)
            sec = summary.seconds
            own = sec["read"] + sec["locate"] + sec["write"]
            own_shares.append(own / ours_s)
            print(
                f"(b) check-file de bout en bout ({workers} lots en parallèle) : {ours_s:.1f} s, "
                f"{args.addresses / ours_s:.0f} adresses/s ; {sec['addresses_sent']:.0f} adresses "
                "distinctes envoyées"
            )
            print(
                f"    en QPV {summary.in_qpv}, hors QPV {summary.outside}, à vérifier "
                f"{summary.to_check}, erreurs {summary.errors} ; lecture {sec['read']:.2f} s, "
                f"localisation {sec['locate']:.2f} s, écriture {sec['write']:.2f} s"
            )
        base_rate = args.addresses / (sum(base_times) / len(base_times))
        ours_rate = args.addresses / (sum(ours_times) / len(ours_times))
        ratio = ours_rate / base_rate
        share = max(own_shares)
        print(f"Débit moyen : (a) {base_rate:.0f} adresses/s, (b) {ours_rate:.0f} adresses/s")
        print(f"Rapport débit (b)/(a) : {ratio:.2f}× (objectif ≥ 1,5×)")
        print(f"Part de notre temps hors géocodage : {share:.1%} au plus (objectif < 10 %)")
        return 0
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
