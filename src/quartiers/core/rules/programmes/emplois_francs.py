"""Emplois francs : aide à l'embauche d'un habitant de QPV (côté employeur).

Référence : ../shared/reference/dispositifs.md §1 — décrets n° 2018-230, 2019-365, 2019-1471,
2020-1278, 2021-94 et 2021-363 ; service-public F34547 (2020). Fermé aux contrats signés après le
31/12/2024 (loi n° 2025-127, LFI 2025).
"""

from __future__ import annotations

import datetime as dt
from contextlib import suppress
from decimal import Decimal

from quartiers.core.fr import CENT, euros, percent
from quartiers.core.params import ParameterError
from quartiers.core.rules.evaluation import Evaluation, MissingFact, Programme
from quartiers.core.rules.facts import display
from quartiers.core.rules.programmes.dates import add_months

SLUG = "emplois_francs"


def evaluate(ev: Evaluation) -> None:
    hire = ev.use_key_date("hire_date", "date de signature du contrat")
    if hire is None:
        return
    ev.open_on(hire, "Contrat signé pendant la période du dispositif (au plus tard le 31/12/2024)")
    with ev.condition(
        "residence_qpv",
        "Le salarié habite en QPV à la date de signature",
        "Décret n° 2018-230, art. 2",
    ) as c:
        in_qpv, text = ev.qpv(hire)
        c.check(in_qpv, text, "le salarié n'habite pas en QPV à la signature")
    try:
        experiment = bool(ev.value("liste_experimentale", hire))
    except ParameterError:  # avant le 01/04/2018 : la période a déjà échoué
        experiment = False
    if experiment:
        with ev.condition(
            "liste_experimentale", "Le QPV fait partie de la liste de l'expérimentation"
        ) as c:
            ev.entry("liste_experimentale", hire)
            listed = bool(ev.fact("qpv_in_experiment_list"))
            c.check(listed, display("qpv_in_experiment_list", listed), "QPV hors expérimentation")
    with ev.condition(
        "situation",
        "Demandeur d'emploi (catégories 1, 2, 3, 6, 7, 8), adhérent CSP ou jeune suivi par "
        "une mission locale",
        "Décret n° 2018-230 consolidé",
    ) as c:
        status = ev.fact("employment_status")
        shown = display("employment_status", status)
        if status == "jobseeker":
            category = ev.fact("jobseeker_category")
            allowed = ev.value("categories_demandeur_emploi", hire)
            c.check(
                category in allowed,
                f"{shown}, catégorie {category}",
                f"catégorie {category} non éligible",
            )
        elif status == "csp":
            c.check(bool(ev.value("csp_eligible", hire)), shown, "CSP non éligible à cette date")
        else:
            c.check(status == "mission_locale_youth", shown, f"situation « {shown} » non éligible")
    with ev.condition(
        "contrat", "CDI, ou CDD d'au moins 6 mois (hors apprentissage)", "travail-emploi Q&R"
    ) as c:
        kind = ev.fact("contract_type")
        if kind == "cdi":
            c.ok("CDI")
        elif kind == "cdd":
            months = ev.fact("contract_months")
            minimum = ev.value("duree_cdd_minimum_mois", hire)
            c.check(months >= minimum, f"CDD de {months} mois", f"CDD de moins de {minimum} mois")
        else:
            c.fail(f"contrat « {display('contract_type', kind)} » exclu", "")
    with ev.condition("employeur", "Employeur éligible (C. trav. L.5134-66)") as c:
        org = ev.fact("organisation_type")
        c.check(
            org in ev.value("employeurs_eligibles", hire),
            display("organisation_type", org),
            "type d'employeur exclu",
        )
    for key, fact, expected, label in (
        (
            "obligations",
            "employer_obligations_up_to_date",
            True,
            "Employeur à jour de ses obligations fiscales et sociales",
        ),
        (
            "licenciement",
            "economic_dismissal_last_6_months",
            False,
            "Aucun licenciement économique sur le poste dans les 6 mois précédents",
        ),
        (
            "effectif",
            "employee_on_staff_last_6_months",
            False,
            "Salarié absent de l'effectif dans les 6 mois précédents",
        ),
        (
            "cumul",
            "other_state_aid_same_employee",
            False,
            "Pas d'autre aide de l'État à l'insertion pour ce salarié",
        ),
    ):
        with ev.condition(key, label, "Décret n° 2018-230, art. 5") as c:
            answer = bool(ev.fact(fact))
            c.check(answer is expected, display(fact, answer), "condition employeur non remplie")
    ev.note(
        "La résidence et la situation s'apprécient à la signature : un déménagement ultérieur ne fait pas perdre l'aide (décret n° 2018-230, art. 2)."
    )
    ev.note(
        "Le salarié doit rester au moins 6 mois dans l'effectif ; l'aide n'est pas versée pendant l'activité partielle."
    )
    with suppress(ParameterError):
        delay = ev.params["delai_demande_mois"].entry_at(hire)
        ev.note(
            f"Demande à déposer dans les {delay.value} mois suivant la signature ({delay.reference}) — cerfa 16035."
        )
    if ev.has_failed():
        return
    with ev.amounts_block():
        _amounts(ev, hire)


def _amounts(ev: Evaluation, hire: dt.date) -> None:
    kind = ev.fact("contract_type")
    ratio = Decimal(str(ev.fact("working_time_percent"))) / 100
    is_cdi = kind == "cdi"
    yearly_entry = ev.entry("montant_cdi" if is_cdi else "montant_cdd", hire)
    yearly = Decimal(str(yearly_entry.value))
    entries = [yearly_entry]
    if is_cdi:
        max_months = int(ev.value("duree_cdi_mois", hire))
    else:
        max_months = min(int(ev.value("duree_cdd_mois", hire)), int(ev.fact("contract_months")))
    entries.append(ev.entry("duree_cdi_mois" if is_cdi else "duree_cdd_mois", hire))
    first_year = yearly
    plus_key = "efplus_montant_cdi_annee_1" if is_cdi else "efplus_montant_cdd_annee_1"
    plus = ev.params[plus_key]
    if plus.values[0].valid_from <= hire and plus.entry_at(hire).value is not None:
        limit = ev.entry("efplus_age_limite", hire)
        if ratio == 1 and ev.age(hire) < int(limit.value):
            entry = ev.entry(plus_key, hire)
            first_year = Decimal(str(entry.value))
            entries += [entry, limit]
            ev.note(
                f"Emploi franc+ : salarié de moins de {limit.value} ans à temps plein, contrat signé entre le 15/10/2020 et le 31/05/2021."
            )
        elif ratio != 1:
            ev.note("Emploi franc+ non applicable : réservé aux contrats à temps plein.")
    planned_end = add_months(hire, max_months)
    end = planned_end
    early = ev.optional("contract_end_date")
    if early is not None:
        if early <= hire:
            raise MissingFact(("contract_end_date",), "date de fin antérieure à la signature")
        end = min(early, planned_end)
    minimum_entry = ev.entry("versement_minimum", hire)
    minimum = Decimal(str(minimum_entry.value))
    entries.append(minimum_entry)
    total = Decimal(0)
    groups: list[list[object]] = []  # [premier, dernier, taux, part, versement]
    k = 0
    half = ratio / 2
    while True:
        start = add_months(hire, 6 * k)
        if start >= end:
            break
        full_end = add_months(hire, 6 * (k + 1))
        rate = first_year if k < 2 else yearly
        if full_end <= end:
            share = Decimal(1)
            payment = (rate * half).quantize(CENT)
        else:
            share = Decimal((end - start).days) / Decimal((full_end - start).days)
            payment = (rate * half * share).quantize(CENT)
        if payment < minimum:
            payment = Decimal(0)
        last = groups[-1] if groups else None
        if last is not None and last[2] == rate and last[3] == share == 1:
            last[1] = k + 1
            last[4] = payment
        else:
            groups.append([k + 1, k + 1, rate, share, payment])
        total += payment
        k += 1
    lines = []
    for group in groups:
        first, last_k, g_rate, g_share, g_payment = group
        assert isinstance(g_rate, Decimal) and isinstance(g_share, Decimal)
        assert isinstance(g_payment, Decimal)
        rate, share, payment = g_rate, g_share, g_payment
        count = int(str(last_k)) - int(str(first)) + 1
        which = f"semestre {first}" if count == 1 else f"semestres {first} à {last_k}"
        text = f"{which} : {euros(rate)} × {percent(ratio)} ÷ 2"
        if share != 1:
            text += f" × {(share * 100).quantize(Decimal('0.1'))} % de la période travaillée"
        raw = (rate * half * share).quantize(CENT)
        if payment == 0 and raw > 0:
            text += f" = {euros(raw)} < {euros(minimum)} : pas de versement"
        else:
            text += f" = {euros(payment)}" + (f" (× {count})" if count > 1 else "")
        lines.append(text)
    ev.add_amount(
        "aide_annuelle",
        "Aide de la première année",
        first_year * ratio,
        "€/an",
        f"{euros(first_year)} × {percent(ratio)} de temps de travail = {euros(first_year * ratio)}",
        entries[:1]
        + ([e for e in entries if e.value == first_year] if first_year != yearly else []),
    )
    ev.add_amount(
        "aide_totale",
        "Aide totale sur la durée" + (" (fin anticipée)" if end < planned_end else ""),
        total,
        "€",
        " ; ".join(lines) + f" — total {euros(total)}",
        entries,
    )


PROGRAMME = Programme(
    slug=SLUG,
    title="Emplois francs",
    audiences=("employer",),
    summary="Aide de l'État à l'employeur qui embauche un habitant de QPV en CDI ou en CDD d'au moins 6 mois.",
    references=(
        "Décret n° 2018-230 du 30 mars 2018",
        "Décret n° 2019-1471 du 26 décembre 2019",
        "Décret n° 2020-1278 du 21 octobre 2020 (emploi franc+)",
        "Loi n° 2025-127 du 14 février 2025 (non-reconduction)",
    ),
    facts=(
        "hire_date",
        "resides_in_qpv",
        "lon",
        "lat",
        "qpv_in_experiment_list",
        "employment_status",
        "jobseeker_category",
        "contract_type",
        "contract_months",
        "organisation_type",
        "employer_obligations_up_to_date",
        "economic_dismissal_last_6_months",
        "employee_on_staff_last_6_months",
        "other_state_aid_same_employee",
        "working_time_percent",
        "contract_end_date",
        "birth_date",
    ),
    evaluate=evaluate,
    status="Fermé aux contrats signés après le 31/12/2024 ; les versements continuent pour les contrats antérieurs.",
)
