"""Moteur SQLite : celui de Django, plus la création paresseuse du dossier de la base.

Les réglages ne créent aucun dossier à l'import (une commande `--help`, un outil d'analyse ne
doivent rien écrire) ; le dossier du fichier SQLite naît donc quand la première connexion
s'ouvre. WAL, IMMEDIATE et l'attente du verrou viennent des `OPTIONS` (voir settings).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        name = str(conn_params.get("database", ""))
        if name and not self.creation.is_in_memory_db(name) and not name.startswith("file:"):
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        return super().get_new_connection(conn_params)
