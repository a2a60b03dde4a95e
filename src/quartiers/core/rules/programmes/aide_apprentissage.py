"""Aide à l'embauche d'un apprenti (employeur, aide non spécifique aux QPV).

Référence : ../shared/reference/dispositifs.md §13 — décrets n° 2022-1714, 2023-1354,
2025-174 ; C. trav. D.6243-1 et D.6243-2 ; règles 2026 en attente de décret (à vérifier).
"""

from __future__ import annotations

from decimal import Decimal

from quartiers.core.fr import euros
from quartiers.core.rules.evaluation import Evaluation, Programme
from quartiers.core.rules.facts import display


def evaluate(ev: Evaluation) -> None:
    signed = ev.use_key_date("hire_date", "date de conclusion du contrat d'apprentissage")
    if signed is None:
        return
    ev.open_on(signed, "Contrat conclu pendant une période d'aide connue (depuis le 01/01/2023)")
    if ev.has_failed():
        return
    with ev.condition("contrat", "Contrat d'apprentissage") as c:
        kind = ev.fact("contract_type")
        c.check(
            kind == "apprenticeship",
            display("contract_type", kind),
            "pas un contrat d'apprentissage",
        )
    large = False
    with ev.condition("taille", "Taille de l'entreprise admise à cette date") as c:
        staff = int(ev.fact("company_staff"))
        threshold = int(ev.value("seuil_effectif", signed))
        large = staff >= threshold
        key = "montant_250_et_plus" if large else "montant_moins_250"
        entry = ev.entry(key, signed)
        size = f"{staff} salariés ({'≥' if large else '<'} {threshold})"
        if entry.value is None:
            c.fail(
                f"aide fermée aux entreprises de {threshold} salariés ou plus à cette date", size
            )
        else:
            c.ok(size)
    with ev.condition("niveau", "Niveau du diplôme préparé admis") as c:
        level = int(ev.fact("apprentice_diploma_level"))
        maximum = int(
            ev.value("niveau_max_250_et_plus" if large else "niveau_max_moins_250", signed)
        )
        c.check(level <= maximum, f"niveau {level}", f"niveau {level} au-delà du niveau {maximum}")
    if large:
        with ev.condition("quota", "Quota d'alternants atteint (250 salariés ou plus)") as c:
            quota = bool(ev.fact("workstudy_quota_met"))
            c.check(quota, display("workstudy_quota_met", quota), "quota d'alternants non atteint")
    ev.note(
        "Aide de la 1re année du contrat, versée chaque mois par l'ASP ; contrat transmis à l'OPCO dans les 6 mois."
    )
    if ev.has_failed():
        return
    with ev.amounts_block():
        disabled = bool(ev.fact("disability_recognised"))
        key = "montant_250_et_plus" if large else "montant_moins_250"
        entry = ev.entry(key, signed)
        amount = Decimal(str(entry.value))
        entries = [entry]
        text = f"{euros(amount)} ({'250 salariés ou plus' if large else 'moins de 250 salariés'})"
        if disabled and (not large or bool(ev.value("handicap_toute_taille", signed))):
            h = ev.entry("montant_handicap", signed)
            amount = max(amount, Decimal(str(h.value)))
            entries.append(h)
            text = f"apprenti en situation de handicap (RQTH) : {euros(amount)}"
        ev.add_amount(
            "aide_premiere_annee", "Aide pour la 1re année du contrat", amount, "€", text, entries
        )


PROGRAMME = Programme(
    slug="aide_apprentissage",
    title="Aide à l'embauche d'un apprenti",
    audiences=("employer",),
    summary="Aide de l'État pour la première année d'un contrat d'apprentissage, selon la date et la taille de l'entreprise.",
    references=("Décret n° 2022-1714", "Décret n° 2023-1354", "Décret n° 2025-174 du 22/02/2025"),
    facts=(
        "hire_date",
        "contract_type",
        "company_staff",
        "apprentice_diploma_level",
        "workstudy_quota_met",
        "disability_recognised",
    ),
    evaluate=evaluate,
)
