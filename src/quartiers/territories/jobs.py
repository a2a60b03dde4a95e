"""Traitements de fichiers en arrière-plan : contrôle avant lancement, fil de travail, progression.

Le fichier est vérifié AVANT que le traitement ne démarre (taille, encodage, séparateur,
colonnes, au moins une ligne) ; rien n'est lancé sinon. Le traitement tourne dans un fil
démarré par la page (il fonctionne sous `quartiers serve` comme dans les tests) et appelle le
même service que `quartiers qpv check-file`.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from quartiers.core.geo.address_batch import detect_address_columns
from quartiers.core.geo.batch import (
    STATUS_ERROR,
    STATUS_TO_CHECK,
    BatchFileError,
    CsvDialect,
    column_index,
    sniff,
)
from quartiers.core.geo.geocoding import GeocodingError
from quartiers.territories.addresses import check_addresses
from quartiers.territories.models import Job, JobStatus
from quartiers.territories.services import ZoningError, check_coordinates, layers_in_force

KIND_COORDINATES = "coordinates"
KIND_ADDRESSES = "addresses"
MAX_ERROR_ROWS = 200
DELIMITER_NAMES = {";": "point-virgule", ",": "virgule", "\t": "tabulation", "|": "barre"}


class UploadError(ValueError):
    """Fichier refusé avant tout traitement (message en français)."""


@dataclass(frozen=True)
class UploadCheck:
    dialect: CsvDialect
    header: list[str]
    data_rows: int | None


def jobs_dir() -> Path:
    from quartiers.var import var_dir

    return var_dir("jobs")


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

    def as_parameters(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "address_columns": list(self.address_columns),
            "lon_col": self.lon_col,
            "lat_col": self.lat_col,
        }


def check_upload(path: Path, name: str, request: BatchRequest) -> UploadCheck:
    """Taille, encodage, séparateur, colonnes, au moins une ligne ; `UploadError` sinon."""
    size = path.stat().st_size
    if size > max_bytes():
        raise UploadError(
            f"fichier « {name} » trop volumineux : {human_size(size)}, au plus "
            f"{human_size(max_bytes())} ; découpez-le ou utilisez « quartiers qpv check-file »"
        )
    if size == 0:
        raise UploadError(f"fichier « {name} » vide")
    with open(path, "rb") as handle:
        head = handle.read(256 * 1024)
    if b"\x00" in head:
        raise UploadError(
            f"fichier « {name} » : encodage non reconnu (fichier binaire, tableur ou UTF-16) ; "
            "attendu un CSV texte en UTF-8 ou Latin-1 (« Enregistrer sous… CSV UTF-8 »)"
        )
    try:
        dialect = sniff(path)
    except BatchFileError as exc:
        raise UploadError(str(exc).replace(str(path), name)) from exc
    text = head.decode(dialect.encoding, errors="replace")
    if dialect.encoding == "latin-1" and _control_share(text) > 0.01:
        raise UploadError(
            f"fichier « {name} » : encodage non reconnu (caractères de contrôle) ; attendu un "
            "CSV texte en UTF-8 ou Latin-1"
        )
    lines = text.splitlines()
    header_line = lines[0] if lines else ""
    if not any(d in header_line for d in DELIMITER_NAMES):
        raise UploadError(
            f"fichier « {name} » : séparateur introuvable sur la ligne d'en-tête ; attendu "
            "point-virgule, virgule ou tabulation entre les colonnes"
        )
    header = next(csv.reader([header_line], delimiter=dialect.delimiter))
    try:
        request.check_header(header)
    except BatchFileError as exc:
        message = str(exc).replace(
            "indiquez --address-col (une ou plusieurs fois), ou --lon-col et --lat-col",
            "indiquez la ou les colonnes d'adresse, ou choisissez « coordonnées »",
        )
        raise UploadError(f"fichier « {name} » : {message}") from exc
    if len([line for line in lines[1:] if line.strip()]) == 0:
        raise UploadError(f"fichier « {name} » : aucune ligne de données sous l'en-tête")
    return UploadCheck(dialect, header, None)


def _control_share(text: str) -> float:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\r\n\t")
    controls += sum(1 for ch in text if 0x80 <= ord(ch) < 0xA0)
    return controls / max(1, len(text))


def create_job(
    chunks: Iterable[bytes],
    name: str,
    request: BatchRequest,
    on: dt.date | None,
    start: bool = True,
) -> Job:
    """Enregistre le fichier reçu, le vérifie, crée le traitement et le lance en arrière-plan."""
    if not layers_in_force(on=on or timezone.localdate()):
        day = (on or timezone.localdate()).strftime("%d/%m/%Y")
        raise UploadError(f"aucune liste de quartiers prioritaires n'est en vigueur le {day}")
    staging = jobs_dir() / f"reception-{time.time_ns()}"
    staging.mkdir()
    input_path = staging / "entree.csv"
    written = 0
    try:
        with open(input_path, "wb") as out:
            for chunk in chunks:
                written += len(chunk)
                if written > max_bytes():
                    raise UploadError(
                        f"fichier « {name} » trop volumineux : plus de {human_size(max_bytes())}"
                    )
                out.write(chunk)
        check_upload(input_path, name, request)
    except UploadError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    job = Job.objects.create(
        kind=request.kind,
        input_name=name[:300],
        input_path="",
        parameters={**request.as_parameters(), "date": on.isoformat() if on else None},
    )
    folder = jobs_dir() / str(job.token)
    staging.rename(folder)
    job.input_path = str(folder / "entree.csv")
    job.result_path = str(folder / "resultat.csv")
    job.save(update_fields=["input_path", "result_path"])
    if start:
        start_job(job)
    return job


def start_job(job: Job) -> threading.Thread:
    thread = threading.Thread(target=run_job, args=(job.pk,), name=f"job-{job.pk}", daemon=True)
    thread.start()
    return thread


def run_job(job_id: int) -> None:
    """Exécute un traitement (dans son propre fil) et en enregistre l'issue."""
    close_old_connections()
    try:
        job = Job.objects.get(pk=job_id)
        job.status = JobStatus.RUNNING
        job.save(update_fields=["status"])
        params = job.parameters
        on = dt.date.fromisoformat(params["date"]) if params.get("date") else None
        last = [0.0]

        def progress(rows: int, done_bytes: int) -> None:
            now = time.monotonic()
            if now - last[0] < 0.3:
                return
            last[0] = now
            total = max(1, Path(job.input_path).stat().st_size)
            Job.objects.filter(pk=job_id).update(progress=min(0.99, done_bytes / total), rows=rows)

        try:
            if job.kind == KIND_COORDINATES:
                summary = check_coordinates(
                    job.input_path,
                    job.result_path,
                    params["lon_col"],
                    params["lat_col"],
                    on=on,
                    progress=progress,
                )
            else:
                summary = check_addresses(
                    job.input_path,
                    job.result_path,
                    address_columns=params.get("address_columns") or None,
                    on=on,
                    progress=progress,
                )
        except (BatchFileError, ZoningError, GeocodingError, OSError, UnicodeError) as exc:
            job.status, job.message = JobStatus.FAILED, f"traitement interrompu : {exc}"
        else:
            job.status = JobStatus.DONE
            job.rows, job.in_qpv, job.outside = summary.rows, summary.in_qpv, summary.outside
            job.to_check, job.errors = summary.to_check, summary.errors
            job.error_rows = problem_rows(Path(job.result_path))
            job.message = summary.text()
            job.progress = 1.0
        job.finished_at = timezone.now()
        job.save()
    finally:
        close_old_connections()


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
