"""Adultes-relais : poste de médiation sociale aidé par l'État (C. trav. L.5134-100 à -108).

Référence : ../shared/reference/dispositifs.md §2. Âge ≥ 26 ans depuis le 16/09/2021
(≥ 30 ans avant), sans emploi ou en contrat aidé, habitant en QPV à la date du contrat.
"""

from __future__ import annotations

from decimal import Decimal

from quartiers.core.fr import euros, percent
from quartiers.core.rules.evaluation import Evaluation, Programme
from quartiers.core.rules.facts import display


def evaluate(ev: Evaluation) -> None:
    signed = ev.use_key_date("hire_date", "date de signature du contrat")
    if signed is None:
        return
    with ev.condition("age", "Âge minimum à la signature du contrat") as c:
        minimum = int(ev.value("age_minimum", signed))
        c.label = f"Au moins {minimum} ans à la signature du contrat"
        age = ev.age(signed)
        c.check(age >= minimum, f"{age} ans", f"{age} ans, moins de {minimum} ans")
    with ev.condition(
        "situation", "Sans emploi, ou en contrat aidé (CAE, PEC) qui prend fin avant l'embauche"
    ) as c:
        status = ev.fact("employment_status")
        c.check(
            status in ev.value("situations_eligibles", signed),
            display("employment_status", status),
            "la personne occupe un emploi ou suit des études",
        )
    with ev.condition(
        "residence_qpv", "Habite en QPV à la signature du contrat", "C. trav. L.5134-102"
    ) as c:
        in_qpv, text = ev.qpv(signed)
        c.check(in_qpv, text, "ne réside pas en QPV (dérogation préfectorale possible)")
    with ev.condition("employeur", "Employeur éligible (C. trav. L.5134-100)") as c:
        org = ev.fact("organisation_type")
        c.check(
            org in ev.value("employeurs_eligibles", signed),
            display("organisation_type", org),
            "type d'employeur exclu",
        )
    with ev.condition(
        "convention", "Convention préalable signée avec l'État (préfet)", "C. trav. L.5134-101"
    ) as c:
        signed_convention = bool(ev.fact("state_convention_signed"))
        c.check(
            signed_convention,
            display("state_convention_signed", signed_convention),
            "pas de convention",
        )
    ev.note(
        "Missions de médiation sociale et culturelle en QPV, hors missions normales de l'employeur ; rémunération au moins égale au SMIC (base 35 h)."
    )
    ev.note(
        "Aide forfaitaire qui suit les revalorisations du SMIC (autrefois chaque 1er juillet) ; montants postérieurs à certaines revalorisations non trouvés (dernier montant connu, signalé « à vérifier ») ; taux exprimé différemment selon les sources (« presque 95 % du Smic », « 80 % du salaire »)."
    )
    if ev.has_failed():
        return
    with ev.amounts_block():
        entry = ev.entry("aide_annuelle_poste", signed)
        if entry.value is None:
            return
        full = Decimal(str(entry.value))
        ratio = Decimal(str(ev.fact("working_time_percent"))) / 100
        ev.add_amount(
            "aide_annuelle",
            "Aide annuelle de l'État pour le poste",
            full * ratio,
            "€/an",
            f"{euros(full)} par poste à temps plein × {percent(ratio)} = {euros(full * ratio)}",
            [entry],
        )
        duration = ev.entry("duree_convention_ans", signed)
        ev.add_amount(
            "aide_convention",
            "Aide sur la durée de la convention",
            full * ratio * int(duration.value),
            "€",
            f"{euros(full * ratio)} × {duration.value} ans (convention renouvelable) = "
            f"{euros(full * ratio * int(duration.value))}, au montant de l'année de signature",
            [entry, duration],
        )


PROGRAMME = Programme(
    slug="adultes_relais",
    title="Adultes-relais",
    audiences=("employer",),
    summary="Poste de médiateur social en QPV financé par l'État, pour une personne sans emploi habitant un QPV.",
    references=(
        "C. trav. L.5134-100 à L.5134-108, D.5134-145 à D.5134-160",
        "Décret n° 2015-1235",
        "Service-public F1019",
    ),
    facts=(
        "hire_date",
        "birth_date",
        "employment_status",
        "resides_in_qpv",
        "lon",
        "lat",
        "organisation_type",
        "state_convention_signed",
        "working_time_percent",
    ),
    evaluate=evaluate,
)
