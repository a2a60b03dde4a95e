"""Cas d'usage des dispositifs : évaluer des faits à une date, un fichier de cas, lister les paramètres.

Le web, l'API et la ligne de commande passent tous par ici. La résidence en QPV est résolue
par la géographie chargée en base, avec la liste en vigueur à la date qui compte.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quartiers.core.csvfile import CsvFileError, dict_rows, neutralise
from quartiers.core.geo.zoning import DatedLocator
from quartiers.core.geo.zonings import ZoningCatalogue
from quartiers.core.params import ParameterError
from quartiers.core.rules import registry
from quartiers.core.rules.facts import (
    FACT_BY_NAME,
    KEY_DATE_FACTS,
    FactError,
    parse_date,
    parse_facts,
)
from quartiers.core.rules.qpv import AnswersResolver, QpvResolver
from quartiers.core.rules.results import ProgrammeResult, Verdict
from quartiers.zoning.catalogue import catalogue
from quartiers.zoning.services import locator


class EligibilityError(ValueError):
    """Demande refusée (faits mal formés, dispositif ou public inconnu) ; message en français."""


def database_resolver() -> DatedLocator:
    """Résidence en QPV par la géographie en base, liste en vigueur à la date demandée."""
    return locator()


def zoning_resolver() -> ZoningCatalogue:
    """Tous les zonages en base (QPV, ZFU-TE, QRR, ZRR) : le résolveur d'une simulation."""
    return catalogue()


@dataclass
class Simulation:
    on: dt.date
    facts: dict[str, Any]
    results: list[ProgrammeResult]
    audience: str | None = None
    errors: list[str] = field(default_factory=list)

    def missing_facts(self) -> list[str]:
        """Faits manquants des dispositifs encore indécis, dans l'ordre des questions."""
        names: list[str] = []
        for result in self.results:
            if result.verdict is Verdict.MISSING_FACTS:
                for name in result.missing_facts:
                    if name not in names:
                        names.append(name)
        return names

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.on.isoformat(),
            "audience": self.audience,
            "results": [r.as_dict() for r in self.results],
            "missing_facts": [
                FACT_BY_NAME[n].as_dict() for n in self.missing_facts() if n in FACT_BY_NAME
            ],
        }


def simulate(
    raw_facts: Mapping[str, Any],
    on: dt.date | str | None = None,
    programmes: Sequence[str] | None = None,
    audience: str | None = None,
    resolver: QpvResolver | None = None,
    ignore_unknown: bool = False,
) -> Simulation:
    """Évalue des faits (bruts : texte, JSON) à une date ; `EligibilityError` si l'entrée est fausse."""
    day = _as_date(on)
    if programmes is not None and (
        not isinstance(programmes, list | tuple) or not all(isinstance(p, str) for p in programmes)
    ):
        raise EligibilityError("« programmes » : une liste de noms de dispositifs est attendue")
    if audience is not None and not isinstance(audience, str):
        raise EligibilityError("« audience » : person, employer ou structure attendu")
    if not isinstance(raw_facts, Mapping):
        raise EligibilityError("« facts » : un objet {nom du fait: valeur} est attendu")
    raw_facts = with_geocoded_address(raw_facts)
    facts, errors = parse_facts(raw_facts, ignore_unknown=ignore_unknown)
    if errors:
        raise EligibilityError("faits invalides : " + " ; ".join(errors))
    try:
        results = registry.evaluate(
            facts, day, resolver or zoning_resolver(), programmes or None, audience
        )
    except registry.UnknownProgramme as exc:
        raise EligibilityError(str(exc)) from None
    except ValueError as exc:
        raise EligibilityError(str(exc)) from None
    return Simulation(day, facts, results, audience)


def position_of(address: str) -> tuple[float, float]:
    """La position d'une adresse si le géocodage est assez sûr pour classer ; sinon
    `EligibilityError` avec la raison en clair (la même politique que « Mon adresse »)."""
    from quartiers.addresses.services import AddressError, confident_position
    from quartiers.core.geo.geocoding import GeocodingError

    try:
        best, confidence = confident_position(address)
    except AddressError as exc:
        raise EligibilityError(f"Adresse : {exc}") from None
    except GeocodingError as exc:
        raise EligibilityError(f"Adresse : géocodage impossible pour l'instant ({exc})") from None
    if best is None or not confidence.confident:
        raise EligibilityError(f"Adresse « {address} » à vérifier : {confidence.reason}")
    return best.lon, best.lat


def with_geocoded_address(raw_facts: Mapping[str, Any]) -> Mapping[str, Any]:
    """Un fait `address` devient `lon`/`lat` par le géocodeur, sous la même politique de confiance
    que la vérification d'adresse : un résultat peu sûr est refusé avec sa raison, jamais deviné."""
    address = raw_facts.get("address")
    if address in (None, ""):
        return raw_facts
    if not isinstance(address, str):
        raise EligibilityError("« address » : une adresse en texte est attendue")
    lon, lat = position_of(address)
    rest = {k: v for k, v in raw_facts.items() if k != "address"}
    return {**rest, "lon": lon, "lat": lat}


def _as_date(on: dt.date | str | None) -> dt.date:
    if on is None or on == "":
        return dt.date.today()
    if isinstance(on, dt.date):
        return on
    if not isinstance(on, str):
        raise EligibilityError(f"« date » : date attendue (AAAA-MM-JJ), reçu « {on} »")
    try:
        return parse_date("date", on)
    except FactError as exc:
        raise EligibilityError(str(exc)) from None


def programmes_catalogue() -> list[dict[str, Any]]:
    return [p.as_dict() for p in registry.programmes()]


def parameters_catalogue(slug: str | None = None) -> list[dict[str, Any]]:
    """Chaque paramètre de chaque dispositif, avec son historique daté et ses références."""
    try:
        chosen = [registry.programme(slug)] if slug else list(registry.programmes())
    except registry.UnknownProgramme as exc:
        raise EligibilityError(str(exc)) from None
    out = []
    for programme in chosen:
        params = registry.parameters_for(programme.slug)
        for parameter in params:
            out.append(
                {
                    "programme": programme.slug,
                    "programme_title": programme.title,
                    "name": parameter.name,
                    "description": parameter.description,
                    "unit": parameter.unit,
                    "source_file": f"src/quartiers/core/rules/parameters/{programme.slug}.yaml",
                    "values": [
                        {
                            "valid_from": v.valid_from.isoformat(),
                            "value": _jsonable(v.value),
                            "reference": v.reference,
                            "note": v.note,
                            "to_check": v.to_check,
                        }
                        for v in parameter.values
                    ],
                }
            )
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


# --- Fichiers de cas (CSV) ----------------------------------------------------------------

CHUNK = 5000
ProgressFn = Callable[[int], None]


@dataclass
class BatchSummary:
    rows: int = 0
    errors: int = 0
    eligible: dict[str, int] = field(default_factory=dict)

    def text(self) -> str:
        lines = [f"{self.rows} cas traités, {self.errors} en erreur."]
        for slug, count in self.eligible.items():
            if count:
                lines.append(f"  {slug} : {count} éligibles")
        return "\n".join(lines)


def output_columns(fieldnames: Sequence[str]) -> list[str]:
    extra = []
    for slug in registry.SLUGS:
        extra += [f"{slug}_verdict", f"{slug}_amount", f"{slug}_missing"]
    return [*fieldnames, *extra, "error"]


FILE_COLUMNS = ("date", "residences")
# Une date de cas ou un fait daté hors de ces bornes est une erreur de saisie (an 9999…) : la
# ligne reçoit sa raison au lieu d'un verdict calculé sur une date absurde.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


def _rows(path: Path) -> tuple[list[str], Iterator[dict[str, str]]]:
    try:
        fieldnames, rows = dict_rows(path)
    except CsvFileError as exc:
        raise EligibilityError(str(exc)) from None
    known = [c for c in fieldnames if (c or "").strip() in FACT_BY_NAME or c in FILE_COLUMNS]
    if not known:
        rows.close()  # type: ignore[attr-defined]
        shown = ", ".join(f"« {c} »" for c in fieldnames[:20])
        examples = ", ".join(list(FACT_BY_NAME)[:8])
        raise EligibilityError(
            f"fichier « {path.name} » : aucune colonne reconnue (colonnes lues : {shown}) ; "
            f"chaque colonne porte le nom d'un fait, par exemple {examples}… "
            "(liste complète : docs/programmes.md), plus « date » facultative"
        )
    return fieldnames, rows


def _date_problem(facts: Mapping[str, Any], day: dt.date) -> str | None:
    """Une date hors de [1900, 2100], ou une naissance après la date du cas."""
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        return f"date {day.isoformat()} hors des années {EARLIEST_DATE.year} à {LATEST_DATE.year}"
    for name, value in facts.items():
        if isinstance(value, dt.date) and not EARLIEST_DATE <= value <= LATEST_DATE:
            return (
                f"{name} {value.isoformat()} hors des années "
                f"{EARLIEST_DATE.year} à {LATEST_DATE.year}"
            )
    for name in ("tax_year",):
        year = facts.get(name)
        if isinstance(year, int) and not EARLIEST_DATE.year <= year <= LATEST_DATE.year:
            return f"{name} {year} hors des années {EARLIEST_DATE.year} à {LATEST_DATE.year}"
    birth = facts.get("birth_date")
    if isinstance(birth, dt.date) and birth > day:
        return f"birth_date {birth.isoformat()} postérieure à la date du cas ({day.isoformat()})"
    return None


def _qpv_requests(facts: Mapping[str, Any], on: dt.date) -> list[tuple[float, float, dt.date]]:
    dates = {on}
    for name in KEY_DATE_FACTS:
        if isinstance(facts.get(name), dt.date):
            dates.add(facts[name])
    if facts.get("tax_year"):
        dates.add(dt.date(int(facts["tax_year"]), 1, 1))
    out = []
    for entry in facts.get("residences") or ():
        if "lon" in entry:
            out += [(float(entry["lon"]), float(entry["lat"]), d) for d in dates]
    for lon_name, lat_name in (("lon", "lat"), ("premises_lon", "premises_lat")):
        lon, lat = facts.get(lon_name), facts.get(lat_name)
        if lon is not None and lat is not None:
            out += [(float(lon), float(lat), d) for d in dates]
    return out


Item = tuple[Mapping[str, str], dict[str, Any] | None, dt.date, str]


def _row_output(item: Item, resolver: QpvResolver) -> dict[str, str]:
    row, facts, day, error = item
    out = dict(row)
    if facts is None:
        out["error"] = error
        return out
    try:
        results = registry.evaluate(facts, day, resolver, stop_on_failure=True)
    except (ParameterError, ValueError) as exc:
        out["error"] = str(exc)
        return out
    for r in results:
        out[f"{r.slug}_verdict"] = r.verdict.value
        amount = r.main_amount()
        shown = amount is not None and r.verdict is Verdict.ELIGIBLE
        out[f"{r.slug}_amount"] = str(amount.value) if shown and amount else ""
        out[f"{r.slug}_missing"] = " ".join(r.missing_facts)
    out["error"] = ""
    return out


def _evaluate_chunk(
    job: tuple[int, list[Mapping[str, str]], dt.date, dict[tuple[float, float, dt.date], Any]],
) -> list[dict[str, str]]:
    """Dans un processus de calcul : lire les faits des lignes brutes, puis les évaluer."""
    first_number, rows, default_day, answers = job
    resolver = AnswersResolver(answers)
    return [
        _row_output(_parse_row(first_number + k, row, default_day), resolver)
        for k, row in enumerate(rows)
    ]


QPV_COLUMNS = ("lon", "lat", "premises_lon", "premises_lat", "tax_year", *KEY_DATE_FACTS)


def _prefetch_requests(
    row: Mapping[str, str], default_day: dt.date
) -> list[tuple[float, float, dt.date]]:
    """Les (lon, lat, date) qu'une ligne demandera, lus sans analyser toute la ligne."""
    try:
        day = parse_date("date", row["date"]) if (row.get("date") or "").strip() else default_day
        facts, _errors = parse_facts(
            {k: row[k] for k in QPV_COLUMNS if row.get(k)}, ignore_unknown=True
        )
        if (row.get("residences") or "").strip():
            facts["residences"] = _residences(row["residences"])
    except FactError:
        return []
    return _qpv_requests(facts, day)


def _parse_row(number: int, row: Mapping[str, str], default_day: dt.date) -> Item:
    raw = {k: v for k, v in row.items() if k is not None}
    day = default_day
    try:
        if (raw.get("date") or "").strip():
            day = parse_date("date", raw["date"])
        facts, errors = parse_facts(
            {k: v for k, v in raw.items() if k not in ("date", "residences")},
            ignore_unknown=True,
        )
        if (raw.get("residences") or "").strip():
            facts["residences"] = _residences(raw["residences"])
        if errors:
            raise FactError(" ; ".join(errors))
        problem = _date_problem(facts, day)
        if problem:
            raise FactError(problem)
        return (raw, facts, day, "")
    except FactError as exc:
        return (raw, None, day, f"ligne {number} : {exc}")


def _chunks(rows: Iterable[Mapping[str, str]], default_day: dt.date) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    for number, row in enumerate(rows, start=2):
        chunk.append(_parse_row(number, row, default_day))
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def simulate_rows(
    rows: Iterable[Mapping[str, str]],
    on: dt.date | None = None,
    resolver: QpvResolver | None = None,
    workers: int = 1,
) -> Iterator[dict[str, str]]:
    """Chaque ligne (faits en texte, colonne `date` facultative) → ses verdicts ; une ligne fausse
    reçoit son erreur dans la colonne `error` sans arrêter les autres.

    Les QPV sont résolus par lots dans ce processus ; avec `workers` > 1, l'évaluation des
    règles se répartit sur plusieurs processus (mêmes résultats, dans le même ordre)."""
    resolver = resolver or database_resolver()
    default_day = on or dt.date.today()
    prefetch = getattr(resolver, "prefetch", None)
    if workers <= 1 or not isinstance(resolver, DatedLocator):
        for chunk in _chunks(rows, default_day):
            if prefetch is not None:
                prefetch(
                    p for _, facts, day, _ in chunk if facts for p in _qpv_requests(facts, day)
                )
            for item in chunk:
                yield _row_output(item, resolver)
        return
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    db_resolver = resolver
    pending: list[Future[list[dict[str, str]]]] = []
    number = 2
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        for raw_chunk in _raw_chunks(rows):
            requests = [p for row in raw_chunk for p in _prefetch_requests(row, default_day)]
            db_resolver.prefetch(requests)
            memo = db_resolver.answers()
            answers = {r: memo[r] for r in requests if r in memo}
            pending.append(pool.submit(_evaluate_chunk, (number, raw_chunk, default_day, answers)))
            number += len(raw_chunk)
            while len(pending) > 2 * workers:
                yield from pending.pop(0).result()
        for future in pending:
            yield from future.result()


def _raw_chunks(rows: Iterable[Mapping[str, str]]) -> Iterator[list[Mapping[str, str]]]:
    chunk: list[Mapping[str, str]] = []
    for row in rows:
        chunk.append({k: v for k, v in row.items() if k is not None})
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _residences(text: str) -> Any:
    from quartiers.core.rules.facts import parse_value

    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        raise FactError("« residences » : liste JSON attendue") from None
    return parse_value(FACT_BY_NAME["residences"], value)


def simulate_file(
    in_path: str | Path,
    out_path: str | Path,
    on: dt.date | None = None,
    resolver: QpvResolver | None = None,
    progress: ProgressFn | None = None,
    workers: int = 1,
) -> BatchSummary:
    """Fichier CSV de cas (une ligne par cas, colonnes = faits) → même fichier avec les verdicts."""
    in_path, out_path = Path(in_path), Path(out_path)
    if not in_path.exists():
        raise EligibilityError(f"{in_path} : fichier introuvable")
    fieldnames, rows = _rows(in_path)
    summary = BatchSummary(eligible={slug: 0 for slug in registry.SLUGS})
    tmp = out_path.with_suffix(out_path.suffix + ".partiel")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=output_columns(fieldnames), extrasaction="ignore"
        )
        writer.writeheader()
        for out in simulate_rows(rows, on, resolver, workers):
            writer.writerow({k: neutralise(v) for k, v in out.items()})
            summary.rows += 1
            if out.get("error"):
                summary.errors += 1
            for slug in registry.SLUGS:
                if out.get(f"{slug}_verdict") == "eligible":
                    summary.eligible[slug] += 1
            if progress and summary.rows % 10_000 == 0:
                progress(summary.rows)
    tmp.replace(out_path)
    return summary
