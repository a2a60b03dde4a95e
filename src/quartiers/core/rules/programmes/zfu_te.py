"""ZFU-TE : exonération d'impôt sur les bénéfices des implantations en zone franche urbaine.

Référence : ../shared/reference/dispositifs.md §20 — CGI art. 44 octies A ; prorogation
jusqu'au 31/12/2025 par la loi n° 2025-127 (LFI 2025). Le zonage ZFU-TE n'est pas le zonage
QPV : l'implantation en ZFU-TE est une réponse déclarée.
"""

from __future__ import annotations

from decimal import Decimal

from quartiers.core.fr import percent
from quartiers.core.rules.evaluation import Evaluation, Programme
from quartiers.core.rules.facts import display


def evaluate(ev: Evaluation) -> None:
    created = ev.use_key_date("establishment_date", "date d'implantation de l'établissement")
    if created is None:
        return
    ev.open_on(created, "Implantation pendant la période du dispositif (jusqu'au 31/12/2025)")
    with ev.condition("zone", "Établissement implanté en ZFU-TE", "CGI art. 44 octies A") as c:
        v = bool(ev.fact("establishment_in_zfu_te"))
        c.check(v, display("establishment_in_zfu_te", v), "hors ZFU-TE")
    ev.note(
        "L'exonération de cotisations sociales ZFU est fermée depuis le 01/01/2015 (maintenue pour les bénéficiaires antérieurs)."
    )
    if ev.has_failed():
        return
    with ev.amounts_block():
        schedule = ev.entry("taux_par_annee", created)
        year = ev.optional("tax_year")
        if year is None:
            ev.add_amount(
                "taux",
                "Exonération d'impôt sur les bénéfices (60 premiers mois)",
                Decimal(100),
                "%",
                "100 % pendant 60 mois, puis abattements de 60 %, 40 %, 20 % (indiquez l'année d'imposition pour le taux de l'année)",
                [schedule],
            )
        else:
            rank = int(year) - created.year + 1
            rates = [Decimal(str(r)) for r in schedule.value]
            rate = rates[rank - 1] if 1 <= rank <= len(rates) else Decimal(0)
            ev.add_amount(
                "taux",
                f"Exonération d'impôt sur les bénéfices pour {year}",
                rate * 100,
                "%",
                f"{rank}e année d'activité depuis l'implantation ({created.year}) : {percent(rate)}",
                [schedule],
            )


PROGRAMME = Programme(
    slug="zfu_te",
    title="Zone franche urbaine – territoire entrepreneur (ZFU-TE)",
    audiences=("structure",),
    summary="Exonération d'impôt sur les bénéfices pendant 60 mois, puis dégressive, pour les implantations en ZFU-TE jusqu'au 31/12/2025.",
    references=("CGI art. 44 octies A", "Loi n° 2023-1322, art. 73", "Loi n° 2025-127, art. 100"),
    facts=("establishment_date", "establishment_in_zfu_te", "tax_year"),
    evaluate=evaluate,
)
