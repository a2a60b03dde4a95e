"""Un VRAI serveur addok pour les tests (et le banc d'essai) : Redis local, base dédiée.

Le serveur est chargé depuis un fichier au format BAN généré (adresses fictives), converti en
documents addok (`quartiers.core.geo.geocoding.addok_import`), importé par `addok batch` puis
`addok ngrams`, et servi par gunicorn (`addok.http.wsgi:application`) sur un port libre.
Redis : 127.0.0.1:6379, bases 7 (index) et 8 (documents) vidées au départ. Si Redis ne répond
pas, les tests sont ignorés avec la raison.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

VENV_BIN = Path(sys.executable).parent
REDIS_HOST = "127.0.0.1"
REDIS_PORT = 6379
# Bases Redis de test (vidées) ; autre paire par QUARTIERS_TEST_REDIS_DBS=9,10 pour deux copies du
# dépôt testées en même temps sur la même machine.
TEST_DBS = tuple(int(x) for x in os.environ.get("QUARTIERS_TEST_REDIS_DBS", "7,8").split(","))[:2]

CONFIG_TEMPLATE = """\
# Configuration addok générée par les tests de Quartiers (plugins addok-fr, addok-france, addok-csv).
REDIS = {{
    "host": "{host}",
    "port": {port},
    "unix_socket_path": None,
    "indexes": {{"db": {db_indexes}}},
    "documents": {{"db": {db_documents}}},
}}
EXTRA_FIELDS = [{{"key": "citycode"}}]
FILTERS = ["type", "postcode", "citycode"]
BATCH_WORKERS = 1
LOG_DIR = "{log_dir}"
QUERY_PROCESSORS_PYPATHS = [
    "addok.helpers.text.check_query_length",
    "addok_france.extract_address",
    "addok_france.clean_query",
    "addok_france.remove_leading_zeros",
]
SEARCH_RESULT_PROCESSORS_PYPATHS = [
    "addok.helpers.results.match_housenumber",
    "addok_france.make_labels",
    "addok.helpers.results.score_by_importance",
    "addok.helpers.results.score_by_autocomplete_distance",
    "addok.helpers.results.score_by_ngram_distance",
    "addok.helpers.results.score_by_geo_distance",
]
PROCESSORS_PYPATHS = [
    "addok.helpers.text.tokenize",
    "addok.helpers.text.normalize",
    "addok_france.glue_ordinal",
    "addok_france.fold_ordinal",
    "addok_france.flag_housenumber",
    "addok.helpers.text.synonymize",
    "addok_fr.phonemicize",
]
"""


class AddokUnavailable(RuntimeError):
    """Redis ou addok ne peut pas être démarré ici (la raison est dans le message)."""


def redis_answers(host: str = REDIS_HOST, port: int = REDIS_PORT) -> str | None:
    """`None` si Redis répond ; sinon la raison."""
    try:
        import redis
    except ImportError:
        return "paquet Python redis absent (installé avec addok : make install)"
    try:
        redis.Redis(host=host, port=port, socket_connect_timeout=2).ping()
    except Exception as exc:
        return f"Redis ne répond pas sur {host}:{port} ({exc}) : lancez make services"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class AddokServer:
    """Un serveur addok en marche : son URL, son processus, ses fichiers."""

    url: str
    process: subprocess.Popen[bytes]
    workdir: Path
    ban_file: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def _run(args: list[str], env: dict[str, str], log: Path) -> None:
    with open(log, "ab") as out:
        done = subprocess.run(args, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        tail = log.read_text(errors="replace")[-1500:]
        raise AddokUnavailable(f"« {' '.join(args)} » a échoué ({done.returncode}) :\n{tail}")


def start_addok(
    ban_file: Path,
    workdir: Path,
    workers: int = 2,
    dbs: tuple[int, int] = TEST_DBS,
    timeout: int = 900,
) -> AddokServer:
    """Importe un fichier BAN dans Redis (bases `dbs`, vidées) et lance addok sous gunicorn."""
    import redis

    from quartiers.core.geo.geocoding.addok_import import write_addok_file

    reason = redis_answers()
    if reason:
        raise AddokUnavailable(reason)
    workdir.mkdir(parents=True, exist_ok=True)
    for db in dbs:
        redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=db).flushdb()
    config = workdir / "addok.conf"
    config.write_text(
        CONFIG_TEMPLATE.format(
            host=REDIS_HOST,
            port=REDIS_PORT,
            db_indexes=dbs[0],
            db_documents=dbs[1],
            log_dir=workdir,
        ),
        encoding="utf-8",
    )
    documents = workdir / "adresses.addok.json"
    write_addok_file(ban_file, documents)
    env = {**os.environ, "ADDOK_CONFIG_MODULE": str(config)}
    log = workdir / "addok.log"
    addok = str(VENV_BIN / "addok")
    _run([addok, "batch", str(documents)], env, log)
    _run([addok, "ngrams"], env, log)
    port = free_port()
    process = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            str(timeout),
            "addok.http.wsgi:application",
        ],
        env=env,
        stdout=open(workdir / "gunicorn.log", "ab"),  # noqa: SIM115 — gardé ouvert par le processus
        stderr=subprocess.STDOUT,
        cwd=workdir,
    )
    server = AddokServer(f"http://127.0.0.1:{port}", process, workdir, ban_file)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AddokUnavailable(
                "gunicorn/addok s'est arrêté : "
                + (workdir / "gunicorn.log").read_text(errors="replace")[-1500:]
            )
        try:
            with urllib.request.urlopen(f"{server.url}/search/?q=rue&limit=1", timeout=2):
                return server
        except OSError:
            time.sleep(0.3)
    server.stop()
    raise AddokUnavailable("addok n'a pas répondu en 60 s")


@pytest.fixture(scope="session")
def addok_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AddokServer]:
    """Serveur addok réel chargé avec les adresses fictives de la démonstration."""
    reason = redis_answers()
    if reason:
        pytest.skip(f"serveur addok impossible : {reason}")
    from quartiers.demo import write_demo_ban_file

    workdir = tmp_path_factory.mktemp("addok")
    ban_file = workdir / "adresses-test.csv"
    write_demo_ban_file(ban_file)
    try:
        server = start_addok(ban_file, workdir)
    except AddokUnavailable as exc:
        pytest.fail(f"serveur addok : {exc}")
    yield server
    server.stop()
