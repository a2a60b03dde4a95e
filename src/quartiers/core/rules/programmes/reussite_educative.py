"""Programme de réussite éducative (PRE) : qui est couvert.

Référence : ../shared/reference/dispositifs.md §15 — loi du 18/01/2005 ; ANCT.
"""

from __future__ import annotations

from quartiers.core.rules.evaluation import Evaluation, Programme
from quartiers.core.rules.facts import display


def evaluate(ev: Evaluation) -> None:
    on = ev.on
    ev.open_on(on, "Dispositif en vigueur (depuis le 18/01/2005)")
    with ev.condition("age", "De 2 à 16 ans") as c:
        low, high = int(ev.value("age_minimum", on)), int(ev.value("age_maximum", on))
        age = ev.age(on)
        c.check(low <= age <= high, f"{age} ans", f"{age} ans, hors de {low}–{high} ans")
    with ev.condition("fragilite", "Enfant en situation de fragilité", "ANCT (page PRE)") as c:
        v = bool(ev.fact("fragile_situation"))
        c.check(v, display("fragile_situation", v), "pas de fragilité repérée")
    with ev.any_of(
        "territoire", "Habite en QPV ou scolarisé en éducation prioritaire", "ANCT ; ac-paris.fr"
    ):
        with ev.condition("qpv", "Habite en QPV") as c:
            v, text = ev.qpv(on)
            c.check(v, text, "hors QPV")
        with ev.condition("education_prioritaire", "Scolarisé en éducation prioritaire") as c:
            v = bool(ev.fact("school_in_priority_education"))
            c.check(v, display("school_in_priority_education", v), "non")
    ev.note(
        "Parcours individuel défini par une équipe pluridisciplinaire de réussite éducative ; porté par une caisse des écoles, un GIP, un EPLE ou un CCAS. 523 PRE et 85 000 enfants en 2023."
    )


PROGRAMME = Programme(
    slug="reussite_educative",
    title="Programme de réussite éducative (PRE)",
    audiences=("person",),
    summary="Parcours individuel pour les enfants de 2 à 16 ans fragiles, habitant un QPV ou scolarisés en éducation prioritaire.",
    references=("Loi n° 2005-32 du 18/01/2005", "ANCT, page PRE"),
    facts=(
        "birth_date",
        "fragile_situation",
        "resides_in_qpv",
        "lon",
        "lat",
        "school_in_priority_education",
    ),
    evaluate=evaluate,
)
