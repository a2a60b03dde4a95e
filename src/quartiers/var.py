"""Le dossier de travail `VAR_DIR` (fichiers de lots, paquets de référence, démonstration).

Un seul point d'entrée, qui crée le dossier au premier usage : les réglages ne font que le
nommer, pour qu'importer Quartiers n'écrive jamais sur le disque.
"""

from __future__ import annotations

from pathlib import Path


def var_dir(*parts: str) -> Path:
    """`VAR_DIR/parts…`, créé (avec ses parents) s'il n'existe pas encore."""
    from django.conf import settings

    folder = Path(settings.VAR_DIR).joinpath(*parts)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
