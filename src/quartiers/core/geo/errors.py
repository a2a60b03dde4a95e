"""Erreurs de la géographie, toujours en français et précises (fichier, objet, champ, attendu)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """Un problème localisé dans un fichier : quel objet, quel champ, ce qui était attendu."""

    message: str
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"objet n° {self.row}")
        if self.field:
            where.append(f"champ « {self.field} »")
        prefix = ", ".join(where)
        return f"{prefix} : {self.message}" if prefix else self.message


@dataclass
class ZoningFileError(Exception):
    """Le fichier de périmètres est refusé ; rien n'a été modifié."""

    path: str
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        shown = self.problems[:20]
        lines = [f"Fichier « {self.path} » refusé, rien n'a été importé :"]
        lines += [f"  - {p}" for p in shown]
        if len(self.problems) > len(shown):
            lines.append(f"  … et {len(self.problems) - len(shown)} autre(s) problème(s).")
        return "\n".join(lines)


class CoordinateError(ValueError):
    """Des coordonnées sont invalides (hors bornes, non numériques)."""
