"""Navigateur réel pour les tests de pages : le Chromium de Debian piloté par Playwright.

Usage dans un test : `def test_x(page, live_server): page.goto(live_server.url + "/")`.
Le test est ignoré, avec sa raison, si Chromium ou Playwright manquent.

Chaque onglet surveille la page : toute violation de la politique de sécurité du contenu (CSP),
toute erreur de console ou de script, toute requête vers un autre hôte que le serveur local fait
échouer le test à la fin (`page_problems(page)` les donne en cours de route). Le fond de carte
(Plan IGN par défaut) y est éteint.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium absent (apt-get install chromium) : test de page ignoré")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright absent : test de page ignoré")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        # Playwright crée lui-même un profil temporaire (il refuse --user-data-dir ici).
        launched = pw.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


# Rapporte les violations de CSP (l'écouteur est posé par Playwright, hors de la CSP de la page).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP : ${e.violatedDirective} a bloqué ${e.blockedURI || "du code en ligne"}`
    + ` (${e.sourceFile || ""}:${e.lineNumber || ""})`);
});
"""
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def page_problems(tab: Any) -> list[str]:
    """Erreurs relevées jusqu'ici sur l'onglet (CSP, console, script, hôte extérieur)."""
    return list(tab.quartiers_problems)


@pytest.fixture
def page(browser: Any, settings: Any) -> Iterator[Any]:
    from urllib.parse import urlsplit

    # Aucun fond de carte extérieur (Plan IGN par défaut) : les périmètres se dessinent sur fond
    # neutre. Un test qui veut des tuiles les sert depuis le serveur local.
    settings.QUARTIERS_MAP_TILES_URL = ""

    context = browser.new_context(locale="fr-FR", accept_downloads=True)
    context.add_init_script(CSP_LISTENER)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    problems: list[str] = []
    tab.quartiers_problems = problems

    def on_console(message: Any) -> None:
        if message.type == "error":
            problems.append(f"console ({tab.url}) : {message.text}")

    def on_request(request: Any) -> None:
        host = urlsplit(request.url).hostname or ""
        if request.url.startswith(("http:", "https:")) and f"{host}" not in {
            h.strip("[]") for h in LOCAL_HOSTS
        }:
            problems.append(f"requête vers un hôte extérieur : {request.url}")

    tab.on("console", on_console)
    tab.on("pageerror", lambda error: problems.append(f"erreur de script ({tab.url}) : {error}"))
    tab.on("request", on_request)
    yield tab
    context.close()
    assert not problems, "problèmes dans le navigateur :\n" + "\n".join(problems)
