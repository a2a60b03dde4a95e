"""Prépa-apprentissage : parcours de préparation à l'apprentissage du Plan d'investissement dans
les compétences, de 16 à 29 ans révolus (sans limite d'âge pour une personne handicapée).

Référence : présentation de l'État (« L'apprentissage ») ; le jeune est stagiaire de la formation
professionnelle et rémunéré selon le barème des décrets n° 2021-522 et 2021-672 (le même que pour
les écoles de la deuxième chance), sauf s'il garde son allocation chômage. La résidence en QPV
n'est pas une condition : c'est un public prioritaire (objectif de 8 000 jeunes des QPV).
"""

from __future__ import annotations

from decimal import Decimal

from quartiers.core.fr import euros, long_date
from quartiers.core.params import DatedValue
from quartiers.core.rules.evaluation import Evaluation, Programme
from quartiers.core.rules.facts import JOBLESS, display


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
        if bool(ev.fact("receives_unemployment_benefit")):
            ev.note(
                "Pas de rémunération de stagiaire : l'allocation chômage (ARE) est maintenue pendant le parcours."
            )
            return
        first = ev.params["remuneration_18_25"].values[0].valid_from
        if on < first:
            ev.note(
                f"Barème de rémunération des stagiaires antérieur au {long_date(first)} non modélisé."
            )
            return
        entry: DatedValue
        if age < 18:
            entry = ev.entry("remuneration_16_17", on)
            why = f"{age} ans (moins de 18 ans)"
        elif age >= 26:
            entry = ev.entry("remuneration_26_plus", on)
            why = f"{age} ans (26 ans et plus)"
        else:
            worked = bool(ev.fact("recent_work_history"))
            experience = ev.params["remuneration_experience"]
            if worked and experience.values[0].valid_from <= on:
                entry = ev.entry("remuneration_experience", on)
                why = f"{age} ans, a déjà travaillé 6 mois sur 12 ou 12 sur 24"
            else:
                entry = ev.entry("remuneration_18_25", on)
                why = f"{age} ans (18–25 ans)"
        amount = Decimal(str(entry.value))
        ev.add_amount(
            "remuneration",
            "Rémunération mensuelle de stagiaire de la formation professionnelle",
            amount,
            "€/mois",
            f"{why} : {euros(amount)}",
            [entry],
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
