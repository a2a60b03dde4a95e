"""Cordées de la réussite : tutorat entre une « tête de cordée » et des établissements encordés.

Référence : ../shared/reference/dispositifs.md §11. « Encordé » désigne les établissements ;
les élèves prioritaires sont ceux de l'éducation prioritaire, des QPV, des établissements
ruraux ou isolés et des voies professionnelle et technologique.
"""

from __future__ import annotations

from quartiers.core.rules.evaluation import Evaluation, Programme
from quartiers.core.rules.facts import display


def evaluate(ev: Evaluation) -> None:
    on = ev.on
    ev.open_on(on, "Dispositif en vigueur (version fusionnée de septembre 2020)")
    with ev.condition("niveau", "Élève de la 4e à la première année après le bac") as c:
        level = ev.fact("school_level")
        c.check(
            level in ev.value("niveaux", on),
            display("school_level", level),
            "niveau hors de la 4e à bac+1",
        )
    ref = "enseignementsup-recherche.gouv.fr (2021) ; ANCT"
    with ev.any_of("prioritaire", "Élève prioritaire (un critère suffit)", ref):
        with ev.condition("education_prioritaire", "Scolarisé en éducation prioritaire") as c:
            v = bool(ev.fact("school_in_priority_education"))
            c.check(v, display("school_in_priority_education", v), "non")
        with ev.condition("qpv", "Habite en QPV") as c:
            v, text = ev.qpv(on)
            c.check(v, text, "hors QPV")
        with ev.condition("rural", "Collège ou lycée rural ou isolé") as c:
            v = bool(ev.fact("school_rural_isolated"))
            c.check(v, display("school_rural_isolated", v), "non")
        with ev.condition("voie_pro", "Lycée professionnel ou technologique") as c:
            v = bool(ev.fact("vocational_or_technological_track"))
            c.check(v, display("vocational_or_technological_track", v), "non")
    ev.note(
        "L'élève participe par son établissement « encordé » (collège, lycée) avec une tête de cordée (enseignement supérieur, lycée à CPGE/STS)."
    )


PROGRAMME = Programme(
    slug="cordees_reussite",
    title="Cordées de la réussite",
    audiences=("person",),
    summary="Accompagnement vers l'enseignement supérieur, de la 4e à bac+1, pour les élèves prioritaires.",
    references=("enseignementsup-recherche.gouv.fr (2021)", "ANCT (2022)"),
    facts=(
        "school_level",
        "school_in_priority_education",
        "resides_in_qpv",
        "lon",
        "lat",
        "school_rural_isolated",
        "vocational_or_technological_track",
    ),
    evaluate=evaluate,
)
