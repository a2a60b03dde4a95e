"""Contrat d'engagement jeune (CEJ), depuis le 1er mars 2022.

Référence : ../shared/reference/dispositifs.md §5 — décret n° 2022-199 ; C. trav. D.5131-19
(montants), D.5131-23 (dégressivité, non calculée ici). Montants d'après les paramètres
d'OpenFisca-France 176.1.8.
"""

from __future__ import annotations

from decimal import Decimal

from quartiers.core.fr import euros
from quartiers.core.rules.evaluation import Evaluation, Programme
from quartiers.core.rules.facts import NEET, display


def evaluate(ev: Evaluation) -> None:
    on = ev.on
    ev.open_on(on, "Dispositif en vigueur (depuis le 01/03/2022)")
    age = -1
    with ev.condition("age", "De 16 à 25 ans, ou jusqu'à 29 ans avec un handicap reconnu") as c:
        low, high = int(ev.value("age_minimum", on)), int(ev.value("age_maximum", on))
        age = ev.age(on)
        if low <= age <= high:
            c.ok(f"{age} ans")
        elif age < low:
            c.fail(f"{age} ans, moins de {low} ans", f"{age} ans")
        else:
            high_h = int(ev.value("age_maximum_handicap", on))
            if age > high_h:
                c.fail(f"{age} ans, plus de {high_h} ans", f"{age} ans")
            else:
                disabled = bool(ev.fact("disability_recognised"))
                c.check(
                    disabled,
                    f"{age} ans, handicap reconnu : {display('disability_recognised', disabled)}",
                    f"{age} ans sans handicap reconnu (limite {high} ans)",
                )
    with ev.condition(
        "situation", "Ni en emploi, ni en études, ni en formation", "Décret n° 2022-199"
    ) as c:
        status = ev.fact("employment_status")
        c.check(
            status in NEET,
            display("employment_status", status),
            "en emploi, en études ou en formation",
        )
    with ev.condition("fiscal", "Foyer non imposable ou imposé dans la première tranche") as c:
        tax = ev.fact("household_tax_situation")
        c.check(
            tax in ev.value("situations_fiscales_admises", on),
            display("household_tax_situation", tax),
            "foyer imposé au-delà de la première tranche",
        )
    with ev.condition(
        "cumul",
        "Ni RSA, ni prime d'activité (3 derniers mois), ni indemnité de service civique",
        "OpenFisca-France contrat_engagement_jeune_eligibilite",
    ) as c:
        other = bool(ev.fact("receives_incompatible_benefit"))
        c.check(
            not other, display("receives_incompatible_benefit", other), "prestation non cumulable"
        )
    ev.note(
        "15 à 20 h d'activités par semaine, jusqu'à 12 mois (18 dans certains cas, à vérifier). Montant maximal : l'ARE et la rémunération de formation sont déduites, les salaires au-delà de 300 € réduisent l'allocation (C. trav. D.5131-23, non calculé)."
    )
    if ev.has_failed():
        return
    with ev.amounts_block():
        tax = ev.fact("household_tax_situation")
        if age < 18:
            key, who = "montant_mineur", "mineur"
        elif tax == "not_taxed":
            key, who = "montant_majeur_non_imposable", "majeur, foyer non imposable"
        else:
            key, who = "montant_majeur_premiere_tranche", "majeur, foyer imposé dans la 1re tranche"
        entry = ev.entry(key, on)
        amount = Decimal(str(entry.value))
        ev.add_amount(
            "allocation_mensuelle",
            "Allocation mensuelle maximale",
            amount,
            "€/mois",
            f"{who}, barème en vigueur le {on:%d/%m/%Y} : {euros(amount)}",
            [entry],
        )


PROGRAMME = Programme(
    slug="contrat_engagement_jeune",
    title="Contrat d'engagement jeune (CEJ)",
    audiences=("person",),
    summary="Accompagnement intensif et allocation mensuelle pour les 16–25 ans (29 ans avec un handicap) sans emploi ni formation.",
    references=("Décret n° 2022-199 du 18/02/2022", "C. trav. D.5131-19 et D.5131-23"),
    facts=(
        "birth_date",
        "disability_recognised",
        "employment_status",
        "household_tax_situation",
        "receives_incompatible_benefit",
    ),
    evaluate=evaluate,
)
