"""Pages du simulateur : trois questionnaires courts (personne, employeur, structure) qui ne
posent que les questions des faits manquants, puis les verdicts expliqués ; la page des
paramètres datés. Aucune règle ici : tout passe par `services`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse

from quartiers.core.fr import euros, long_date
from quartiers.core.rules import labels, next_steps, registry
from quartiers.core.rules.facts import (
    FACT_BY_NAME,
    FactKind,
    FactSpec,
)
from quartiers.core.rules.results import STATUS_LABELS, Status
from quartiers.programmes import questionnaire, services

DEMO_HINT = (
    "Démonstration (Bellerive, fictif) : « 20 avenue des Tilleuls Bellerive » est dans un QPV, "
    "« 10 boulevard de la Lune Bellerive » non."
)


# Public (clé des règles) → segment d'adresse en français, et l'inverse.
AUDIENCE_SLUGS = {"person": "personne", "employer": "employeur", "structure": "structure"}
SLUG_AUDIENCES = {slug: audience for audience, slug in AUDIENCE_SLUGS.items()}


def old_simulator_url(request: HttpRequest, audience: str) -> HttpResponse:
    """`/dispositifs/simulateur/person/?…` → `/dispositifs/personne/?…` (réponses gardées)."""
    slug = AUDIENCE_SLUGS.get(audience) or (audience if audience in SLUG_AUDIENCES else None)
    if slug is None:
        raise Http404("questionnaire inconnu")
    query = request.META.get("QUERY_STRING", "")
    target = reverse("programmes:simulator", kwargs={"slug": slug})
    return HttpResponsePermanentRedirect(target + (f"?{query}" if query else ""))


def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "programmes/index.html",
        {
            "title": "Dispositifs et simulateur",
            "audiences": {AUDIENCE_SLUGS[k]: v for k, v in registry.AUDIENCES.items()},
            "programmes": registry.programmes(),
            "labels": labels.all_labels(),
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


def simulator(request: HttpRequest, slug: str) -> HttpResponse:
    audience = SLUG_AUDIENCES.get(slug, "")
    if audience not in registry.AUDIENCES:
        raise Http404("questionnaire inconnu")
    step = questionnaire.next_step(audience, {k: str(v) for k, v in request.GET.items()})
    answers, pending = step.answers, step.pending
    context: dict[str, Any] = {
        "title": f"Simulateur — {registry.AUDIENCES[audience]}",
        "audience": audience,
        "audience_label": registry.AUDIENCES[audience],
        "errors": step.errors,
        "field_errors": step.field_errors,
        "date": step.day_text,
        "hidden": [
            (k, v)
            for k, v in answers.items()
            if k not in pending and not questionnaire.is_coordinate_of(k, pending)
        ]
        + [
            (field, text)
            for question, field in questionnaire.ADDRESS_FIELDS.items()
            if (text := step.addresses.get(field)) and question not in pending
        ],
        "skipped": ",".join(step.skipped),
        "questions": [
            {
                **_question(FACT_BY_NAME[n], answers.get(n, "")),
                "address_field": questionnaire.ADDRESS_FIELDS.get(n, ""),
                "address_label": questionnaire.ADDRESS_LABELS.get(n, ""),
                "address": step.addresses.get(questionnaire.ADDRESS_FIELDS.get(n, ""), ""),
                "error": step.field_errors.get(n, ""),
            }
            for n in pending
        ],
        "asked": ",".join(pending),
        "answered": [(FACT_BY_NAME[k], _shown(k, v)) for k, v in answers.items()],
        "demo_hint": DEMO_HINT,
        "show_results": step.show_results,
        "first_step": step.ask_date,
        "theme": step.theme,
        "step_number": step.step_number,
        "step_count": max(len(step.themes), step.step_number),
        "next_theme": step.next_theme,
        "error_links": [
            (f"f-{questionnaire.ADDRESS_FIELDS.get(n, n)}", message)
            for n, message in step.field_errors.items()
        ],
    }
    simulation = step.simulation
    if step.show_results and simulation is not None:
        order = {"eligible": 0, "missing_facts": 1, "not_eligible": 2}
        results = sorted(simulation.results, key=lambda r: order[r.verdict.value])
        context["results"] = [_result_view(r) for r in results]
        context["summary"] = summary(simulation.results)
        context["undecided"] = [FACT_BY_NAME[n] for n in simulation.missing_facts()]
    return render(request, "programmes/simulator.html", context)


def _shown(name: str, value: str) -> str:
    spec = FACT_BY_NAME[name]
    if spec.choices:
        return spec.choice_label(value)
    if spec.kind is FactKind.BOOL:
        return {"oui": "oui", "non": "non", "true": "oui", "false": "non"}.get(value.lower(), value)
    if spec.kind is FactKind.DATE:
        try:
            return long_date(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return value


PERIODS = {"€/mois": "par mois", "€/an": "par an", "€": "en une fois"}


def summary(results: list[Any]) -> dict[str, Any]:
    """Le résumé d'abord : « 3 aides possibles : A, B et C — ≈ 562 €/mois », puis les montants
    par période (mois, an, une fois) ; les dispositifs encore à confirmer sont comptés à part."""
    eligible = [r for r in results if r.verdict.value == "eligible"]
    totals: dict[str, Any] = {}
    items = []
    for r in eligible:
        amount = r.main_amount()
        shown = ""
        if amount is not None and amount.unit in PERIODS:
            totals[amount.unit] = totals.get(amount.unit, 0) + amount.value
            shown = euros(amount.value, cents=True) + amount.unit[1:]
        items.append({"title": r.title, "slug": r.slug, "amount": shown})
    names = [r.title for r in eligible]
    listed = (
        names[0]
        if len(names) == 1
        else ", ".join(names[:-1]) + " et " + names[-1:][0]
        if names
        else ""
    )
    totals_text = [
        f"≈ {euros(value.quantize(1))}{unit[1:]}" if unit != "€" else f"{euros(value)} en une fois"
        for unit, value in sorted(totals.items(), key=lambda kv: list(PERIODS).index(kv[0]))
    ]
    count = len(eligible)
    headline = (
        f"{count} aide{'s' if count > 1 else ''} possible{'s' if count > 1 else ''} : {listed}"
        if count
        else "Aucune aide possible avec ces réponses"
    )
    if totals_text:
        headline += " — " + ", ".join(totals_text)
    return {
        "headline": headline,
        "items": items,
        "count": count,
        "to_confirm": sum(1 for r in results if r.verdict.value == "missing_facts"),
    }


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
        "next": next_steps.at(result.slug, result.on),
    }


def _code_label(code: str) -> str:
    """Un code interne d'une liste de paramètres (« jobseeker ») → son libellé en français."""
    for spec in FACT_BY_NAME.values():
        for key, label in spec.choices:
            if key == code:
                return label
    return code


def parameter_value(raw: Any, unit: str) -> str:
    """La valeur d'un paramètre pour la page : jamais `True`, `None`, `null` ni un code interne."""
    from quartiers.core import fr

    if isinstance(raw, list) and raw and all(isinstance(p, list) and len(p) == 2 for p in raw):
        return " ; ".join(
            f"jusqu'à {fr.value(a, unit)} : {fr.value(b, unit)}" for a, b in raw
        )  # barème par tranches
    if isinstance(raw, list) and all(isinstance(p, str) for p in raw):
        return " ; ".join(_code_label(p) for p in raw) or "—"
    if isinstance(raw, str):
        return _code_label(raw)
    return fr.value(raw, unit)


def parameters(request: HttpRequest) -> HttpResponse:
    catalogue = services.parameters_catalogue()
    groups: dict[str, dict[str, Any]] = {}
    for item in catalogue:
        for v in item["values"]:
            v["shown"] = parameter_value(v["value"], item["unit"])
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
