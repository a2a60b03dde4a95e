"""Prépa-apprentissage : parcours de préparation à l'apprentissage du Plan d'investissement dans
les compétences, de 16 à 29 ans révolus (sans limite d'âge pour une personne handicapée).

Référence : présentation de l'État (« L'apprentissage ») ; le jeune est stagiaire de la formation
professionnelle et rémunéré selon le barème des décrets n° 2021-522 et 2021-672 (le même que pour
les écoles de la deuxième chance), sauf s'il garde son allocation chômage. La résidence en QPV
n'est pas une condition : c'est un public prioritaire (objectif de 8 000 jeunes des QPV).
"""

from __future__ import annotations

from quartiers.core.fr import long_date
from quartiers.core.rules.evaluation import Evaluation, Programme
from quartiers.core.rules.facts import JOBLESS, display
from quartiers.core.rules.programmes.trainee_pay import add_trainee_pay, unemployment_benefit_kept


def evaluate(ev: Evaluation) -> None:
    on = ev.on
    ev.key_date_label = "date d'entrée envisagée (date de la simulation)"
    ev.open_on(on, "Parcours prépa-apprentissage ouverts")
    age = -1
    with ev.condition("age", "Âge de 16 à 29 ans révolus à l'entrée") as c:
        low, high = int(ev.value("age_minimum", on)), int(ev.value("age_maximum", on))
        age = ev.age(on)
        if age >= low and age > high and bool(ev.fact("disability_recognised")):
            c.ok(f"{age} ans, handicap reconnu : pas de limite d'âge")
        else:
            c.check(low <= age <= high, f"{age} ans", f"{age} ans, hors de {low}–{high} ans")
    with ev.condition(
        "situation", "Sans emploi ni formation, à la recherche d'un apprentissage"
    ) as c:
        status = ev.fact("employment_status")
        c.check(
            status in JOBLESS,
            display("employment_status", status),
            "en emploi, en études ou déjà en formation",
        )
    ev.note(
        "Public prioritaire : jeunes des quartiers prioritaires et jeunes peu qualifiés ; "
        "l'entrée se fait sur orientation de la mission locale, de France Travail ou d'un CFA."
    )
    if ev.has_failed():
        return
    with ev.amounts_block():
        if unemployment_benefit_kept(ev):
            return
        first = ev.params["remuneration_18_25"].values[0].valid_from
        if on < first:
            ev.note(
                f"Barème de rémunération des stagiaires antérieur au {long_date(first)} non modélisé."
            )
            return
        add_trainee_pay(
            ev, on, age, "Rémunération mensuelle de stagiaire de la formation professionnelle"
        )


PROGRAMME = Programme(
    slug="prepa_apprentissage",
    title="Prépa-apprentissage",
    audiences=("person",),
    summary="Parcours rémunéré de préparation à l'apprentissage pour les 16–29 ans, priorité aux jeunes des QPV.",
    references=(
        "Plan d'investissement dans les compétences (appel à projets « Prépa apprentissage »)",
        "Décret n° 2021-522 du 29/04/2021",
        "Décret n° 2021-672 du 28/05/2021",
    ),
    facts=(
        "birth_date",
        "employment_status",
        "disability_recognised",
        "receives_unemployment_benefit",
        "recent_work_history",
    ),
    evaluate=evaluate,
)
