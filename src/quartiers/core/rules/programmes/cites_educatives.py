"""Cités éducatives : qui est couvert (0–25 ans habitant un QPV d'une cité labellisée).

Référence : ../shared/reference/dispositifs.md §14 — Sénat, avis a25-140-7.
"""

from __future__ import annotations

from quartiers.core.fr import euros
from quartiers.core.rules.evaluation import Evaluation, Programme
from quartiers.core.rules.facts import display


def evaluate(ev: Evaluation) -> None:
    on = ev.on
    ev.open_on(on, "Dispositif en vigueur (depuis 2019)")
    with ev.condition("age", "De 0 à 25 ans") as c:
        high = int(ev.value("age_maximum", on))
        age = ev.age(on)
        c.check(age <= high, f"{age} ans", f"{age} ans, plus de {high} ans")
    with ev.condition("qpv", "Habite en QPV") as c:
        v, text = ev.qpv(on)
        c.check(v, text, "hors QPV")
    with ev.condition(
        "label", "Le quartier fait partie d'une cité éducative labellisée", "Sénat, avis a25-140-7"
    ) as c:
        v = bool(ev.fact("qpv_has_cite_educative"))
        c.check(v, display("qpv_has_cite_educative", v), "quartier sans cité éducative")
    if ev.has_failed():
        return
    low = ev.params["subvention_min"].entry_at(on)
    high_s = ev.params["subvention_max"].entry_at(on)
    from decimal import Decimal

    ev.note(
        f"Label de coopération État – Éducation nationale – commune ; l'État verse {euros(Decimal(str(low.value)))} à "
        f"{euros(Decimal(str(high_s.value)))} par an et par cité ({low.reference}). 250 cités, 600 QPV en 2025."
    )


PROGRAMME = Programme(
    slug="cites_educatives",
    title="Cités éducatives",
    audiences=("person",),
    summary="Coopération renforcée autour des enfants et des jeunes de 0 à 25 ans des QPV labellisés.",
    references=("Sénat, avis a25-140-7 (PLF 2026)", "Sénat, avis a23-129-7"),
    facts=("birth_date", "resides_in_qpv", "lon", "lat", "qpv_has_cite_educative"),
    evaluate=evaluate,
)
