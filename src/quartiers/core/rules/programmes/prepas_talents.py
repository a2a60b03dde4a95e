"""Prépas Talents et bourses Talents (concours de la fonction publique).

Référence : ../shared/reference/dispositifs.md §12 — arrêté du 5 août 2021 ; SP F17482.
La sélection se fait sur critères de ressources, de mérite et de motivation.
"""

from __future__ import annotations

from decimal import Decimal

from quartiers.core.fr import euros
from quartiers.core.rules.evaluation import Evaluation, Programme
from quartiers.core.rules.facts import display


def evaluate(ev: Evaluation) -> None:
    on = ev.on
    ev.open_on(on, "Dispositif en vigueur (depuis l'arrêté du 05/08/2021)")
    with ev.any_of("public", "Étudiant boursier ou demandeur d'emploi", "SP F17482"):
        with ev.condition("boursier", "Étudiant boursier (critères sociaux)") as c:
            v = bool(ev.fact("higher_education_grant_holder"))
            c.check(v, display("higher_education_grant_holder", v), "non")
        with ev.condition("demandeur", "Demandeur d'emploi") as c:
            status = ev.fact("employment_status")
            c.check(status == "jobseeker", display("employment_status", status), "non")
    with ev.condition(
        "concours",
        "Prépare un concours de la fonction publique (A+, A, B ou « Talents »)",
        "SP A15090 (2024)",
    ) as c:
        v = bool(ev.fact("prepares_civil_service_exam"))
        c.check(v, display("prepares_civil_service_exam", v), "ne prépare pas de concours")
    in_prepa = None
    with ev.condition(
        "ressources", "En Prépa Talents, ou revenus sous le plafond de l'échelon 0", "SP F17482"
    ) as c:
        in_prepa = bool(ev.fact("in_prepa_talents"))
        if in_prepa:
            c.ok("inscrit en Prépa Talents")
        else:
            under = bool(ev.fact("income_below_grant_ceiling"))
            c.check(
                under,
                f"hors Prépa Talents, revenus sous le plafond : {display('income_below_grant_ceiling', under)}",
                "revenus au-dessus du plafond de l'échelon 0",
            )
    ev.note(
        "Sélection sur ressources, mérite et motivation ; cumulable avec la bourse sur critères sociaux. Un an, renouvelable une fois."
    )
    if ev.has_failed() or in_prepa is None:
        return
    with ev.amounts_block():
        entry = ev.entry("bourse_prepa_talents" if in_prepa else "bourse_hors_prepa", on)
        amount = Decimal(str(entry.value))
        text = f"{'en Prépa Talents : 2 × 2 000 €' if in_prepa else 'hors Prépa Talents'} = {euros(amount)}"
        ev.add_amount("bourse", "Bourse Talents", amount, "€/an", text, [entry])


PROGRAMME = Programme(
    slug="prepas_talents",
    title="Prépas Talents et bourses Talents",
    audiences=("person",),
    summary="Classes préparatoires aux concours de la fonction publique et bourses de 2 000 à 4 000 €.",
    references=("Arrêté du 5 août 2021", "Service-public F17482", "Service-public A15090"),
    facts=(
        "higher_education_grant_holder",
        "employment_status",
        "prepares_civil_service_exam",
        "in_prepa_talents",
        "income_below_grant_ceiling",
    ),
    evaluate=evaluate,
)
