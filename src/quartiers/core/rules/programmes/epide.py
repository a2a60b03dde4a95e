"""EPIDE : contrat de volontariat pour l'insertion, de 17 à 25 ans révolus.

Référence : ../shared/reference/dispositifs.md §3 — décret n° 2005-888 modifié, décret
n° 2022-318. La résidence en QPV n'est pas une condition légale.
"""

from __future__ import annotations

from decimal import Decimal

from quartiers.core.fr import euros
from quartiers.core.rules.evaluation import Evaluation, Programme
from quartiers.core.rules.facts import NEET, display


def evaluate(ev: Evaluation) -> None:
    on = ev.on
    ev.key_date_label = "date d'entrée envisagée (date de la simulation)"
    ev.open_on(on, "Dispositif en vigueur")
    with ev.condition("age", "Âge de 17 à 25 ans révolus à l'entrée") as c:
        low, high = int(ev.value("age_minimum", on)), int(ev.value("age_maximum", on))
        c.label = f"Âge de {low} à {high} ans révolus à l'entrée"
        age = ev.age(on)
        c.check(low <= age <= high, f"{age} ans", f"{age} ans, hors de {low}–{high} ans")
    with ev.condition(
        "diplome", "Sans diplôme, CAP/BEP, ou bac sans qualification professionnelle"
    ) as c:
        level = ev.fact("diploma_level")
        c.check(
            level in ev.value("diplomes_admis", on),
            display("diploma_level", level),
            "diplôme trop élevé",
        )
    with ev.condition(
        "situation", "Sans emploi, ni stage, ni formation", "travail-emploi.gouv.fr ; SP F1190"
    ) as c:
        status = ev.fact("employment_status")
        c.check(
            status in NEET,
            display("employment_status", status),
            "en emploi, en études ou en formation",
        )
    with ev.condition("aptitude", "Apte médicalement", "travail-emploi.gouv.fr ; SP F1190") as c:
        fit = bool(ev.fact("medically_fit"))
        c.check(fit, display("medically_fit", fit), "inaptitude médicale")
    ev.note(
        "Journée défense et citoyenneté faite ou prochaine ; étrangers en séjour régulier depuis plus d'un an avec droit au travail. La résidence en QPV n'est pas une condition légale."
    )
    if ev.has_failed():
        return
    with ev.amounts_block():
        entry = ev.entry("allocation_mensuelle_max", on)
        amount = Decimal(str(entry.value))
        ev.add_amount(
            "allocation_mensuelle",
            "Allocation mensuelle maximale (allocation + part de prime)",
            amount,
            "€/mois",
            f"plafond en vigueur le {on:%d/%m/%Y} : {euros(amount)}, au prorata de la présence après la période probatoire",
            [entry],
        )


PROGRAMME = Programme(
    slug="epide",
    title="EPIDE (Établissement pour l'insertion dans l'emploi)",
    audiences=("person",),
    summary="Parcours d'insertion de 8 mois en internat, pour les jeunes de 17 à 25 ans peu ou pas diplômés.",
    references=(
        "Décret n° 2005-888 modifié",
        "Décret n° 2022-318 du 04/03/2022",
        "Service-public F1190",
    ),
    facts=("birth_date", "diploma_level", "employment_status", "medically_fit"),
    evaluate=evaluate,
)
