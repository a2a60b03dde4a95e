"""Postes FONJEP « politique de la ville » : subvention forfaitaire par poste d'association.

Référence : ../shared/reference/dispositifs.md §16 — instruction du 08/02/2019.
"""

from __future__ import annotations

from decimal import Decimal

from quartiers.core.fr import euros, percent
from quartiers.core.rules.evaluation import Evaluation, Programme
from quartiers.core.rules.facts import display


def evaluate(ev: Evaluation) -> None:
    on = ev.on
    ev.open_on(on, "Dispositif en vigueur (instruction du 08/02/2019)")
    with ev.condition(
        "association",
        "La structure est une association",
        "maine-et-loire.gouv.fr ; Sénat a19-141-7",
    ) as c:
        org = ev.fact("organisation_type")
        c.check(org == "association", display("organisation_type", org), "réservé aux associations")
    with ev.any_of(
        "qpv",
        "Association implantée en QPV ou menant des projets pour les habitants des QPV",
        "Instruction du 08/02/2019",
    ):
        with ev.condition("implantation", "Local situé en QPV") as c:
            v, text = ev.qpv(on, "premises")
            c.check(v, text, "hors QPV")
        with ev.condition("projets", "Projets pour les habitants des QPV") as c:
            v = bool(ev.fact("serves_qpv_residents"))
            c.check(v, display("serves_qpv_residents", v), "non")
    with ev.condition(
        "salarie", "Poste occupé par un salarié permanent qualifié", "maine-et-loire.gouv.fr"
    ) as c:
        v = bool(ev.fact("qualified_permanent_employee"))
        c.check(v, display("qualified_permanent_employee", v), "pas de salarié permanent qualifié")
    with ev.condition(
        "cumul", "Pas d'autre aide à l'emploi sur le même poste", "ac-nantes.fr"
    ) as c:
        v = bool(ev.fact("other_job_aid_same_post"))
        c.check(
            not v, display("other_job_aid_same_post", v), "aide à l'emploi déjà perçue sur ce poste"
        )
    ev.note(
        "Cofinancement exigé ; poste attribué pour 3 ans, renouvelable deux fois (9 ans au plus), sur appel à manifestation d'intérêt."
    )
    if ev.has_failed():
        return
    with ev.amounts_block():
        entry = ev.entry("aide_annuelle_poste", on)
        full = Decimal(str(entry.value))
        half = bool(ev.fact("fonjep_half_post"))
        share_entry = ev.entry("part_demi_poste", on)
        share = Decimal(str(share_entry.value)) if half else Decimal(1)
        ev.add_amount(
            "aide_annuelle",
            "Subvention FONJEP annuelle",
            full * share,
            "€/an",
            f"{euros(full)} par poste × {percent(share)} = {euros(full * share)}",
            [entry, share_entry] if half else [entry],
        )


PROGRAMME = Programme(
    slug="fonjep",
    title="Poste FONJEP (politique de la ville)",
    audiences=("structure",),
    summary="Subvention annuelle forfaitaire pour le poste d'un salarié permanent qualifié d'une association agissant pour les QPV.",
    references=("Instruction du 08/02/2019", "Instruction du 19/12/2017"),
    facts=(
        "organisation_type",
        "premises_in_qpv",
        "premises_lon",
        "premises_lat",
        "serves_qpv_residents",
        "qualified_permanent_employee",
        "other_job_aid_same_post",
        "fonjep_half_post",
    ),
    evaluate=evaluate,
)
