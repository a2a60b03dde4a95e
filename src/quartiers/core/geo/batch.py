"""Traitement de fichiers CSV de points, en flux et en mémoire bornée.

Encodage (UTF-8 avec ou sans BOM, Latin-1) et séparateur (`;`, `,`, tabulation, `|`) détectés ;
chaque ligne fautive reçoit `status=error` et sa raison sans arrêter le fichier ; un résumé
final compte les lignes dans et hors des périmètres.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

STATUS_IN = "in_qpv"
STATUS_OUT = "outside"
STATUS_ERROR = "error"
STATUS_TO_CHECK = "to_check"
RESULT_COLUMNS = ("qpv_code", "qpv_name", "qpv_distance_m", "status", "status_detail")


class BatchFileError(ValueError):
    """Le fichier ne peut pas être traité du tout (colonnes absentes, illisible)."""


@dataclass(frozen=True)
class PointAnswer:
    """Réponse de l'index pour un point valide."""

    qpv_code: str | None
    qpv_name: str | None
    distance_m: float | None


LocateFn = Callable[[FloatArray, FloatArray], Sequence[PointAnswer]]
ProgressFn = Callable[[int, int], None]


@dataclass
class CsvDialect:
    encoding: str
    delimiter: str


@dataclass
class BatchSummary:
    rows: int = 0
    in_qpv: int = 0
    outside: int = 0
    to_check: int = 0
    errors: int = 0
    error_examples: list[str] = field(default_factory=list)
    # Durées mesurées (secondes) par étape, pour les bancs d'essai : lecture, géocodage…
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def share_in_qpv(self) -> float:
        located = self.in_qpv + self.outside
        return self.in_qpv / located if located else 0.0

    def count(self, status: str, detail: str, line: int) -> None:
        self.rows += 1
        if status == STATUS_IN:
            self.in_qpv += 1
        elif status == STATUS_OUT:
            self.outside += 1
        elif status == STATUS_TO_CHECK:
            self.to_check += 1
        else:
            self.errors += 1
            if len(self.error_examples) < 10:
                self.error_examples.append(f"ligne {line} : {detail}")

    def text(self) -> str:
        lines = [
            f"Lignes traitées : {self.rows}",
            f"  en QPV : {self.in_qpv}",
            f"  hors QPV : {self.outside}",
            f"  à vérifier : {self.to_check}",
            f"  en erreur : {self.errors}",
            f"Part en QPV (lignes localisées) : {self.share_in_qpv:.1%}".replace(".", ",", 1),
        ]
        lines += [f"  {example}" for example in self.error_examples]
        return "\n".join(lines)


def sniff(path: str | Path, sample_size: int = 256 * 1024) -> CsvDialect:
    """Détecte l'encodage et le séparateur sur le début du fichier."""
    with open(path, "rb") as handle:
        sample = handle.read(sample_size)
    if not sample.strip():
        raise BatchFileError(f"le fichier « {path} » est vide")
    if sample.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        try:
            sample.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError as exc:
            # Un caractère coupé en fin d'échantillon n'est pas une preuve de Latin-1.
            encoding = "utf-8" if exc.start >= len(sample) - 3 else "latin-1"
    header = sample.decode(encoding, errors="replace").splitlines()[0]
    counts = {d: header.count(d) for d in (";", ",", "\t", "|")}
    delimiter = max(counts, key=lambda d: counts[d])
    if counts[delimiter] == 0:
        delimiter = ","
    return CsvDialect(encoding, delimiter)


def parse_coordinate(raw: str, label: str, low: float, high: float) -> tuple[float, str | None]:
    """Nombre décimal (virgule ou point) dans les bornes, ou la raison du refus."""
    text = raw.strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return math.nan, f"{label} absente"
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return math.nan, f"{label} « {raw.strip()} » n'est pas un nombre"
    if not math.isfinite(value) or not low <= value <= high:
        return math.nan, f"{label} {text} hors de l'intervalle [{low:g}, {high:g}]"
    return value, None


def read_chunks(
    path: str | Path, dialect: CsvDialect, chunk_size: int
) -> Iterator[tuple[list[str], list[list[str]], int]]:
    """(en-tête, lignes, octets lus) par paquets ; la mémoire reste bornée par `chunk_size`."""
    with open(path, encoding=dialect.encoding, errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter=dialect.delimiter)
        try:
            header = next(reader)
        except StopIteration as exc:
            raise BatchFileError(f"le fichier « {path} » est vide") from exc
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
    raise BatchFileError(f"colonne {role} « {name} » absente ; colonnes trouvées : {shown}")


def check_coordinates_file(
    in_path: str | Path,
    out_path: str | Path,
    lon_col: str,
    lat_col: str,
    locate: LocateFn,
    chunk_size: int = 50_000,
    progress: ProgressFn | None = None,
) -> BatchSummary:
    """Localise chaque ligne d'un CSV de coordonnées et écrit le fichier enrichi."""
    dialect = sniff(in_path)
    total_bytes = os.path.getsize(in_path)
    summary = BatchSummary()
    line = 1
    with open(out_path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=dialect.delimiter)
        wrote_header = False
        for header, rows, done_bytes in read_chunks(in_path, dialect, chunk_size):
            if not wrote_header:
                lon_i = column_index(header, lon_col, "de longitude")
                lat_i = column_index(header, lat_col, "de latitude")
                writer.writerow([*header, *RESULT_COLUMNS])
                wrote_header = True
            width = len(header)
            lons = np.full(len(rows), np.nan)
            lats = np.full(len(rows), np.nan)
            reasons: list[str | None] = [None] * len(rows)
            for k, row in enumerate(rows):
                if len(row) != width:
                    reasons[k] = f"{len(row)} colonnes au lieu de {width}"
                    continue
                lons[k], err_lon = parse_coordinate(row[lon_i], "longitude", -180, 180)
                lats[k], err_lat = parse_coordinate(row[lat_i], "latitude", -90, 90)
                reasons[k] = "; ".join(e for e in (err_lon, err_lat) if e) or None
            good = np.flatnonzero([r is None for r in reasons])
            answers = locate(lons[good], lats[good]) if len(good) else []
            by_row = dict(zip(good.tolist(), answers, strict=True))
            for k, row in enumerate(rows):
                line += 1
                padded = (row + [""] * width)[:width]
                reason = reasons[k]
                if reason is not None:
                    writer.writerow([*padded, *unlocated_cells(STATUS_ERROR, reason)])
                    summary.count(STATUS_ERROR, reason, line)
                    continue
                cells, status, detail = located_cells(by_row[k])
                writer.writerow([*padded, *cells])
                summary.count(status, detail, line)
            if progress is not None:
                progress(summary.rows, min(done_bytes, total_bytes) or total_bytes)
    return summary


def located_cells(answer: PointAnswer) -> tuple[list[str], str, str]:
    """Les cellules `RESULT_COLUMNS` d'un point localisé, son statut et le détail du statut."""
    status = STATUS_IN if answer.qpv_code else STATUS_OUT
    distance = "" if answer.distance_m is None else f"{answer.distance_m:.1f}"
    detail = "" if answer.qpv_code else _nearest_detail(answer)
    cells = [answer.qpv_code or "", answer.qpv_name or "", distance, status, detail]
    return cells, status, detail


def unlocated_cells(status: str, detail: str) -> list[str]:
    """Les cellules `RESULT_COLUMNS` d'une ligne non localisée (erreur ou à vérifier)."""
    return ["", "", "", status, detail]


def _nearest_detail(answer: PointAnswer) -> str:
    if answer.distance_m is None:
        return "aucun périmètre connu"
    return f"hors QPV, le plus proche à {answer.distance_m:.0f} m"


def rows_from_text(text: str, delimiter: str) -> list[list[str]]:
    """Lignes d'un petit CSV en mémoire (aperçus, tests)."""
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))
