"""Fichiers CSV reçus des usagers : un seul endroit détecte l'encodage et le séparateur, refuse
ce qui n'est pas un CSV texte, lit en flux et nomme les colonnes absentes.

Les fichiers de points, d'adresses, de cas du simulateur et les envois de la page de lots
passent tous par ici, pour que le même fichier reçoive la même réponse partout.
"""

from __future__ import annotations

import codecs
import csv
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

SAMPLE_SIZE = 256 * 1024
DELIMITERS = {";": "point-virgule", ",": "virgule", "\t": "tabulation", "|": "barre"}
MAX_CONTROL_SHARE = 0.01
# Une cellule plus longue est refusée sur SA ligne (jamais tout le fichier) : le plafond du module
# csv (128 Kio) est levé pour que la lecture continue, et la ligne reçoit sa raison.
MAX_CELL_CHARS = 10_000
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


# Fichiers mêlant UTF-8 et Windows-1252/Latin-1 (lignes collées de deux exports) : tout est lu
# en UTF-8, et seuls les octets qui n'en sont pas sont lus en Windows-1252 (à défaut Latin-1).
# Ainsi « Généré » reste « Généré » sur les lignes UTF-8 comme sur les autres, jamais « GÃ©nÃ©rÃ© ».
MIXED_ERRORS = "quartiers-cp1252-fallback"


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = bytes(exc.object[exc.start : exc.end])
    text = "".join(
        _byte_cp1252(b) for b in bad
    )  # octet par octet : une séquence coupée reste lisible
    return text, exc.end


def _byte_cp1252(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return bytes([byte]).decode("latin-1")


codecs.register_error(MIXED_ERRORS, _cp1252_fallback)


def open_text(path: str | Path, dialect: CsvDialect) -> IO[str]:
    """Le fichier en texte, ligne à ligne : UTF-8 (BOM retiré) avec repli Windows-1252 octet par
    octet, quel que soit l'encodage détecté sur le début du fichier."""
    encoding = "utf-8-sig" if dialect.encoding == "utf-8-sig" else "utf-8"
    return open(path, encoding=encoding, errors=MIXED_ERRORS, newline="")


# Une cellule qui commence ainsi serait exécutée comme formule par un tableur (`=HYPERLINK(…)`,
# `+`, `-`, `@`, tabulation, retour chariot) : on la préfixe d'une apostrophe, sauf un nombre.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
# Colonnes de résultat décimales, écrites avec une virgule quand le fichier reçu est en « ; ».
DECIMAL_COLUMNS = frozenset({"qpv_distance_m", "geocode_score", "geocode_lon", "geocode_lat"})


def neutralise(cell: object) -> str:
    """La cellule, rendue inerte pour un tableur si elle ressemble à une formule."""
    text = "" if cell is None else str(cell)
    if text and text[0] in FORMULA_START and not _PLAIN_NUMBER.match(text.strip()):
        return "'" + text
    return text


@dataclass
class SafeWriter:
    """`csv.writer` des fichiers rendus aux usagers : formules neutralisées dans chaque cellule,
    et, pour un fichier reçu en « ; » (Excel français), virgule décimale dans les colonnes de
    résultat numériques (`DECIMAL_COLUMNS`, repérées par `writeheader`)."""

    handle: IO[str]
    delimiter: str = ","
    decimal_indices: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._writer = csv.writer(self.handle, delimiter=self.delimiter)

    def writeheader(self, header: Sequence[str], input_width: int) -> None:
        """L'en-tête ; les colonnes ajoutées (rang ≥ `input_width`) décimales sont notées."""
        if self.delimiter == ";":
            self.decimal_indices = {
                i for i, name in enumerate(header) if i >= input_width and name in DECIMAL_COLUMNS
            }
        self._writer.writerow([neutralise(c) for c in header])

    def writerow(self, row: Iterable[Any], /) -> Any:
        cells = [neutralise(c) for c in row]
        for i in self.decimal_indices:
            if i < len(cells):
                cells[i] = cells[i].replace(".", ",")
        return self._writer.writerow(cells)


class CsvFileError(ValueError):
    """Le fichier ne peut pas être traité du tout (illisible, vide, colonnes absentes)."""


@dataclass
class CsvDialect:
    encoding: str
    delimiter: str


def _control_share(text: str) -> float:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t")
    controls += sum(1 for ch in text if 0x80 <= ord(ch) < 0xA0)
    return controls / max(1, len(text))


def sniff(path: str | Path, name: str | None = None, sample_size: int = SAMPLE_SIZE) -> CsvDialect:
    """Encodage (UTF-8 avec ou sans BOM, sinon Latin-1) et séparateur, lus sur le début du
    fichier ; `CsvFileError` pour un fichier vide, binaire (tableur, UTF-16) ou sans séparateur.
    `name` : le nom à montrer à l'usager (celui du fichier envoyé, pas le chemin sur disque)."""
    shown = name or str(path)
    with open(path, "rb") as handle:
        sample = handle.read(sample_size)
    if not sample.strip():
        raise CsvFileError(f"le fichier « {shown} » est vide")
    if b"\x00" in sample:
        raise CsvFileError(
            f"fichier « {shown} » : encodage non reconnu (fichier binaire, tableur ou UTF-16) ; "
            "attendu un CSV texte en UTF-8 ou Latin-1 (« Enregistrer sous… CSV UTF-8 »)"
        )
    if sample.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        try:
            sample.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError as exc:
            # Un caractère coupé en fin d'échantillon n'est pas une preuve de Latin-1.
            encoding = "utf-8" if exc.start >= len(sample) - 3 else "latin-1"
    # Lu comme il le sera (UTF-8, repli Windows-1252 octet par octet) : « € » et « ’ » d'un
    # export Windows ne comptent pas comme des caractères de contrôle.
    text = sample.decode("utf-8", errors=MIXED_ERRORS)
    if encoding == "latin-1" and _control_share(text) > MAX_CONTROL_SHARE:
        raise CsvFileError(
            f"fichier « {shown} » : encodage non reconnu (caractères de contrôle) ; attendu un "
            "CSV texte en UTF-8 ou Latin-1"
        )
    lines = text.splitlines()
    header = lines[0] if lines else ""
    counts = {d: header.count(d) for d in DELIMITERS}
    delimiter = max(counts, key=lambda d: counts[d])
    if counts[delimiter] == 0:
        delimiter = ","
    return CsvDialect(encoding, delimiter)


def header_of(path: str | Path, dialect: CsvDialect, name: str | None = None) -> list[str]:
    """La ligne d'en-tête ; `CsvFileError` si le fichier n'a aucune ligne de données dessous."""
    shown = name or str(path)
    with open_text(path, dialect) as handle:
        reader = csv.reader(handle, delimiter=dialect.delimiter)
        header = next(reader, [])
        for row in reader:
            if row and any(cell.strip() for cell in row):
                return header
    raise CsvFileError(f"fichier « {shown} » : aucune ligne de données sous l'en-tête")


def row_problem(row: Sequence[str], width: int) -> str | None:
    """Pourquoi une ligne ne peut pas être traitée (nombre de colonnes, cellule démesurée)."""
    if len(row) != width:
        return f"{len(row)} colonnes au lieu de {width}"
    longest = max((len(cell) for cell in row), default=0)
    if longest > MAX_CELL_CHARS:
        return f"cellule de {longest} caractères : au plus {MAX_CELL_CHARS}"
    return None


def has_delimiter(header: Sequence[str]) -> bool:
    """Plus d'une colonne : sinon le séparateur n'a pas été trouvé."""
    return len(header) > 1


def read_chunks(
    path: str | Path, dialect: CsvDialect, chunk_size: int
) -> Iterator[tuple[list[str], list[list[str]], int]]:
    """(en-tête, lignes, octets lus) par paquets ; la mémoire reste bornée par `chunk_size`."""
    with open_text(path, dialect) as handle:
        reader = csv.reader(handle, delimiter=dialect.delimiter)
        try:
            header = next(reader)
        except StopIteration as exc:
            raise CsvFileError(f"le fichier « {path} » est vide") from exc
        chunk: list[list[str]] = []
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            chunk.append(row)
            if len(chunk) >= chunk_size:
                yield header, chunk, handle.buffer.tell()  # type: ignore[attr-defined]
                chunk = []
        yield header, chunk, os.path.getsize(path)


def column_index(header: Sequence[str], name: str, role: str) -> int:
    """Rang d'une colonne (casse et espaces ignorés) ; erreur française si absente."""
    wanted = name.strip().lower()
    for i, column in enumerate(header):
        if column.strip().lower() == wanted:
            return i
    shown = ", ".join(f"« {c} »" for c in header[:30])
    raise CsvFileError(f"colonne {role} « {name} » absente ; colonnes trouvées : {shown}")


def dict_rows(
    path: str | Path, name: str | None = None
) -> tuple[list[str], Iterator[dict[str, str]]]:
    """En-tête et lignes en dictionnaires (fichiers de cas), même détection que partout."""
    dialect = sniff(path, name)
    handle = open_text(path, dialect)
    reader = csv.DictReader(handle, delimiter=dialect.delimiter)
    if not reader.fieldnames:
        handle.close()
        raise CsvFileError(f"fichier « {name or path} » vide ou sans ligne d'en-tête")

    def rows() -> Iterator[dict[str, str]]:
        with handle:
            yield from reader

    return list(reader.fieldnames), rows()
