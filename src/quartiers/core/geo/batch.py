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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from quartiers.core.csvfile import (
    CsvFileError,
    SafeWriter,
    column_index,
    read_chunks,
    row_problem,
    sniff,
)
from quartiers.core.geo.zoning import Location, LocationStatus

BatchFileError = CsvFileError  # le fichier ne peut pas être traité du tout

FloatArray = npt.NDArray[np.float64]

STATUS_IN = LocationStatus.IN.value
STATUS_OUT = LocationStatus.OUTSIDE.value
STATUS_ERROR = LocationStatus.INVALID.value
STATUS_TO_CHECK = "to_check"  # adresse au géocodage trop peu sûr : voir `geocoding.Confidence`
# `statut` : le libellé français du code stable `status` (`in_qpv`, `outside`, `to_check`, `error`).
RESULT_COLUMNS = (
    "qpv_code",
    "qpv_name",
    "qpv_distance_m",
    "statut",
    "status",
    "status_detail",
)
STATUS_LABELS = {
    STATUS_IN: "en QPV",
    STATUS_OUT: "hors QPV",
    STATUS_TO_CHECK: "à vérifier",
    STATUS_ERROR: "erreur",
}


LocateFn = Callable[[FloatArray, FloatArray], Sequence[Location]]
ProgressFn = Callable[[int, int], None]


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
        writer = SafeWriter(out, dialect.delimiter)
        wrote_header = False
        for header, rows, done_bytes in read_chunks(in_path, dialect, chunk_size):
            if not wrote_header:
                lon_i = column_index(header, lon_col, "de longitude")
                lat_i = column_index(header, lat_col, "de latitude")
                writer.writeheader([*header, *RESULT_COLUMNS], len(header))
                wrote_header = True
            width = len(header)
            lons = np.full(len(rows), np.nan)
            lats = np.full(len(rows), np.nan)
            reasons: list[str | None] = [None] * len(rows)
            for k, row in enumerate(rows):
                problem = row_problem(row, width)
                if problem is not None:
                    reasons[k] = problem
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


def located_cells(answer: Location) -> tuple[list[str], str, str]:
    """Les cellules `RESULT_COLUMNS` d'un point localisé, son statut et le détail du statut."""
    distance = "" if answer.distance_m is None else f"{answer.distance_m:.1f}"
    detail = answer.detail
    status = answer.status.value
    label = STATUS_LABELS.get(status, status)
    cells = [answer.code or "", answer.name or "", distance, label, status, detail]
    return cells, status, detail


def unlocated_cells(status: str, detail: str) -> list[str]:
    """Les cellules `RESULT_COLUMNS` d'une ligne non localisée (erreur ou à vérifier)."""
    return ["", "", "", STATUS_LABELS.get(status, status), status, detail]


def rows_from_text(text: str, delimiter: str) -> list[list[str]]:
    """Lignes d'un petit CSV en mémoire (aperçus, tests)."""
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))
