"""Abattement de 30 % de TFPB sur les logements sociaux en QPV (CGI art. 1388 bis).

Référence : ../shared/reference/dispositifs.md §19 ; régime 2016–2024 (rédaction de la loi
n° 2014-1654) puis 2025–2030 (loi n° 2023-1322) ; BOFiP 4844-PGP. Situation appréciée au 1er janvier de
l'année d'imposition, avec la liste des QPV en vigueur ce jour-là.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from quartiers.core.fr import euros, percent
from quartiers.core.rules.evaluation import Evaluation, Programme
from quartiers.core.rules.facts import display


def evaluate(ev: Evaluation) -> None:
    year = ev.optional("tax_year")
    if year is None:
        ev.use_key_date("tax_year", "1er janvier de l'année d'imposition")
        return
    on = dt.date(int(year), 1, 1)
    ev.key_date, ev.key_date_label = on, "1er janvier de l'année d'imposition"
    ev.open_on(on, "Année d'imposition 2016 à 2030", param="taux")
    with ev.condition("bailleur", "Organisme HLM ou SEM propriétaire") as c:
        org = ev.fact("organisation_type")
        c.check(
            org in ev.value("bailleurs_eligibles", on),
            display("organisation_type", org),
            "propriétaire non éligible",
        )
    with ev.condition(
        "logements",
        "Logements sociaux loués, à l'issue de leur longue exonération",
        "CGI art. 1388 bis",
    ) as c:
        v = bool(ev.fact("social_rented_housing"))
        c.check(v, display("social_rented_housing", v), "logements non concernés")
    with ev.condition("qpv", "Logements situés en QPV au 1er janvier", "CGI art. 1388 bis") as c:
        v, text = ev.qpv(on, "premises")
        c.check(v, text, "hors QPV")
    with ev.condition(
        "contrat_de_ville",
        "Contrat de ville (et, depuis 2017, convention de gestion) signés au 1er janvier"
        if int(year) >= 2017
        else "Contrat de ville signé avant l'année d'imposition",
        "CGI art. 1388 bis ; BOFiP 4844-PGP",
    ) as c:
        v = bool(ev.fact("city_contract_signed"))
        c.check(v, display("city_contract_signed", v), "contrat de ville ou convention non signés")
    if ev.has_failed():
        return
    with ev.amounts_block():
        entry = ev.entry("taux", on)
        rate = Decimal(str(entry.value))
        base = ev.optional("tfpb_base")
        if base is None:
            ev.add_amount(
                "taux",
                "Taux d'abattement sur la base de TFPB",
                rate * 100,
                "%",
                f"abattement de {percent(rate)} de la base d'imposition",
                [entry],
            )
        else:
            b = Decimal(str(base))
            ev.add_amount(
                "abattement",
                "Abattement sur la base de TFPB",
                b * rate,
                "€",
                f"{euros(b)} × {percent(rate)} = {euros(b * rate)}",
                [entry],
            )


PROGRAMME = Programme(
    slug="tfpb_abattement",
    title="Abattement de 30 % de taxe foncière (TFPB) des logements sociaux en QPV",
    audiences=("structure",),
    summary="Les bailleurs sociaux signataires du contrat de ville bénéficient d'un abattement de 30 % de TFPB en contrepartie d'actions de gestion.",
    references=("CGI art. 1388 bis", "BOFiP 4844-PGP"),
    facts=(
        "tax_year",
        "organisation_type",
        "social_rented_housing",
        "premises_in_qpv",
        "premises_lon",
        "premises_lat",
        "city_contract_signed",
        "tfpb_base",
    ),
    evaluate=evaluate,
)
