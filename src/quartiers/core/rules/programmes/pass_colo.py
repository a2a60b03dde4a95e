"""Pass colo : aide au départ en colonie des enfants de 11 ans (depuis 2024).

Référence : décret n° 2024-277 du 28 mars 2024 (modifié par le décret n° 2024-619) ;
../shared/reference/dispositifs.md §9 ; OpenFisca-France `pass_colo`.
"""

from __future__ import annotations

from decimal import Decimal

from quartiers.core.fr import euros
from quartiers.core.rules.evaluation import Evaluation, Programme


def evaluate(ev: Evaluation) -> None:
    on = ev.on
    ev.open_on(on, "Dispositif en vigueur (depuis le 30/03/2024)")
    with ev.condition("age", "Avoir 11 ans dans l'année civile") as c:
        target = int(ev.value("age_dans_annee", on))
        birth = ev.fact("birth_date")
        reached = on.year - birth.year
        c.check(
            reached == target,
            f"né(e) en {birth.year} : {reached} ans dans l'année {on.year}",
            f"{reached} ans dans l'année (12 ans à titre exceptionnel)",
        )
    with ev.condition("qf", "Quotient familial d'au plus 1 500 €") as c:
        ceiling = Decimal(str(ev.value("quotient_familial_max", on)))
        qf = Decimal(str(ev.fact("family_quotient")))
        c.check(qf <= ceiling, euros(qf), f"{euros(qf)} > {euros(ceiling)}")
    nights = ev.optional("stay_nights")
    if nights is not None:
        with ev.condition(
            "duree_sejour", "Séjour d'au moins 4 nuits pendant les vacances scolaires"
        ) as c:
            low = int(ev.value("nuits_minimum", on))
            c.check(
                int(nights) >= low,
                f"{nights} nuit{'s' if int(nights) > 1 else ''}",
                f"séjour de {nights} nuit{'s' if int(nights) > 1 else ''} : le pass colo "
                f"n'aide que les séjours d'au moins {low} nuits",
            )
    ev.note("Séjours en France uniquement ; géré par la CAF (Vacaf).")
    if ev.has_failed():
        return
    with ev.amounts_block():
        entry = ev.entry("bareme", on)
        qf = Decimal(str(ev.fact("family_quotient")))
        for ceiling, amount in entry.value:
            if qf <= Decimal(str(ceiling)):
                value = Decimal(str(amount))
                ev.add_amount(
                    "pass_colo",
                    "Montant du pass colo",
                    value,
                    "€",
                    f"QF {euros(qf)} ≤ {euros(Decimal(str(ceiling)))} : {euros(value)}",
                    [entry],
                )
                return


PROGRAMME = Programme(
    slug="pass_colo",
    title="Pass colo",
    audiences=("person",),
    summary="De 200 à 350 € pour le départ en colonie d'un enfant de 11 ans, selon le quotient familial.",
    references=(
        "Décret n° 2024-277 du 28 mars 2024 relatif au « Pass'colo »",
        "Décret n° 2024-619 du 27 juin 2024",
    ),
    facts=("birth_date", "family_quotient", "stay_nights"),
    evaluate=evaluate,
)
