"""Fichiers CSV d'adresses : géocoder par lots, localiser, écrire, en flux et mémoire bornée.

Le géocodeur est le goulot : les lots partent EN PARALLÈLE (un fil par processus du serveur
addok, `workers`), les réponses reviennent dans l'ordre du fichier et sont localisées puis
écrites au fil de l'eau. Au plus `workers + 1` lots sont en mémoire. Une adresse répétée
dans le fichier (à la casse, aux accents et à la ponctuation près) n'est géocodée qu'une fois. Un lot que le géocodeur
n'a pas pu traiter met ses lignes en `error` avec la raison, sans arrêter le fichier.

Sortie : les colonnes d'origine, `geocode_label, geocode_score, geocode_type, geocode_lon,
geocode_lat`, puis les colonnes de `batch.RESULT_COLUMNS` (`qpv_code`, …, `status`,
`status_detail`). Une adresse trop peu sûre (score sous le seuil, résultat plus grossier
qu'une rue, rien trouvé) a le statut `to_check`.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from quartiers.core.csvfile import SafeWriter, column_index, read_chunks, row_problem, sniff
from quartiers.core.geo.batch import (
    RESULT_COLUMNS,
    STATUS_ERROR,
    STATUS_TO_CHECK,
    BatchFileError,
    BatchSummary,
    LocateFn,
    ProgressFn,
    located_cells,
    unlocated_cells,
)
from quartiers.core.geo.geocoding.base import GeocodeResult
from quartiers.core.geo.geocoding.confidence import Confidence, assess
from quartiers.core.geo.geocoding.normalize import fold

GEOCODE_COLUMNS = ("geocode_label", "geocode_score", "geocode_type", "geocode_lon", "geocode_lat")

# Colonnes « à la BAN » reconnues sans option, dans l'ordre où elles forment l'adresse.
BAN_STYLE_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("numéro", ("numero", "num", "numero_voie", "no")),
    ("indice de répétition", ("rep", "indice_repetition", "suffixe")),
    ("voie", ("voie", "nom_voie", "adresse", "rue", "address", "street")),
    ("code postal", ("code_postal", "cp", "postcode", "codepostal")),
    ("commune", ("commune", "nom_commune", "ville", "city")),
)
_ROLE_STREET = "voie"


class _RowWriter(Protocol):
    def writerow(self, row: Iterable[Any], /) -> Any: ...


GeocodeChunkFn = Callable[[Sequence[str]], list[GeocodeResult | None]]


def detect_address_columns(header: Sequence[str]) -> list[str]:
    """Colonnes d'adresse « à la BAN » (numero, voie/nom_voie, code_postal, commune) présentes.

    `BatchFileError` si aucune colonne de voie n'est trouvée.
    """
    lowered = {c.strip().lower(): c for c in header}
    found: list[str] = []
    has_street = False
    for role, names in BAN_STYLE_COLUMNS:
        for name in names:
            if name in lowered:
                found.append(lowered[name])
                has_street = has_street or role == _ROLE_STREET
                break
    if not has_street:
        raise AddressColumnsNotFound(tuple(header))
    return found


class AddressColumnsNotFound(BatchFileError):
    """Aucune colonne d'adresse reconnue. Porte l'en-tête lu ; chaque porte ajoute comment
    désigner les colonnes chez elle (options de la ligne de commande, champs de la page)."""

    def __init__(self, header: tuple[str, ...], how: str = "") -> None:
        self.header = header
        shown = ", ".join(f"« {c} »" for c in header[:30])
        super().__init__(
            "aucune colonne d'adresse reconnue"
            + (f" : {how}" if how else "")
            + " ; sinon nommez les colonnes à la façon de la BAN (numero, voie ou nom_voie, "
            f"code_postal, commune) ; colonnes trouvées : {shown}"
        )

    def explained(self, how: str) -> AddressColumnsNotFound:
        """La même erreur, avec la façon de désigner les colonnes propre à une porte."""
        return AddressColumnsNotFound(self.header, how)


# Une même adresse (à la casse, aux accents et à la ponctuation près) n'est géocodée qu'une
# fois par fichier ; au-delà de ce nombre d'adresses distinctes, on ne mémorise plus.
MAX_REMEMBERED = 200_000


@dataclass
class _Chunk:
    first_line: int
    rows: list[list[str]]
    keys: list[str]
    reasons: list[str | None]
    sent: list[int]  # lignes dont l'adresse part au géocodeur (première occurrence)
    future: Future[list[GeocodeResult | None]] | None
    done_bytes: int


@dataclass
class _Memory:
    """Adresses déjà envoyées et leurs résultats (mémoire bornée par `MAX_REMEMBERED`)."""

    known: set[str]
    results: dict[str, GeocodeResult | None]
    sent: int = 0


def check_addresses_file(
    in_path: str | Path,
    out_path: str | Path,
    geocode: GeocodeChunkFn,
    locate: LocateFn,
    min_score: float,
    address_columns: Sequence[str] | None = None,
    chunk_size: int = 500,
    workers: int = 1,
    progress: ProgressFn | None = None,
) -> BatchSummary:
    """Géocode puis localise chaque ligne d'un CSV d'adresses ; écrit le fichier enrichi.

    `geocode` reçoit un lot d'adresses (texte) et rend le meilleur résultat de chacune, dans
    l'ordre (`Geocoder.search_many`). `workers` lots sont géocodés en même temps.
    """
    started = time.perf_counter()
    dialect = sniff(in_path)
    total_bytes = os.path.getsize(in_path)
    summary = BatchSummary()
    clock = {"read": 0.0, "geocode_wait": 0.0, "locate": 0.0, "write": 0.0}
    workers = max(1, workers)
    line = 1
    with (
        open(out_path, "w", encoding="utf-8", newline="") as out,
        ThreadPoolExecutor(max_workers=workers, thread_name_prefix="geocode") as pool,
    ):
        writer = SafeWriter(out, dialect.delimiter)
        pending: deque[_Chunk] = deque()
        indices: list[int] = []
        width = 0

        memory = _Memory(set(), {})

        def finish(chunk: _Chunk) -> None:
            _finish_chunk(chunk, width, writer, locate, min_score, summary, clock, memory)
            if progress is not None:
                progress(summary.rows, min(chunk.done_bytes, total_bytes) or total_bytes)

        t0 = time.perf_counter()
        for header, rows, done_bytes in read_chunks(in_path, dialect, chunk_size):
            if not width:
                width = len(header)
                names = list(address_columns or []) or detect_address_columns(header)
                indices = [column_index(header, name, "d'adresse") for name in names]
                writer.writeheader([*header, *GEOCODE_COLUMNS, *RESULT_COLUMNS], width)
            keys: list[str] = []
            reasons: list[str | None] = []
            sent: list[int] = []
            queries: list[str] = []
            for k, row in enumerate(rows):
                problem = row_problem(row, width)
                if problem is not None:
                    keys.append("")
                    reasons.append(problem)
                    continue
                query = " ".join(" ".join(row[i].split()) for i in indices if row[i].strip())
                key = fold(query)
                keys.append(key)
                reasons.append(None if key else "adresse vide")
                if key and key not in memory.known:
                    if len(memory.known) < MAX_REMEMBERED:
                        memory.known.add(key)
                    sent.append(k)
                    queries.append(query)
            memory.sent += len(queries)
            future = pool.submit(geocode, queries) if queries else None
            pending.append(_Chunk(line + 1, rows, keys, reasons, sent, future, done_bytes))
            line += len(rows)
            clock["read"] += time.perf_counter() - t0
            while len(pending) > workers:
                finish(pending.popleft())
            t0 = time.perf_counter()
        while pending:
            finish(pending.popleft())
    clock["total"] = time.perf_counter() - started
    clock["addresses_sent"] = float(memory.sent)
    summary.seconds.update(clock)
    return summary


def _finish_chunk(
    chunk: _Chunk,
    width: int,
    writer: _RowWriter,
    locate: LocateFn,
    min_score: float,
    summary: BatchSummary,
    clock: dict[str, float],
    memory: _Memory,
) -> None:
    t0 = time.perf_counter()
    results: list[GeocodeResult | None] = [None] * len(chunk.rows)
    failure: str | None = None
    if chunk.future is not None:
        try:
            answers = chunk.future.result()
            if len(answers) != len(chunk.sent):
                raise ValueError(f"{len(answers)} réponses pour {len(chunk.sent)} adresses")
            for k, found in zip(chunk.sent, answers, strict=True):
                if chunk.keys[k] in memory.known:
                    memory.results[chunk.keys[k]] = found
                results[k] = found
        except Exception as exc:  # un lot en échec ne doit pas arrêter le fichier
            failure = f"géocodeur en échec sur ce lot : {exc}"
            for k in chunk.sent:  # ces adresses seront redemandées si elles reviennent plus bas
                memory.known.discard(chunk.keys[k])
    t1 = time.perf_counter()
    clock["geocode_wait"] += t1 - t0

    confidences: list[Confidence | None] = [None] * len(chunk.rows)
    failed: dict[int, str] = {}
    confident: list[int] = []
    sent = set(chunk.sent)
    for k, key in enumerate(chunk.keys):
        if chunk.reasons[k] is not None:
            continue
        if k in sent:
            if failure is not None:
                failed[k] = failure
                continue
        elif key in memory.results:  # même adresse déjà géocodée plus haut dans le fichier
            results[k] = memory.results[key]
        else:
            failed[k] = "géocodeur en échec sur la même adresse plus haut dans le fichier"
            continue
        confidences[k] = judged = assess(results[k], min_score)
        if judged.confident:
            confident.append(k)
    chosen = [r for k in confident if (r := results[k]) is not None]
    lons = np.array([r.lon for r in chosen], dtype=np.float64)
    lats = np.array([r.lat for r in chosen], dtype=np.float64)
    located = locate(lons, lats) if confident else []
    by_row = dict(zip(confident, located, strict=True))
    t2 = time.perf_counter()
    clock["locate"] += t2 - t1

    for k, row in enumerate(chunk.rows):
        line = chunk.first_line + k
        padded = (row + [""] * width)[:width]
        reason = chunk.reasons[k] or failed.get(k)
        if reason is not None:
            writer.writerow(
                [*padded, *[""] * len(GEOCODE_COLUMNS), *unlocated_cells(STATUS_ERROR, reason)]
            )
            summary.count(STATUS_ERROR, reason, line)
            continue
        result = results[k]
        geocode_cells = (
            [
                result.label,
                f"{result.score:.2f}",
                str(result.result_type),
                f"{result.lon:.6f}",
                f"{result.lat:.6f}",
            ]
            if result is not None
            else ["", "", "", "", ""]
        )
        answer = by_row.get(k)
        if answer is None:
            judged_row = confidences[k]
            detail = judged_row.reason if judged_row is not None else "adresse non classée"
            writer.writerow([*padded, *geocode_cells, *unlocated_cells(STATUS_TO_CHECK, detail)])
            summary.count(STATUS_TO_CHECK, detail, line)
            continue
        cells, status, detail = located_cells(answer)
        writer.writerow([*padded, *geocode_cells, *cells])
        summary.count(status, detail, line)
    clock["write"] += time.perf_counter() - t2
