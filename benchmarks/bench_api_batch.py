"""Banc de l'API par lots (issue 9 §5) : 10 000 points par HTTP contre le moteur en direct.

Référence : `locator().locate(lons, lats, date)` dans le processus (index en mémoire, point dans
périmètre + distance au plus proche pour les points dehors), ce que fait tout appel. Mesuré :
`POST /api/v1/qpv/locate` avec le corps en colonnes `{"lon": [...], "lat": [...]}` sur un vrai
serveur HTTP (waitress, celui de `quartiers serve`, sur 127.0.0.1), du côté du client : écriture
du corps JSON, envoi, calcul, réponse, lecture du JSON. Périmètres réels : QPV 2015 d'Occitanie
(`../shared/data`), base SQLite dans un dossier temporaire. Objectif : rapport ≤ 2.

    python benchmarks/bench_api_batch.py [--points 10000] [--runs 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("QUARTIERS_SHARED_DATA", ROOT.parent / "shared" / "data"))
OCCITANIE = DATA / "qpv2015_occitanie" / "qp.geojson"
DAY = dt.date(2020, 6, 1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not OCCITANIE.exists():
        print(f"donnée réelle absente : {OCCITANIE}", file=sys.stderr)
        return 1
    var = Path(tempfile.mkdtemp(prefix="quartiers-bench-api-"))
    os.environ.update(
        {"QUARTIERS_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "quartiers.settings"}
    )
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from waitress.server import create_server

    from quartiers.wsgi import application
    from quartiers.zoning import services

    call_command("migrate", verbosity=0)
    services.import_zoning(OCCITANIE, "2015", valid_from=dt.date(2015, 1, 1))

    # Autour de Toulouse et dans toute la région : des points dedans, beaucoup dehors.
    rng = np.random.default_rng(9)
    n = args.points
    near = n // 2
    lons = np.concatenate([1.38 + rng.random(near) * 0.12, -0.3 + rng.random(n - near) * 4.8])
    lats = np.concatenate([43.55 + rng.random(near) * 0.1, 42.4 + rng.random(n - near) * 2.6])
    lons, lats = np.round(lons, 6), np.round(lats, 6)

    locator = services.locator()
    locator.locate(lons, lats, DAY)  # index construit, caches chauds
    direct = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        located = locator.locate(lons, lats, DAY)
        direct.append(time.perf_counter() - t0)
    inside = sum(1 for loc in located if loc.in_zoning)

    port = _free_port()
    server = create_server(application, host="127.0.0.1", port=port, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    payload = {"lon": lons.tolist(), "lat": lats.tolist(), "date": DAY.isoformat()}

    points = {
        "points": [
            {"lon": x, "lat": y} for x, y in zip(payload["lon"], payload["lat"], strict=True)
        ],
        "date": DAY.isoformat(),
    }

    def call(form: dict[str, object] = payload) -> dict[str, object]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        body = json.dumps(form)
        conn.request("POST", "/api/v1/qpv/locate", body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        data = response.read()
        conn.close()
        if response.status != 200:
            raise SystemExit(f"réponse {response.status} : {data[:300]!r}")
        answer: dict[str, object] = json.loads(data)
        return answer

    call()  # préchauffage (premier appel : imports, connexion à la base)
    over_http = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        answer = call()
        over_http.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    call(points)
    points_form = time.perf_counter() - t0
    server.close()
    assert answer["count"] == n and answer["in_qpv"] == inside, (answer["in_qpv"], inside)

    ref, api = statistics.median(direct), statistics.median(over_http)
    print(f"{n} points, {inside} en QPV, médianes sur {args.runs} passages")
    print(f"  moteur en direct (locate + distance) : {ref * 1000:8.1f} ms")
    print(f"  POST /api/v1/qpv/locate en colonnes  : {api * 1000:8.1f} ms (HTTP, JSON compris)")
    print(f"  rapport HTTP / direct : {api / ref:.2f}× (objectif ≤ 2)")
    print(f"  soit {api / n * 1000 * 1000:.1f} ms pour 1 000 points par HTTP")
    print(f"  pour mémoire, forme « points » (un objet par point) : {points_form * 1000:.1f} ms")
    return 0 if api / ref <= 2 else 1


if __name__ == "__main__":
    sys.exit(main())
