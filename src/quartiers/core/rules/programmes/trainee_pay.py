"""Rémunération des stagiaires de la formation professionnelle (décrets n° 2021-522 et 2021-672) :
le même barème sert aux écoles de la deuxième chance et à la prépa-apprentissage.

Chaque dispositif garde ses paramètres datés (`remuneration_16_17`, `remuneration_18_25`,
`remuneration_26_plus`, `remuneration_experience`) ; le calcul n'est écrit qu'ici.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from quartiers.core.fr import euros
from quartiers.core.params import DatedValue
from quartiers.core.rules.evaluation import Evaluation

UNEMPLOYMENT_KEPT = "Pas de rémunération de stagiaire : l'allocation chômage (ARE) est maintenue pendant le parcours."


def unemployment_benefit_kept(ev: Evaluation) -> bool:
    """Vrai (et noté) si la personne garde son allocation chômage : pas de rémunération alors."""
    if bool(ev.fact("receives_unemployment_benefit")):
        ev.note(UNEMPLOYMENT_KEPT)
        return True
    return False


def add_trainee_pay(
    ev: Evaluation, on: dt.date, age: int, label: str, youngest: str = "moins de 18 ans"
) -> None:
    """Ajoute la rémunération mensuelle selon l'âge, et l'expérience entre 18 et 25 ans."""
    entry: DatedValue
    if age < 18:
        entry = ev.entry("remuneration_16_17", on)
        why = f"{age} ans ({youngest})"
    elif age >= 26:
        entry = ev.entry("remuneration_26_plus", on)
        why = f"{age} ans (26 ans et plus)"
    else:
        worked = bool(ev.fact("recent_work_history"))
        experience = ev.params["remuneration_experience"]
        if worked and experience.values[0].valid_from <= on:
            entry = ev.entry("remuneration_experience", on)
            why = f"{age} ans, a déjà travaillé 6 mois sur 12 ou 12 sur 24"
        else:
            entry = ev.entry("remuneration_18_25", on)
            why = f"{age} ans (18–25 ans)"
    amount = Decimal(str(entry.value))
    ev.add_amount("remuneration", label, amount, "€/mois", f"{why} : {euros(amount)}", [entry])
