"""Écoles de la deuxième chance (E2C) : parcours de 4 à 18 mois, rémunéré.

Référence : ../shared/reference/dispositifs.md §4 — C. éduc. L.214-14 ; décrets n° 2021-522
et 2021-672 (rémunération des stagiaires de la formation professionnelle).
"""

from __future__ import annotations

from quartiers.core.rules.evaluation import Evaluation, Programme
from quartiers.core.rules.facts import display
from quartiers.core.rules.programmes.trainee_pay import add_trainee_pay, unemployment_benefit_kept


def evaluate(ev: Evaluation) -> None:
    on = ev.on
    ev.key_date_label = "date d'entrée envisagée (date de la simulation)"
    age = -1
    with ev.condition("age", "Âge de 16 à 25 ans à l'entrée") as c:
        low, high = int(ev.value("age_minimum", on)), int(ev.value("age_maximum", on))
        age = ev.age(on)
        c.check(low <= age <= high, f"{age} ans", f"{age} ans, hors de {low}–{high} ans")
    with ev.condition("diplome", "Sans diplôme ni qualification professionnelle") as c:
        level = ev.fact("diploma_level")
        c.check(
            level in ev.value("diplomes_admis", on),
            display("diploma_level", level),
            "diplôme ou qualification déjà obtenu",
        )
    with ev.condition(
        "situation", "Sorti du système scolaire, sans emploi", "C. éduc. L.214-14"
    ) as c:
        status = ev.fact("employment_status")
        c.check(
            status not in {"student", "employed"},
            display("employment_status", status),
            "encore scolarisé ou en emploi",
        )
    ev.note(
        "Parcours individualisé de 4 à 18 mois en alternance, entrées toute l'année, sans internat."
    )
    if ev.has_failed():
        return
    with ev.amounts_block():
        if unemployment_benefit_kept(ev):
            return
        add_trainee_pay(ev, on, age, "Rémunération mensuelle de stagiaire", youngest="16–17 ans")


PROGRAMME = Programme(
    slug="e2c",
    title="École de la deuxième chance (E2C)",
    audiences=("person",),
    summary="Parcours rémunéré de remise à niveau et d'insertion pour les 16–25 ans sans diplôme.",
    references=(
        "C. éduc. L.214-14, D.214-9 à D.214-12",
        "Décret n° 2021-522",
        "Décret n° 2021-672",
    ),
    facts=(
        "birth_date",
        "diploma_level",
        "employment_status",
        "receives_unemployment_benefit",
        "recent_work_history",
    ),
    evaluate=evaluate,
)
