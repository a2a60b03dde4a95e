"""Le vrai `quartiers serve`, lancé sans aucun réglage, puis en mode production ; SQLite.

Chaque test part d'un environnement sans variable QUARTIERS_* ni DATABASE_URL (seulement un
QUARTIERS_VAR_DIR temporaire) : ce sont les valeurs par défaut qui sont vérifiées.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
DEBUG_TEXT = ("Traceback", "DEBUG = True", "Using the URLconf", "Page not found", "Django")
GOOD_KEY = "une-cle-de-test-assez-longue-pour-la-production-0123456789"


def clean_env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("QUARTIERS_", "DJANGO_")) and k != "DATABASE_URL"
    }
    env["QUARTIERS_VAR_DIR"] = str(var_dir)
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[object]:
    """Lance `quartiers serve` (base migrée, VAR_DIR temporaire) ; rend l'URL de base."""
    started: list[subprocess.Popen[bytes]] = []

    def start(**extra: str) -> str:
        env = clean_env(tmp_path / "var", **extra)
        subprocess.run([BIN / "quartiers", "migrate"], env=env, check=True, capture_output=True)
        port = free_port()
        process = subprocess.Popen(
            [BIN / "quartiers", "serve", "--port", str(port), "--threads", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        for _ in range(150):  # au plus ~30 s, borné en nombre d'essais
            if process.poll() is not None:
                pytest.fail(f"quartiers serve s'est arrêté (code {process.returncode})")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    return f"http://127.0.0.1:{port}"
            except OSError:
                time.sleep(0.2)
        pytest.fail("quartiers serve ne répond pas")

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=10)


def test_real_server_without_settings_gives_french_404_and_security_headers(serve) -> None:
    base = serve()
    status, headers, body = fetch(base + "/cette-page-n-existe-pas")
    assert status == 404
    assert "Page non trouvée" in body and 'lang="fr"' in body
    for text in DEBUG_TEXT:
        assert text not in body, text
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self' 'nonce-" in policy
    assert "Strict-Transport-Security" not in headers  # pas de HSTS hors production
    status, headers, body = fetch(base + "/api/v1/route-inconnue")
    assert status == 404 and headers["Content-Type"].startswith("application/json")
    assert json.loads(body) == {"detail": "adresse d'API inconnue"}
    status, _, body = fetch(base + "/static/web/quartiers.css")  # fichiers servis, DEBUG éteint
    assert status == 200 and ".q-map" in body


def test_real_server_in_production_behind_https_proxy(serve) -> None:
    base = serve(
        QUARTIERS_ENV="production",
        QUARTIERS_SECRET_KEY=GOOD_KEY,
        QUARTIERS_ALLOWED_HOSTS="127.0.0.1",
        QUARTIERS_BEHIND_HTTPS_PROXY="1",
    )
    status, headers, body = fetch(base + "/", {"X-Forwarded-Proto": "https"})
    assert status == 200 and "Quartiers" in body
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    status, _, _ = fetch(base.replace("127.0.0.1", "localhost") + "/")
    assert status == 400  # hôte non déclaré


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, ["QUARTIERS_SECRET_KEY", "QUARTIERS_ALLOWED_HOSTS"]),
        ({"QUARTIERS_SECRET_KEY": "", "QUARTIERS_ALLOWED_HOSTS": "x.fr"}, ["QUARTIERS_SECRET_KEY"]),
        (
            {"QUARTIERS_SECRET_KEY": "quartiers-demo-insecure-key-change-me"},
            ["QUARTIERS_SECRET_KEY"],
        ),
        ({"QUARTIERS_SECRET_KEY": "courte", "QUARTIERS_ALLOWED_HOSTS": "x.fr"}, ["trop courte"]),
        (
            {
                "QUARTIERS_SECRET_KEY": GOOD_KEY,
                "QUARTIERS_ALLOWED_HOSTS": "x",
                "QUARTIERS_DEBUG": "1",
            },
            ["QUARTIERS_DEBUG"],
        ),
        (
            {
                "QUARTIERS_SECRET_KEY": GOOD_KEY,
                "QUARTIERS_ALLOWED_HOSTS": "x",
                "QUARTIERS_DEMO": "1",
            },
            ["QUARTIERS_DEMO", "mots de passe"],
        ),
    ],
)
def test_serve_refuses_an_unsafe_production(tmp_path: Path, extra, expected) -> None:
    env = clean_env(tmp_path / "var", QUARTIERS_ENV="production", **extra)
    done = subprocess.run(
        [BIN / "quartiers", "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "refuse de démarrer en mode production" in done.stderr
    for word in expected:
        assert word in done.stderr


def test_demo_is_never_loaded_in_production(tmp_path: Path) -> None:
    env = clean_env(tmp_path / "var", QUARTIERS_ENV="production", QUARTIERS_SECRET_KEY=GOOD_KEY)
    done = subprocess.run(
        [BIN / "quartiers", "demo"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2 and "mode production" in done.stderr


SETTINGS_PROBE = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({k: getattr(s, k, None) for k in (
    "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER", "SECURE_SSL_REDIRECT", "ALLOWED_HOSTS")}))
"""


def probe(tmp_path: Path, **extra: str) -> dict[str, object]:
    env = clean_env(tmp_path / "var", DJANGO_SETTINGS_MODULE="quartiers.settings", **extra)
    out = subprocess.run(
        [sys.executable, "-c", SETTINGS_PROBE], env=env, capture_output=True, text=True, check=True
    )
    return dict(json.loads(out.stdout))


def test_settings_defaults_and_production(tmp_path: Path) -> None:
    default = probe(tmp_path)
    assert default["DEBUG"] is False
    assert default["SESSION_COOKIE_SECURE"] is False and default["SECURE_HSTS_SECONDS"] == 0
    assert "127.0.0.1" in default["ALLOWED_HOSTS"]  # type: ignore[operator]
    assert probe(tmp_path, QUARTIERS_DEBUG="1")["DEBUG"] is True
    prod = probe(
        tmp_path,
        QUARTIERS_ENV="production",
        QUARTIERS_BEHIND_HTTPS_PROXY="1",
        QUARTIERS_SSL_REDIRECT="1",
    )
    assert prod["SESSION_COOKIE_SECURE"] is True and prod["CSRF_COOKIE_SECURE"] is True
    assert prod["SECURE_HSTS_SECONDS"] == 31_536_000
    assert prod["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert prod["SECURE_SSL_REDIRECT"] is True
    assert prod["ALLOWED_HOSTS"] == []  # rien par défaut en production
    assert not (tmp_path / "var").exists()  # lire les réglages ne crée aucun dossier


SQLITE_PROBE = """
import json, sqlite3, django
from pathlib import Path
django.setup()
from django.conf import settings
from django.db import connection, transaction
var = Path(settings.VAR_DIR)
before = var.exists()
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    mode = cursor.fetchone()[0]
    cursor.execute("CREATE TABLE t (x INTEGER)")
locked = False
with transaction.atomic():  # BEGIN IMMEDIATE : le verrou d'écriture est pris avant toute écriture
    other = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        locked = True
    other.close()
print(json.dumps({"before": before, "after": var.exists(), "mode": mode, "locked": locked}))
"""


def test_sqlite_wal_immediate_and_lazy_var_dir(tmp_path: Path) -> None:
    env = clean_env(
        tmp_path / "pas" / "encore" / "var", DJANGO_SETTINGS_MODULE="quartiers.settings"
    )
    out = subprocess.run(
        [sys.executable, "-c", SQLITE_PROBE], env=env, capture_output=True, text=True, check=True
    )
    result = json.loads(out.stdout)
    assert result == {"before": False, "after": True, "mode": "wal", "locked": True}
