"""ZFU-TE : exonération d'impôt sur les bénéfices des implantations en zone franche urbaine.

Référence : ../shared/reference/dispositifs.md §20 — CGI art. 44 octies A ; prorogation
jusqu'au 31/12/2025 par la loi n° 2025-127 (LFI 2025). Le zonage ZFU-TE n'est pas le zonage
QPV : l'implantation en ZFU-TE se lit sur le local (`premises_lon`, `premises_lat`) dans la
liste ZFU-TE en vigueur à la date d'implantation, ou est une réponse déclarée.
"""

from __future__ import annotations

from decimal import Decimal

from quartiers.core.fr import euros, percent
from quartiers.core.rules.evaluation import Evaluation, Programme
from quartiers.core.rules.facts import display


def evaluate(ev: Evaluation) -> None:
    created = ev.use_key_date("establishment_date", "date d'implantation de l'établissement")
    if created is None:
        return
    ev.open_on(created, "Implantation pendant la période du dispositif (jusqu'au 31/12/2025)")
    with ev.condition("zone", "Établissement implanté en ZFU-TE", "CGI art. 44 octies A") as c:
        v, text = ev.zoning("zfu_te", created, "establishment_in_zfu_te", "premises")
        c.check(v, text, "hors ZFU-TE" if text.startswith("non") else text)
    with ev.condition("effectif", "Au plus 50 salariés", "CGI art. 44 octies A, I") as c:
        staff = int(ev.fact("company_staff"))
        limit = int(ev.value("effectif_max", created))
        c.label = f"Au plus {limit} salariés"
        c.check(staff <= limit, f"{staff} salariés", f"{staff} salariés, plus de {limit}")
    with ev.any_of(
        "taille_financiere",
        "Chiffre d'affaires ou total de bilan d'au plus 10 000 000 €",
        "CGI art. 44 octies A, I",
    ):
        with ev.condition("chiffre_affaires", "Chiffre d'affaires hors taxes") as c:
            cap = Decimal(str(ev.value("chiffre_affaires_ou_bilan_max", created)))
            turnover = Decimal(str(ev.fact("turnover")))
            c.check(turnover <= cap, euros(turnover), f"{euros(turnover)} > {euros(cap)}")
        with ev.condition("bilan", "Total du bilan") as c:
            cap = Decimal(str(ev.value("chiffre_affaires_ou_bilan_max", created)))
            total = Decimal(str(ev.fact("balance_sheet_total")))
            c.check(total <= cap, euros(total), f"{euros(total)} > {euros(cap)}")
    with ev.condition(
        "embauche_locale",
        "Clause d'embauche locale (à partir du 2e salarié)",
        "CGI art. 44 octies A ; BOI-BIC-CHAMP-80-10-30",
    ) as c:
        staff = int(ev.fact("company_staff"))
        start = int(ev.value("embauche_locale_a_partir_de", created))
        if staff < start:
            c.ok(f"{staff} salarié{'s' if staff > 1 else ''} : clause non applicable")
        else:
            met = bool(ev.fact("zfu_local_hiring_met"))
            c.check(
                met,
                display("zfu_local_hiring_met", met),
                "moins de la moitié des salariés habitent une ZFU-TE ou un QPV de l'unité urbaine",
            )
    ev.note(
        "L'exonération de cotisations sociales ZFU est fermée depuis le 01/01/2015 (maintenue pour les bénéficiaires antérieurs)."
    )
    ev.note(
        "Non vérifié ici : capital détenu à moins de 25 % par de grandes entreprises, activité exercée en zone (CGI art. 44 octies A) ; plafond européen de minimis."
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
        cap_entry = ev.entry("plafond_benefice", created)
        cap = Decimal(str(cap_entry.value))
        entries = [cap_entry]
        text = f"{euros(cap)} par période de 12 mois"
        hires = ev.optional("zfu_new_local_hires")
        if hires:
            bonus = ev.entry("majoration_par_salarie", created)
            entries.append(bonus)
            cap += Decimal(str(bonus.value)) * int(hires)
            text += f" + {euros(Decimal(str(bonus.value)))} × {hires} nouveau{'x' if int(hires) > 1 else ''} salarié{'s' if int(hires) > 1 else ''} = {euros(cap)}"
        elif hires is None:
            text += " (majoré pour chaque nouveau salarié habitant une ZFU-TE ou un QPV, embauché à temps plein au moins 6 mois)"
        ev.add_amount(
            "plafond_benefice",
            "Bénéfice exonéré au plus (par période de 12 mois)",
            cap,
            "€",
            text,
            entries,
        )
        profit = ev.optional("taxable_profit")
        if profit is not None and year is not None:
            base = max(Decimal(str(profit)), Decimal(0))
            exempt = min(base * rate, cap)
            ev.add_amount(
                "benefice_exonere",
                f"Bénéfice exonéré pour {year}",
                exempt,
                "€",
                f"min({euros(base)} × {percent(rate)} ; plafond {euros(cap)}) = {euros(exempt)}",
                [schedule, *entries],
            )


PROGRAMME = Programme(
    slug="zfu_te",
    title="Zone franche urbaine – territoire entrepreneur (ZFU-TE)",
    audiences=("structure",),
    summary="Exonération d'impôt sur les bénéfices pendant 60 mois, puis dégressive, pour les implantations en ZFU-TE jusqu'au 31/12/2025.",
    references=("CGI art. 44 octies A", "Loi n° 2023-1322, art. 73", "Loi n° 2025-127, art. 100"),
    facts=(
        "establishment_date",
        "establishment_in_zfu_te",
        "premises_lon",
        "premises_lat",
        "company_staff",
        "turnover",
        "balance_sheet_total",
        "zfu_local_hiring_met",
        "zfu_new_local_hires",
        "tax_year",
        "taxable_profit",
    ),
    evaluate=evaluate,
)
