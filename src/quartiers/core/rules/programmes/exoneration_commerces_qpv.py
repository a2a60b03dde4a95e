"""Exonérations de CFE et de TFPB des petits commerces en QPV (CGI 1466 A I septies, 1383 C ter).

Référence : ../shared/reference/dispositifs.md §19 ; prorogées jusqu'au 31/12/2025 par la
loi n° 2025-127 (LFI 2025), art. 100.
"""

from __future__ import annotations

import datetime as dt
from contextlib import suppress
from decimal import Decimal

from quartiers.core.fr import euros, percent
from quartiers.core.params import ParameterError
from quartiers.core.rules.evaluation import Evaluation, Programme
from quartiers.core.rules.facts import display


def evaluate(ev: Evaluation) -> None:
    created = ev.use_key_date(
        "establishment_date", "date de création ou d'extension de l'établissement"
    )
    if created is None:
        return
    ev.open_on(created, "Établissement créé ou étendu pendant la période (jusqu'au 31/12/2025)")
    with ev.condition(
        "commerce", "Activité commerciale immatriculée au RCS", "CGI art. 1466 A I septies"
    ) as c:
        v = bool(ev.fact("registered_rcs"))
        c.check(v, display("registered_rcs", v), "activité non commerciale")
    with ev.condition("effectif", "Petite entreprise (effectif)") as c:
        staff = int(ev.fact("company_staff"))
        limit = int(ev.value("effectif_max", created))
        c.label = f"Moins de {limit} salariés"
        c.check(staff < limit, f"{staff} salariés", f"{staff} salariés, au moins {limit}")
    with ev.condition("chiffre_affaires", "Chiffre d'affaires ou bilan sous le plafond") as c:
        turnover = Decimal(str(ev.fact("turnover")))
        limit_ca = Decimal(str(ev.value("chiffre_affaires_max", created)))
        c.label = f"Chiffre d'affaires ou bilan d'au plus {euros(limit_ca)}"
        c.check(turnover <= limit_ca, euros(turnover), f"{euros(turnover)} > {euros(limit_ca)}")
    with ev.condition("qpv", "Établissement situé en QPV", "CGI art. 1466 A I septies") as c:
        v, text = ev.qpv(created, "premises")
        c.check(v, text, "hors QPV")
    ev.note(
        "Exonération de TFPB (CGI 1383 C ter) dans les mêmes conditions ; les collectivités peuvent s'y opposer ; plafond de minimis européen."
    )
    if ev.has_failed():
        return
    with ev.amounts_block():
        year = ev.optional("tax_year")
        schedule = ev.entry("taux_cfe_par_annee", created)
        if year is None:
            ev.add_amount(
                "taux_cfe",
                "Taux d'exonération de CFE (5 premières années)",
                Decimal(100),
                "%",
                "100 % pendant 5 ans, puis 60 %, 40 %, 20 % (indiquez l'année d'imposition pour le taux de l'année)",
                [schedule],
            )
        else:
            rank = int(year) - created.year
            rates = [Decimal(str(r)) for r in schedule.value]
            rate = rates[rank - 1] if 1 <= rank <= len(rates) else Decimal(0)
            ev.add_amount(
                "taux_cfe",
                f"Taux d'exonération de CFE pour {year}",
                rate * 100,
                "%",
                f"{rank}e année d'imposition après la création ({created.year}) : {percent(rate)}",
                [schedule],
            )
        with suppress(ParameterError):
            cap = ev.params["plafond_base_nette"].entry_at(
                created if year is None else dt.date(int(year), 1, 1)
            )
            ev.note(
                f"Plafond de base nette exonérée : {euros(Decimal(str(cap.value)))} en {cap.valid_from.year} ({cap.reference}), revalorisé chaque année."
            )


PROGRAMME = Programme(
    slug="exoneration_commerces_qpv",
    title="Exonérations de CFE et de TFPB des commerces en QPV",
    audiences=("structure",),
    summary="Les petites entreprises commerciales implantées en QPV sont exonérées de CFE (5 ans, puis dégressif) et de TFPB.",
    references=("CGI art. 1466 A I septies", "CGI art. 1383 C ter", "Loi n° 2025-127, art. 100"),
    facts=(
        "establishment_date",
        "registered_rcs",
        "company_staff",
        "turnover",
        "premises_in_qpv",
        "premises_lon",
        "premises_lat",
        "tax_year",
    ),
    evaluate=evaluate,
)
