"""argparse en français, partagé par toutes les sous-commandes.

Les modules `cli.py` des applications ne l'importent pas : ils reçoivent le groupe de
sous-commandes et désignent les dates par `type="date"` (type enregistré ici).
"""

from __future__ import annotations

import argparse
import re
import sys

from quartiers.core.fr import parse_date

TRANSLATIONS = (
    (re.compile(r"the following arguments are required"), "arguments requis"),
    (re.compile(r"invalid choice: '([^']*)' \(choose from (.*)\)"), r"choix « \1 » invalide (\2)"),
    (re.compile(r"invalid choice"), "choix invalide"),
    (re.compile(r"unrecognized arguments"), "arguments inconnus"),
    (re.compile(r"expected one argument"), "une valeur attendue"),
    (re.compile(r"invalid (int|float) value: '([^']*)'"), r"nombre attendu, reçu « \2 »"),
    (re.compile(r"not allowed with argument"), "incompatible avec l'option"),
    (re.compile(r"argument "), "option "),
)


def date_argument(text: str) -> object:
    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def translate(message: str) -> str:
    for pattern, french in TRANSLATIONS:
        message = pattern.sub(french, message)
    return message


class FrenchParser(argparse.ArgumentParser):
    """argparse avec les libellés et erreurs en français, et le type `"date"`."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.register("type", "date", date_argument)
        self.add_argument("-h", "--help", action="help", help="afficher cette aide et quitter")

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur : {translate(message)}\n")

    def format_usage(self) -> str:
        return super().format_usage().replace("usage:", "usage :")

    def format_help(self) -> str:
        return super().format_help().replace("usage:", "usage :")
