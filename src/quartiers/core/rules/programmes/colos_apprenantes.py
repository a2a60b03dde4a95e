"""Colos apprenantes : séjours aidés par l'État pour les mineurs prioritaires.

Référence : ../shared/reference/dispositifs.md §8 — instructions du 14/03/2023, du 05/02/2024
et du 03/03/2025. Aide jusqu'à 100 % du coût, 100 € par nuit au plus, séjours de 4 à 8 nuits.
"""

from __future__ import annotations

from decimal import Decimal

from quartiers.core.fr import euros
from quartiers.core.rules.evaluation import Evaluation, Programme
from quartiers.core.rules.facts import display


def evaluate(ev: Evaluation) -> None:
    on = ev.on
    ev.key_date_label = "date du séjour (date de la simulation)"
    ev.open_on(on, "Dispositif en vigueur")
    with ev.condition("age", "Mineur d'au moins 3 ans") as c:
        low, high = int(ev.value("age_minimum", on)), int(ev.value("age_maximum", on))
        age = ev.age(on)
        c.check(low <= age <= high, f"{age} ans", f"{age} ans, hors de {low}–{high} ans")
    with ev.any_of(
        "public",
        "Public prioritaire pour l'aide de l'État (un critère suffit)",
        "Instruction du 03/03/2025 (resocolo.org)",
    ):
        with ev.condition("handicap", "Enfant en situation de handicap") as c:
            v = bool(ev.fact("disability_recognised"))
            c.check(v, display("disability_recognised", v), "non")
        with ev.condition("ase", "Enfant confié à l'aide sociale à l'enfance") as c:
            v = bool(ev.fact("in_child_welfare"))
            c.check(v, display("in_child_welfare", v), "non")
        with ev.condition("qpv", "Habite en QPV") as c:
            v, text = ev.qpv(on)
            c.check(v, text, "hors QPV")
        with ev.condition("zrr", "Habite en zone de revitalisation rurale (ZRR)") as c:
            v, text = ev.zoning("zrr", on, "lives_in_zrr")
            c.check(v, text, text if text.startswith("non") else f"hors ZRR : {text}")
        with ev.condition("qf", "Quotient familial inférieur à 1 500 €") as c:
            ceiling = Decimal(str(ev.value("quotient_familial_plafond", on)))
            qf = Decimal(str(ev.fact("family_quotient")))
            c.check(qf < ceiling, f"{euros(qf)}", f"{euros(qf)} ≥ {euros(ceiling)}")
    nights = ev.optional("stay_nights")
    if nights is not None:
        with ev.condition(
            "duree_sejour",
            "Séjour d'au moins 4 nuits",
            "Instruction du 03/03/2025 (SPOV2506148J) ; ac-versailles.fr (« durée minimale de 4 nuits / 5 jours »)",
        ) as c:
            low = int(ev.value("nuits_minimum", on))
            c.check(
                int(nights) >= low,
                f"{nights} nuit{'s' if int(nights) > 1 else ''}",
                f"séjour de {nights} nuit{'s' if int(nights) > 1 else ''} : l'aide de l'État n'est "
                f"ouverte qu'aux séjours d'au moins {low} nuits",
            )
    ev.note(
        "Ouvert à tous les enfants ; les non-prioritaires sont encouragés à participer (mixité sociale), sans aide de l'État. Quota d'enfants de QPV : aucun connu (à vérifier)."
    )
    if ev.has_failed():
        return
    with ev.amounts_block():
        per_night = ev.entry("plafond_par_nuit", on)
        low_n, high_n = ev.entry("nuits_minimum", on), ev.entry("nuits_maximum", on)
        rate = Decimal(str(per_night.value))
        nights = ev.optional("stay_nights")
        cost = ev.optional("stay_cost")
        if nights is None or cost is None:
            ev.add_amount(
                "aide_maximale",
                "Aide maximale de l'État pour un séjour",
                rate * int(high_n.value),
                "€",
                f"{euros(rate)} par nuit × {low_n.value} à {high_n.value} nuits = {euros(rate * int(low_n.value))} à {euros(rate * int(high_n.value))} (indiquez le séjour pour un montant exact)",
                [per_night, low_n, high_n],
            )
            return
        counted = min(int(nights), int(high_n.value))
        if int(nights) > counted:
            ev.note(
                f"Séjour de {nights} nuits : l'aide de l'État est limitée à {high_n.value} nuits."
            )
        cap = rate * counted
        aid = min(Decimal(str(cost)), cap)
        ev.add_amount(
            "aide_sejour",
            "Aide de l'État pour ce séjour",
            aid,
            "€",
            f"min(coût {euros(Decimal(str(cost)))} ; {euros(rate)} × {counted} nuits = {euros(cap)}) = {euros(aid)}",
            [per_night, low_n, high_n],
        )


PROGRAMME = Programme(
    slug="colos_apprenantes",
    title="Colos apprenantes",
    audiences=("person",),
    summary="Séjours de vacances labellisés ; l'État prend en charge jusqu'à 100 € par nuit pour les enfants prioritaires.",
    references=(
        "Instruction du 05/02/2024 (MENV2403088J)",
        "Instruction du 03/03/2025 (SPOV2506148J)",
    ),
    facts=(
        "birth_date",
        "disability_recognised",
        "in_child_welfare",
        "resides_in_qpv",
        "lon",
        "lat",
        "lives_in_zrr",
        "family_quotient",
        "stay_nights",
        "stay_cost",
    ),
    evaluate=evaluate,
)
