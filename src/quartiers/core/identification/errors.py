"""Erreurs d'entrée de l'identification : fichier, ligne, champ et ce qui était attendu, en français."""

from __future__ import annotations


class IdentificationError(ValueError):
    """Entrée refusée ; rien n'est produit. Le message nomme le fichier, la ligne et le champ."""

    def __init__(
        self, path: str, message: str, row: int | None = None, field: str | None = None
    ) -> None:
        self.path = path
        self.row = row
        self.field = field
        self.detail = message
        where = [f"fichier « {path} »"]
        if row is not None:
            where.append(f"ligne {row}")
        if field:
            where.append(f"champ « {field} »")
        super().__init__(", ".join(where) + " : " + message)
