"""Premier lancement sans réseau : `territories import --if-empty` n'empêche pas la démo."""

from __future__ import annotations

import shutil

import pytest

from quartiers.cli import main

pytestmark = pytest.mark.django_db


def test_unreachable_npm_registry_is_explained_in_french_and_not_fatal(
    monkeypatch: pytest.MonkeyPatch, tmp_path, capsys: pytest.CaptureFixture[str], settings
) -> None:
    if shutil.which("npm") is None:
        pytest.skip("npm absent : le message « npm est introuvable » est testé ailleurs")
    settings.VAR_DIR = tmp_path / "var"  # aucune archive déjà téléchargée
    monkeypatch.setenv("npm_config_registry", "http://127.0.0.1:9")  # port fermé : hors ligne
    assert main(["territories", "import", "--if-empty"]) == 0
    out = capsys.readouterr().out
    assert "Découpage administratif non chargé" in out
    assert "registre npm injoignable" in out and "ECONNREFUSED" in out
    assert "quartiers territories import CHEMIN.tgz" in out
    assert "La démonstration fonctionne sans" in out
    # Sans --if-empty, c'est une erreur (code ≠ 0), avec le même message.
    assert main(["territories", "import"]) != 0
