"""Une base non préparée (ou venue d'une version antérieure) : un message français, pas de trace."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_unmigrated_database_gives_a_french_message(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'vide.sqlite3'}",
        "QUARTIERS_VAR_DIR": str(tmp_path / "var"),
    }
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from quartiers.cli import main; sys.exit(main(['qpv', 'list']))",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "lancez « quartiers migrate »" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
