"""Parrainage vers l'emploi : un professionnel bénévole accompagne, jusqu'à six mois environ, une
personne des quartiers ou peu qualifiée qui cherche un emploi (réseau, codes de l'entreprise).

Référence : présentation de l'État (« Le rôle du parrainage ») ; ../shared/reference/dispositifs.md
§7 (instruction du 08/03/2016). Gratuit pour la personne : aucun montant ne lui est versé, l'État
finance la structure (au plus 305 € par personne parrainée, à vérifier).
"""

from __future__ import annotations

from quartiers.core.fr import euros
from quartiers.core.rules.evaluation import Evaluation, Programme
from quartiers.core.rules.facts import JOBLESS, display


def evaluate(ev: Evaluation) -> None:
    on = ev.on
    ev.open_on(on, "Parrainage en vigueur")
    with ev.condition("situation", "À la recherche d'un emploi") as c:
        status = ev.fact("employment_status")
        c.check(
            status in JOBLESS,
            display("employment_status", status),
            "en emploi, en études ou en formation",
        )
    ref = "Instruction du 08/03/2016"
    with ev.any_of("public", "Public du parrainage (un critère suffit)", ref):
        with ev.condition("qpv", "Habite en QPV") as c:
            v, text = ev.qpv(on)
            c.check(v, text, "hors QPV")
        with ev.condition("peu_qualifie", "Peu qualifié (au plus le bac)") as c:
            level = ev.fact("diploma_level")
            c.check(
                level in ev.value("diplome_maximum", on),
                display("diploma_level", level),
                "diplôme de l'enseignement supérieur",
            )
    if ev.has_failed():
        return
    funding = ev.money("financement_par_personne", on)
    ev.note(
        "Gratuit pour la personne : rien ne lui est versé. L'État finance la structure qui porte "
        f"le parrainage (au plus {euros(funding)} par personne parrainée)."
    )


PROGRAMME = Programme(
    slug="parrainage",
    title="Parrainage vers l'emploi",
    audiences=("person",),
    summary="Un professionnel bénévole accompagne vers l'emploi les habitants des QPV et les demandeurs d'emploi peu qualifiés.",
    references=("Instruction du 08/03/2016 relative au parrainage",),
    facts=("employment_status", "resides_in_qpv", "lon", "lat", "diploma_level"),
    evaluate=evaluate,
)
