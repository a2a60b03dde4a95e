"""Le questionnaire du simulateur : quelles questions poser ensuite, d'après les réponses.

Trois publics (personne, employeur, structure) ; on ne pose que les faits qui manquent aux
dispositifs encore indécis, une question passée n'est pas reposée, des coordonnées valent
réponse à « habite en QPV ? ». La page n'en fait que l'affichage.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from quartiers.core.rules.facts import FACT_BY_NAME, FactError, FactKind, parse_date, parse_value
from quartiers.programmes import services

FIRST_STEP = {
    "person": ("birth_date", "resides_in_qpv", "employment_status"),
    "employer": ("hire_date", "contract_type", "organisation_type"),
    "structure": ("organisation_type", "premises_in_qpv"),
}
COORDINATES = {
    "resides_in_qpv": ("lon", "lat"),
    "premises_in_qpv": ("premises_lon", "premises_lat"),
}
HIDDEN_WITH = {name for pair in COORDINATES.values() for name in pair}
# La question « en QPV ? » se pose par une adresse (géocodée sous la politique « à vérifier » de
# la vérification d'adresse) : champ de la page → question qu'il remplace.
ADDRESS_FIELDS = {"resides_in_qpv": "adresse", "premises_in_qpv": "adresse_locaux"}
ADDRESS_LABELS = {
    "resides_in_qpv": "Votre adresse",
    "premises_in_qpv": "Adresse des locaux de la structure",
}


@dataclass
class Step:
    """Où en est le questionnaire : réponses valides, questions à poser, résultats."""

    answers: dict[str, str]
    addresses: dict[str, str]
    field_errors: dict[str, str]
    skipped: list[str]
    pending: list[str]
    day_text: str
    ask_date: bool
    errors: list[str] = field(default_factory=list)
    simulation: services.Simulation | None = None
    show_results: bool = False


PAST_DATES = frozenset({"birth_date"})


def plain_error(label: str, exc: Exception) -> str:
    """L'erreur d'une réponse, sans nom de fait interne : « Date de naissance : date attendue… »."""
    message = str(exc)
    for prefix in ("« ", '"'):
        if message.startswith(prefix) and " : " in message:
            message = message.split(" : ", 1)[1]
    return f"{label} : {message}"


def is_coordinate_of(name: str, pending: list[str]) -> bool:
    return any(name in COORDINATES.get(p, ()) for p in pending)


def next_step(audience: str, query: Mapping[str, str]) -> Step:
    """Lit les réponses (texte brut de la page), les valide, simule, choisit les questions."""
    answers = {
        k: v.strip()
        for k, v in query.items()
        if k in FACT_BY_NAME and v.strip() and FACT_BY_NAME[k].kind is not FactKind.LIST
    }
    field_errors: dict[str, str] = {}
    addresses = _place_addresses(query, answers, field_errors)
    skipped = [s for s in query.get("_skipped", "").split(",") if s in FACT_BY_NAME]
    for name in query.get("_asked", "").split(","):
        if name in FACT_BY_NAME and name not in answers and name not in skipped:
            if name in COORDINATES and all(c in answers for c in COORDINATES[name]):
                continue
            if name in field_errors:
                continue  # adresse refusée : la question revient, avec son erreur
            skipped.append(name)
    day_text = query.get("date", "").strip() or dt.date.today().isoformat()
    errors: list[str] = []
    ask_date = "_asked" not in query
    try:
        parse_date("date", day_text)
    except FactError as exc:
        errors.append(f"Date de la simulation : {exc}")
        day_text, ask_date = dt.date.today().isoformat(), True
    for name in list(answers):
        try:
            value = parse_value(FACT_BY_NAME[name], answers[name])
        except FactError as exc:
            field_errors[name] = plain_error(FACT_BY_NAME[name].label, exc)
            del answers[name]
            continue
        if name in PAST_DATES and isinstance(value, dt.date) and value > dt.date.today():
            field_errors[name] = f"{FACT_BY_NAME[name].label} : une date passée est attendue"
            del answers[name]
    errors += [message for name, message in field_errors.items() if name not in ADDRESS_FIELDS]
    simulation = None
    try:
        simulation = services.simulate(answers, day_text, audience=audience)
    except services.EligibilityError as exc:
        errors.append(str(exc))
    started = "_asked" in query
    if simulation is None or not started:
        pending = [n for n in FIRST_STEP[audience] if n not in answers]
    else:
        pending = [n for n in simulation.missing_facts() if n not in skipped]
    pending = [n for n in pending if n not in HIDDEN_WITH]
    for question in field_errors:  # une réponse refusée est redemandée, sur son champ
        if question not in pending and question in FACT_BY_NAME and question not in HIDDEN_WITH:
            pending.insert(0, question)
    show_results = (
        simulation is not None
        and not errors
        and not field_errors
        and (not pending or "resultats" in query)
    )
    return Step(
        answers,
        addresses,
        field_errors,
        skipped,
        pending,
        day_text,
        ask_date,
        errors,
        simulation,
        show_results,
    )


def _place_addresses(
    query: Mapping[str, str], answers: dict[str, str], field_errors: dict[str, str]
) -> dict[str, str]:
    """Chaque adresse saisie devient des coordonnées, ou une erreur en clair sur son champ."""
    addresses: dict[str, str] = {}
    for question, field_name in ADDRESS_FIELDS.items():
        text = " ".join((query.get(field_name) or "").split())
        if not text:
            continue
        addresses[field_name] = text
        lon_name, lat_name = COORDINATES[question]
        if lon_name in answers and lat_name in answers:
            continue  # déjà placée (lien depuis « Mon adresse est-elle en QPV ? »)
        try:
            lon, lat = services.position_of(text)
        except services.EligibilityError as exc:
            field_errors[question] = str(exc)
            continue
        answers[lon_name], answers[lat_name] = f"{lon:.6f}", f"{lat:.6f}"
    return addresses
