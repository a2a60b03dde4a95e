"""PACEA : parcours contractualisé d'accompagnement vers l'emploi et l'autonomie.

Référence : ../shared/reference/dispositifs.md §6 — loi n° 2016-1088, art. 46.
Allocation ponctuelle : montant inconnu (à vérifier), non calculé.
"""

from __future__ import annotations

from quartiers.core.rules.evaluation import Evaluation, Programme
from quartiers.core.rules.facts import display


def evaluate(ev: Evaluation) -> None:
    on = ev.on
    ev.open_on(on, "Dispositif en vigueur (depuis le 01/01/2017)")
    with ev.condition("age", "De 16 à 25 ans") as c:
        low, high = int(ev.value("age_minimum", on)), int(ev.value("age_maximum", on))
        age = ev.age(on)
        c.check(low <= age <= high, f"{age} ans", f"{age} ans, hors de {low}–{high} ans")
    with ev.condition("engagement", "Prêt à s'engager dans le parcours", "cap-metiers F1.05") as c:
        ready = bool(ev.fact("ready_to_commit"))
        c.check(ready, display("ready_to_commit", ready), "pas prêt à s'engager")
    with ev.condition(
        "cej",
        "Pas en contrat d'engagement jeune en même temps",
        "mission-locale-pithiverais.org ; cap-metiers",
    ) as c:
        in_cej = bool(ev.fact("currently_in_cej"))
        c.check(
            not in_cej,
            display("currently_in_cej", in_cej),
            "déjà en CEJ (le PACEA est possible avant ou après)",
        )
    ev.note(
        "Ni diplôme, ni revenus, ni QPV exigés ; bénéficiaires du RSA si le département l'accepte. Contrat signé dans le mois du diagnostic, 24 mois consécutifs au plus."
    )
    ev.note(
        "Allocation PACEA ponctuelle : montant et plafond inconnus (à vérifier, C. trav. D.5131-…)."
    )
    if not ev.has_failed():
        ev.entry("age_maximum", on)  # la limite d'âge porte une mention « à vérifier »


PROGRAMME = Programme(
    slug="pacea",
    title="PACEA (parcours d'accompagnement des missions locales)",
    audiences=("person",),
    summary="Accompagnement par une mission locale des 16–25 ans, par phases, jusqu'à 24 mois.",
    references=("Loi n° 2016-1088, art. 46", "C. trav. L.5131-4 et suivants"),
    facts=("birth_date", "ready_to_commit", "currently_in_cej"),
    evaluate=evaluate,
)
