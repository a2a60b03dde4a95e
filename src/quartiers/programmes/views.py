"""Pages du simulateur : trois questionnaires courts (personne, employeur, structure) qui ne
posent que les questions des faits manquants, puis les verdicts expliqués ; la page des
paramètres datés. Aucune règle ici : tout passe par `services`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from quartiers.core.rules import registry
from quartiers.core.rules.engine import STATUS_LABELS, Status
from quartiers.core.rules.facts import (
    FACT_BY_NAME,
    FactError,
    FactKind,
    FactSpec,
    parse_date,
    parse_value,
)
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
DEMO_HINT = (
    "Démonstration (Bellerive, fictif) : Les Tilleuls 2.388 / 46.654 ; Gare - Faubourg "
    "2.401 / 46.663 (QPV jusqu'au 31/12/2023) ; Les Rives 2.380 / 46.638 (QPV depuis 2024)."
)


def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "programmes/index.html",
        {
            "title": "Dispositifs et simulateur",
            "audiences": registry.AUDIENCES,
            "programmes": registry.programmes(),
        },
    )


def _question(spec: FactSpec, value: str) -> dict[str, Any]:
    widget = {
        FactKind.BOOL: "bool",
        FactKind.CHOICE: "select",
        FactKind.DATE: "date",
    }.get(spec.kind, "number" if spec.kind is not FactKind.LIST else "text")
    if spec.kind is FactKind.INT and spec.choices:
        widget = "select"
    step = "1" if spec.kind is FactKind.INT else "any"
    return {"spec": spec, "widget": widget, "value": value, "step": step}


def simulator(request: HttpRequest, audience: str) -> HttpResponse:
    if audience not in registry.AUDIENCES:
        raise Http404("questionnaire inconnu")
    query = request.GET
    answers = {
        k: v.strip()
        for k, v in query.items()
        if k in FACT_BY_NAME and v.strip() and FACT_BY_NAME[k].kind is not FactKind.LIST
    }
    skipped = [s for s in query.get("_skipped", "").split(",") if s in FACT_BY_NAME]
    for name in query.get("_asked", "").split(","):
        if name in FACT_BY_NAME and name not in answers and name not in skipped:
            if name in COORDINATES and all(c in answers for c in COORDINATES[name]):
                continue
            skipped.append(name)
    day_text = query.get("date", "").strip() or dt.date.today().isoformat()
    errors: list[str] = []
    invalid: list[str] = []
    ask_date = "_asked" not in query
    try:
        parse_date("date", day_text)
    except FactError as exc:
        errors.append(f"Date de la simulation : {exc}")
        day_text, ask_date = dt.date.today().isoformat(), True
    for name in list(answers):
        try:
            parse_value(FACT_BY_NAME[name], answers[name])
        except FactError as exc:
            errors.append(f"{FACT_BY_NAME[name].label} : {exc}")
            invalid.append(name)
            del answers[name]
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
    show_results = simulation is not None and not errors and (not pending or "resultats" in query)
    context: dict[str, Any] = {
        "title": f"Simulateur — {registry.AUDIENCES[audience]}",
        "audience": audience,
        "audience_label": registry.AUDIENCES[audience],
        "errors": errors,
        "date": day_text,
        "hidden": [
            (k, v)
            for k, v in answers.items()
            if k not in pending and not _is_coordinate_of(k, pending)
        ],
        "skipped": ",".join(skipped),
        "questions": [
            {
                **_question(FACT_BY_NAME[n], answers.get(n, "")),
                "coordinates": [
                    _question(FACT_BY_NAME[c], answers.get(c, "")) for c in COORDINATES.get(n, ())
                ],
            }
            for n in pending
        ],
        "asked": ",".join(pending),
        "answered": [(FACT_BY_NAME[k], _shown(k, v)) for k, v in answers.items()],
        "demo_hint": DEMO_HINT,
        "show_results": show_results,
        "first_step": ask_date,
    }
    if show_results and simulation is not None:
        context["results"] = [_result_view(r) for r in simulation.results]
        context["undecided"] = [FACT_BY_NAME[n] for n in simulation.missing_facts()]
    return render(request, "programmes/simulator.html", context)


def _shown(name: str, value: str) -> str:
    spec = FACT_BY_NAME[name]
    return spec.choice_label(value) if spec.choices else value


def _is_coordinate_of(name: str, pending: list[str]) -> bool:
    return any(name in COORDINATES.get(p, ()) for p in pending)


def _condition_rows(conditions: list[Any], depth: int = 0) -> list[dict[str, Any]]:
    rows = []
    for c in conditions:
        rows.append(
            {
                "c": c,
                "depth": depth,
                "status_label": STATUS_LABELS[c.status],
                "badge": {
                    Status.MET: "fr-badge--success",
                    Status.NOT_MET: "fr-badge--error",
                    Status.UNKNOWN: "fr-badge--info",
                }[c.status],
                "missing_labels": [FACT_BY_NAME[m].label for m in c.missing if m in FACT_BY_NAME],
            }
        )
        rows += _condition_rows(c.children, depth + 1)
    return rows


def _result_view(result: Any) -> dict[str, Any]:
    programme = registry.programme(result.slug)
    return {
        "r": result,
        "programme": programme,
        "badge": {
            "eligible": "fr-badge--success",
            "not_eligible": "fr-badge--error",
            "missing_facts": "fr-badge--info",
        }[result.verdict.value],
        "rows": _condition_rows(result.conditions),
        "changes": result.what_would_change(),
    }


def parameters(request: HttpRequest) -> HttpResponse:
    catalogue = services.parameters_catalogue()
    groups: dict[str, dict[str, Any]] = {}
    for item in catalogue:
        group = groups.setdefault(
            item["programme"],
            {"title": item["programme_title"], "slug": item["programme"], "items": []},
        )
        group["items"].append(item)
    return render(
        request,
        "programmes/parameters.html",
        {
            "title": "Paramètres datés des dispositifs",
            "groups": list(groups.values()),
            "to_check": sum(1 for i in catalogue for v in i["values"] if v["to_check"]),
        },
    )
