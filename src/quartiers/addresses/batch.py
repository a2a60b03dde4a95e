"""Fichiers d'adresses ou de points envoyés par la page : contrôle avant lancement, puis
traitement durable dans la file (`quartiers.jobs`), avec avancement, annulation et résultat.

Le fichier est vérifié AVANT d'être mis en file (taille, encodage, séparateur, colonnes, au
moins une ligne) ; rien n'est lancé sinon. Le travailleur appelle les mêmes services que
`quartiers qpv check-file`. Le traitement appartient à qui l'a lancé (compte ou session).
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from quartiers.addresses.services import check_addresses
from quartiers.core.csvfile import (
    CsvDialect,
    CsvFileError,
    column_index,
    has_delimiter,
    header_of,
    sniff,
)
from quartiers.core.geo.address_batch import AddressColumnsNotFound, detect_address_columns
from quartiers.core.geo.batch import STATUS_ERROR, STATUS_TO_CHECK
from quartiers.core.geo.geocoding import GeocodingError
from quartiers.core.geo.zoning import ZoningUnavailable
from quartiers.core.jobs import JobFailure, QueueFull
from quartiers.jobs import services as jobs
from quartiers.jobs.models import Job
from quartiers.jobs.registry import JobContext
from quartiers.jobs.services import Owner
from quartiers.zoning.services import check_coordinates, editions_in_force

KIND_COORDINATES = "coordinates"
KIND_ADDRESSES = "addresses"
JOB_KINDS = {KIND_ADDRESSES: "address_file", KIND_COORDINATES: "coordinates_file"}
PAGE_HOW = "indiquez la ou les colonnes d'adresse, ou choisissez « coordonnées »"
MAX_ERROR_ROWS = 200


class UploadError(ValueError):
    """Fichier refusé avant tout traitement (message en français)."""


@dataclass(frozen=True)
class UploadCheck:
    dialect: CsvDialect
    header: list[str]
    data_rows: int | None


def max_bytes() -> int:
    return int(settings.QUARTIERS_BATCH_MAX_BYTES)


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} Mo".replace(".", ",")
    return f"{max(1, size // 1024)} ko"


@dataclass(frozen=True)
class BatchRequest:
    """Ce que l'usager demande : adresses (colonnes, ou détection à la BAN) ou coordonnées."""

    kind: str = KIND_ADDRESSES
    address_columns: tuple[str, ...] = ()
    lon_col: str = "lon"
    lat_col: str = "lat"

    def check_header(self, header: list[str]) -> None:
        if self.kind == KIND_COORDINATES:
            column_index(header, self.lon_col, "de longitude")
            column_index(header, self.lat_col, "de latitude")
        elif self.address_columns:
            for column in self.address_columns:
                column_index(header, column, "d'adresse")
        else:
            detect_address_columns(header)

    @property
    def job_kind(self) -> str:
        return JOB_KINDS[self.kind]

    def as_parameters(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "address_columns": list(self.address_columns),
            "lon_col": self.lon_col,
            "lat_col": self.lat_col,
        }


def check_upload(path: Path, name: str, request: BatchRequest) -> UploadCheck:
    """Taille, encodage, séparateur, colonnes, au moins une ligne ; `UploadError` sinon.

    Les contrôles de fichier sont ceux de `quartiers.core.csvfile`, les mêmes que pour
    `quartiers qpv check-file` ; seule la taille est propre à la page."""
    size = path.stat().st_size
    if size > max_bytes():
        raise UploadError(
            f"fichier « {name} » trop volumineux : {human_size(size)}, au plus "
            f"{human_size(max_bytes())} ; découpez-le ou utilisez « quartiers qpv check-file »"
        )
    if size == 0:
        raise UploadError(f"fichier « {name} » vide")
    try:
        dialect = sniff(path, name)
        header = header_of(path, dialect, name)
        if not has_delimiter(header):
            raise CsvFileError(
                f"fichier « {name} » : séparateur introuvable sur la ligne d'en-tête ; attendu "
                "point-virgule, virgule ou tabulation entre les colonnes"
            )
        request.check_header(header)
    except AddressColumnsNotFound as exc:
        explained = exc.explained(PAGE_HOW)
        raise UploadError(f"fichier « {name} » : {explained}") from exc
    except CsvFileError as exc:
        message = str(exc)
        if name not in message:
            message = f"fichier « {name} » : {message}"
        raise UploadError(message) from exc
    return UploadCheck(dialect, header, None)


def submit_batch_file(
    chunks: Iterable[bytes],
    name: str,
    request: BatchRequest,
    on: dt.date | None,
    owner: Owner,
) -> Job:
    """Reçoit le fichier, le vérifie, puis le confie à la file de traitements (`quartiers.jobs`).

    Rien n'est mis en file si le fichier est refusé ou si la file est pleine (`UploadError`)."""
    day = on or timezone.localdate()
    if not editions_in_force(on=day):
        raise UploadError(f"aucune liste de QPV n'est en vigueur le {day:%d/%m/%Y}")
    with tempfile.TemporaryDirectory(prefix="quartiers-lot-") as staging:
        input_path = Path(staging) / "entree.csv"
        written = 0
        with open(input_path, "wb") as out:
            for chunk in chunks:
                written += len(chunk)
                if written > max_bytes():
                    raise UploadError(
                        f"fichier « {name} » trop volumineux : plus de {human_size(max_bytes())}"
                    )
                out.write(chunk)
        check_upload(input_path, name, request)
        parameters = {
            **request.as_parameters(),
            "date": on.isoformat() if on else None,
            "input_name": name[:300],
            "download_name": f"{Path(name).stem or 'fichier'}-qpv.csv",
        }
        try:
            return jobs.submit(
                request.job_kind,
                owner,
                parameters,
                {"file": input_path},
                message=f"Fichier « {name} » reçu.",
            )
        except QueueFull as exc:
            raise UploadError(exc.message) from exc


def run_batch_file(ctx: JobContext) -> dict[str, Any]:
    """Le traitement d'un fichier (dans un travailleur) : les mêmes services que
    `quartiers qpv check-file`, avec l'avancement et l'annulation de la file."""
    params = ctx.parameters
    on = dt.date.fromisoformat(params["date"]) if params.get("date") else None
    source = ctx.input_path("file")
    assert ctx.result_path is not None
    ctx.result_path.parent.mkdir(parents=True, exist_ok=True)
    total = max(1, source.stat().st_size)

    def progress(rows: int, done_bytes: int) -> None:
        ctx.progress(min(0.99, done_bytes / total), f"{rows} ligne(s) traitée(s)")

    try:
        if params.get("kind") == KIND_COORDINATES:
            summary = check_coordinates(
                source,
                ctx.result_path,
                params["lon_col"],
                params["lat_col"],
                on=on,
                progress=progress,
            )
        else:
            summary = check_addresses(
                source,
                ctx.result_path,
                address_columns=params.get("address_columns") or None,
                on=on,
                progress=progress,
            )
    except AddressColumnsNotFound as exc:
        raise JobFailure(f"traitement interrompu : {exc.explained(PAGE_HOW)}") from exc
    except (CsvFileError, ZoningUnavailable, GeocodingError, OSError, UnicodeError) as exc:
        raise JobFailure(f"traitement interrompu : {exc}") from exc
    return {
        "message": summary.text().replace("\n", " ; "),
        "rows": summary.rows,
        "in_qpv": summary.in_qpv,
        "outside": summary.outside,
        "to_check": summary.to_check,
        "errors": summary.errors,
        "problem_rows": problem_rows(ctx.result_path),
        "input_name": params.get("input_name", ""),
    }


def problem_rows(result: Path, limit: int = MAX_ERROR_ROWS) -> list[dict[str, str | int]]:
    """Les lignes en erreur ou à vérifier du résultat (numéro de ligne du fichier, raison)."""
    found: list[dict[str, str | int]] = []
    dialect = sniff(result)
    with open(result, encoding=dialect.encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=dialect.delimiter)
        header = next(reader)
        status_i, detail_i = header.index("status"), header.index("status_detail")
        for line, row in enumerate(reader, start=2):
            if len(row) > status_i and row[status_i] in (STATUS_ERROR, STATUS_TO_CHECK):
                found.append({"line": line, "status": row[status_i], "detail": row[detail_i]})
                if len(found) >= limit:
                    break
    return found
