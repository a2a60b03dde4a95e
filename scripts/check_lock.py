"""Vérifie qu'un fichier verrouillé couvre les dépendances de pyproject.toml (sans réseau).

Usage : python scripts/check_lock.py requirements/test.txt [extra …]
Une dépendance ajoutée à pyproject.toml sans `make lock` serait sinon silencieusement absente.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(spec: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
    return normalize(match.group(1)) if match else ""


def main(argv: list[str]) -> int:
    lock = ROOT / argv[0]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    wanted = list(project.get("dependencies", []))
    extras = project.get("optional-dependencies", {})
    for extra in argv[1:]:
        if extra not in extras:
            print(f"extra « {extra} » absent de pyproject.toml", file=sys.stderr)
            return 1
        wanted += extras[extra]
    pinned = {
        requirement_name(line)
        for line in lock.read_text("utf-8").splitlines()
        if "==" in line and not line.lstrip().startswith("#")
    }
    missing = sorted({requirement_name(s) for s in wanted} - pinned)
    if missing:
        print(
            f"{lock.relative_to(ROOT)} ne contient pas : {', '.join(missing)}. "
            "Régénérez les fichiers verrouillés : make lock",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
