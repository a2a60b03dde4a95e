"""L'évaluation d'un dispositif à une date, avec ses conditions, ses montants et leurs sources.

Un dispositif (`Programme`) est une fonction qui lit des faits et des paramètres datés dans
des blocs `with ev.condition(...)` : chaque bloc devient un nœud de l'arbre d'explication
(condition remplie ou non, valeur retenue, référence juridique). Un fait absent lève
`MissingFact`, que le bloc attrape : la condition est « inconnue » et le fait est nommé,
jamais supposé. Le résultat (`ProgrammeResult`, verdict compris) est décrit dans
`quartiers.core.rules.results`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from types import TracebackType
from typing import Any

from quartiers.core.fr import CENT
from quartiers.core.fr import date as fr_date
from quartiers.core.geo.zoning import ZoningUnavailable
from quartiers.core.geo.zonings import KIND_LABELS
from quartiers.core.params import DatedValue, Parameter, ParameterError, ParameterSet
from quartiers.core.rules.facts import FACT_BY_NAME, QPV_FACTS
from quartiers.core.rules.qpv import QpvResolver, ZoningResolver
from quartiers.core.rules.results import (
    Amount,
    ConditionResult,
    ProgrammeResult,
    Status,
    Verdict,
)


class _Stop(Exception):
    """Arrêt au premier échec (mode lot : seul le verdict compte, pas l'explication complète)."""


class MissingFact(Exception):
    """Un fait nécessaire manque (ou la géographie ne peut pas répondre)."""

    def __init__(self, names: Sequence[str], reason: str = "") -> None:
        super().__init__(", ".join(names))
        self.names = tuple(names)
        self.reason = reason


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


EvaluateFn = Callable[["Evaluation"], None]


@dataclass(frozen=True)
class Programme:
    slug: str
    title: str
    audiences: tuple[str, ...]
    summary: str
    references: tuple[str, ...]
    facts: tuple[str, ...]
    evaluate: EvaluateFn
    status: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "title": self.title,
            "audiences": list(self.audiences),
            "summary": self.summary,
            "status": self.status,
            "references": list(self.references),
            "facts": [FACT_BY_NAME[f].as_dict() for f in self.facts],
        }


class _Block:
    """Un nœud de condition en cours d'évaluation (gestionnaire de contexte)."""

    __slots__ = (
        "any_of",
        "children",
        "ev",
        "key",
        "label",
        "met",
        "reason",
        "reference",
        "to_check",
        "value",
    )

    def __init__(self, ev: Evaluation, key: str, label: str, reference: str, any_of: bool) -> None:
        self.ev = ev
        self.key = key
        self.label = label
        self.reference = reference
        self.any_of = any_of
        self.met: bool | None = None
        self.value = ""
        self.reason = ""
        self.to_check = False
        self.children: list[ConditionResult] = []

    def __enter__(self) -> _Block:
        self.ev._blocks.append(self)
        return self

    def ok(self, value: str = "") -> None:
        self.met = True
        if value:
            self.value = value

    def fail(self, reason: str, value: str = "") -> None:
        self.met = False
        self.reason = reason
        if value:
            self.value = value

    def check(self, met: bool, value: str = "", reason: str = "") -> None:
        self.met = met
        if value:
            self.value = value
        if not met:
            self.reason = reason

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        ev = self.ev
        ev._blocks.pop()
        missing: tuple[str, ...] = ()
        status: Status
        children = self.children
        if exc is None:
            if self.any_of:
                statuses = {c.status for c in children}
                if Status.MET in statuses:
                    status = Status.MET
                elif Status.UNKNOWN in statuses:
                    status = Status.UNKNOWN
                    missing = tuple(n for c in children for n in c.missing)
                else:
                    status = Status.NOT_MET
            elif self.met is None:
                raise RuntimeError(f"condition « {self.key} » sans résultat")
            else:
                status = Status.MET if self.met else Status.NOT_MET
        elif isinstance(exc, MissingFact):
            status, missing, self.reason = Status.UNKNOWN, exc.names, exc.reason
        elif isinstance(exc, ParameterError):
            status, self.reason = Status.NOT_MET, str(exc)
        else:
            return False
        to_check = self.to_check
        if children and not to_check:
            to_check = any(c.to_check for c in children)
        result = ConditionResult(
            self.key,
            self.label,
            status,
            self.value,
            self.reference,
            self.reason,
            missing,
            to_check,
            children,
        )
        if ev._blocks:
            ev._blocks[-1].children.append(result)
        else:
            ev.conditions.append(result)
            if ev.stop_on_failure and status is Status.NOT_MET:
                raise _Stop
        return True


class _AmountsBlock:
    def __init__(self, ev: Evaluation) -> None:
        self.ev = ev

    def __enter__(self) -> _AmountsBlock:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        if isinstance(exc, MissingFact):
            self.ev._missing_amount_facts.extend(exc.names)
            return True
        if isinstance(exc, ParameterError):
            self.ev.note(f"Montant non calculé : {exc}")
            return True
        return exc is None


class Evaluation:
    """L'évaluation d'un dispositif pour des faits, à une date."""

    def __init__(
        self,
        programme: Programme,
        facts: Mapping[str, Any],
        on: dt.date,
        params: ParameterSet,
        resolver: QpvResolver | None = None,
        stop_on_failure: bool = False,
    ) -> None:
        self.stop_on_failure = stop_on_failure
        self.programme = programme
        self.facts = facts
        self.on = on
        self.params = params
        self.resolver = resolver
        self.conditions: list[ConditionResult] = []
        self.amounts: list[Amount] = []
        self.notes: list[str] = []
        self.key_date: dt.date | None = None
        self.key_date_label = "date de la simulation"
        self._blocks: list[_Block] = []
        self._missing_key: list[str] = []
        self._missing_amount_facts: list[str] = []
        self._to_check = False

    # --- faits
    def fact(self, name: str) -> Any:
        value = self.facts.get(name)
        if value is None:
            raise MissingFact((name,))
        return value

    def optional(self, name: str) -> Any:
        return self.facts.get(name)

    def use_key_date(self, name: str, label: str) -> dt.date | None:
        """La date qui compte (signature, création…) ; absente → fait manquant, rien d'autre."""
        self.key_date_label = label
        value = self.facts.get(name)
        if value is None:
            self._missing_key.append(name)
            return None
        assert isinstance(value, dt.date)
        self.key_date = value
        return value

    def age(self, on: dt.date) -> int:
        birth = self.fact("birth_date")
        assert isinstance(birth, dt.date)
        if birth > on:
            raise MissingFact(("birth_date",), f"date de naissance postérieure au {fr_date(on)}")
        return age_on(birth, on)

    def qpv(self, on: dt.date, kind: str = "person") -> tuple[bool, str]:
        """(en QPV ?, explication) à la date `on`, par les coordonnées ou la réponse déclarée."""
        declared, lon_name, lat_name, history_name = QPV_FACTS[kind]
        lon, lat = self.facts.get(lon_name), self.facts.get(lat_name)
        source = "coordonnées"
        history = self.facts.get(history_name) if history_name else None
        if history:
            current = None
            for entry in history:
                if entry["from"] <= on:
                    current = entry
            if current is None:
                raise MissingFact((history_name,), f"aucun domicile connu au {fr_date(on)}")
            source = f"domicile depuis le {fr_date(current['from'])}"
            if "resides_in_qpv" in current:
                flag = bool(current["resides_in_qpv"])
                return flag, f"{'en QPV' if flag else 'hors QPV'} ({source}, déclaré)"
            lon, lat = current["lon"], current["lat"]
        if lon is not None and lat is not None:
            if self.resolver is None:
                raise MissingFact((declared,), "aucun moteur géographique pour les coordonnées")
            try:
                answer = self.resolver.resides_in_qpv(float(lon), float(lat), on)
            except (ZoningUnavailable, LookupError) as exc:
                raise MissingFact((declared,), str(exc)) from None
            if answer.error:
                raise MissingFact((declared,), answer.error)
            where = f"{source} {float(lon):.5f}, {float(lat):.5f}"
            if answer.in_zoning:
                return True, (
                    f"en QPV {answer.code} (liste {answer.edition} en vigueur le {fr_date(on)}, "
                    f"{where})"
                )
            return (
                False,
                f"hors QPV (liste {answer.consulted} en vigueur le {fr_date(on)}, {where})",
            )
        value = self.facts.get(declared)
        if value is None:
            raise MissingFact((declared,))
        return bool(value), ("en QPV" if value else "hors QPV") + " (déclaré)"

    def zoning(
        self, zoning_kind: str, on: dt.date, declared: str, kind: str = "person"
    ) -> tuple[bool, str]:
        """(dans le zonage ?, explication) à la date `on` : par les coordonnées (domicile pour
        `person`, local pour `premises`) quand le résolveur connaît ce zonage et qu'une liste y
        est en vigueur ; sinon la réponse déclarée `declared`. Une réponse « à vérifier »
        (commune partiellement classée, commune inconnue) laisse la question posée."""
        _, lon_name, lat_name, _ = QPV_FACTS[kind]
        lon, lat = self.facts.get(lon_name), self.facts.get(lat_name)
        value = self.facts.get(declared)
        reason = ""
        if lon is not None and lat is not None and isinstance(self.resolver, ZoningResolver):
            try:
                answer = self.resolver.in_zoning(zoning_kind, float(lon), float(lat), on)
            except ZoningUnavailable:
                label = KIND_LABELS.get(zoning_kind, zoning_kind)
                reason = f"aucune liste {label} en vigueur le {fr_date(on)}"
            else:
                if answer.inside is not None:
                    return answer.inside, f"{answer.text} ({float(lon):.5f}, {float(lat):.5f})"
                reason = answer.text
        if value is None:
            raise MissingFact((declared,), reason)
        return bool(value), ("oui" if value else "non") + " (déclaré)"

    # --- paramètres
    def entry(self, name: str, on: dt.date) -> DatedValue:
        entry, to_check = _entry_at(self.params[name], on)
        if to_check:
            self._to_check = True
        if self._blocks:
            block = self._blocks[-1]
            block.reference = merge_references(block.reference, entry.reference)
            if to_check:
                block.to_check = True
        return entry

    def value(self, name: str, on: dt.date) -> Any:
        entry = self.entry(name, on)
        if entry.value is None:
            raise ParameterError(closed_reason(entry))
        return entry.value

    def money(self, name: str, on: dt.date) -> Decimal:
        return Decimal(str(self.value(name, on)))

    # --- blocs
    def condition(self, key: str, label: str, reference: str = "") -> _Block:
        return _Block(self, key, label, reference, any_of=False)

    def any_of(self, key: str, label: str, reference: str = "") -> _Block:
        return _Block(self, key, label, reference, any_of=True)

    def open_on(self, on: dt.date, label: str, param: str = "ouvert") -> None:
        """Condition de période : le paramètre `ouvert` vaut vrai à la date, `null` s'il a pris fin.

        Le résultat ne dépend que du paramètre, de la date et du libellé : il est mémorisé."""
        parameter = self.params[param]
        key = (id(parameter), on, label)
        found = _PERIODS.get(key)
        if found is None or found[0] is not parameter:
            found = (parameter, _period(parameter, on, label))
            if len(_PERIODS) > 200_000:
                _PERIODS.clear()
            _PERIODS[key] = found
        cached = found[1]
        if cached.to_check:
            self._to_check = True
        self.conditions.append(cached)
        if self.stop_on_failure and cached.status is Status.NOT_MET:
            raise _Stop

    def amounts_block(self) -> _AmountsBlock:
        return _AmountsBlock(self)

    def add_amount(
        self,
        key: str,
        label: str,
        value: Decimal,
        unit: str,
        computation: str,
        entries: Iterable[DatedValue] = (),
        reference: str = "",
    ) -> None:
        entries = list(entries)
        refs = reference
        for e in entries:
            refs = merge_references(refs, e.reference)
        to_check = any(_entry_flag(e) for e in entries)
        self.amounts.append(
            Amount(
                key,
                label,
                value.quantize(CENT, rounding=ROUND_HALF_UP),
                unit,
                computation,
                refs,
                to_check,
            )
        )

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def has_failed(self) -> bool:
        return any(c.status is Status.NOT_MET for c in self.conditions)

    # --- résultat
    def result(self) -> ProgrammeResult:
        missing: list[str] = list(self._missing_key)
        for c in self.conditions:
            if c.status is Status.UNKNOWN:
                missing.extend(c.missing)
        if not self.has_failed():
            missing.extend(self._missing_amount_facts)
        missing = list(dict.fromkeys(missing))
        if self.has_failed():
            verdict = Verdict.NOT_ELIGIBLE
        elif missing:
            verdict = Verdict.MISSING_FACTS
        else:
            verdict = Verdict.ELIGIBLE
        to_check = self._to_check or any(c.to_check for c in self.conditions)
        return ProgrammeResult(
            self.programme.slug,
            self.programme.title,
            verdict,
            self.on,
            self.key_date,
            self.key_date_label,
            self.conditions,
            self.amounts if verdict is not Verdict.NOT_ELIGIBLE else [],
            missing if verdict is not Verdict.NOT_ELIGIBLE else [],
            self.notes,
            to_check,
        )


# Mémoires par (paramètre, date) ; la clé est l'identité de l'objet, vérifiée à la lecture
# (un identifiant peut être réutilisé après la libération d'un ancien jeu de paramètres).
_ENTRIES: dict[tuple[int, dt.date], tuple[Parameter, DatedValue, bool]] = {}
_PERIODS: dict[tuple[int, dt.date, str], tuple[Parameter, ConditionResult]] = {}


def _period(parameter: Parameter, on: dt.date, label: str) -> ConditionResult:
    shown = f"date retenue : {fr_date(on)}"
    first = parameter.values[0]
    if on < first.valid_from:
        return ConditionResult(
            "periode",
            label,
            Status.NOT_MET,
            shown,
            first.reference,
            f"le dispositif commence le {fr_date(first.valid_from)}",
        )
    entry = parameter.entry_at(on)
    if entry.value is None:
        return ConditionResult(
            "periode", label, Status.NOT_MET, shown, entry.reference, closed_reason(entry)
        )
    return ConditionResult(
        "periode", label, Status.MET, shown, entry.reference, to_check=entry.to_check
    )


def _entry_at(parameter: Parameter, on: dt.date) -> tuple[DatedValue, bool]:
    """La valeur en vigueur et sa mention « à vérifier », mémorisées par (paramètre, date)."""
    key = (id(parameter), on)
    found = _ENTRIES.get(key)
    if found is None or found[0] is not parameter:
        entry = parameter.entry_at(on)
        found = (parameter, entry, entry.to_check)
        if len(_ENTRIES) > 200_000:
            _ENTRIES.clear()
        _ENTRIES[key] = found
    return found[1], found[2]


@lru_cache(maxsize=4096)
def merge_references(current: str, extra: str) -> str:
    """Ajoute des références (séparées par « ; ») sans doublon."""
    parts = [p for p in current.split(" ; ") if p]
    for piece in extra.split(" ; "):
        if piece and piece not in parts:
            parts.append(piece)
    return " ; ".join(parts)


def _entry_flag(entry: DatedValue) -> bool:
    return entry.to_check


def closed_reason(entry: DatedValue) -> str:
    text = f"fermé à partir du {fr_date(entry.valid_from)} : {entry.reference}"
    return f"{text} — {entry.note}" if entry.note else text


def evaluate_programme(
    programme: Programme,
    facts: Mapping[str, Any],
    on: dt.date,
    params: ParameterSet,
    resolver: QpvResolver | None = None,
    stop_on_failure: bool = False,
) -> ProgrammeResult:
    """Évalue un dispositif. `stop_on_failure` : s'arrêter à la première condition non remplie
    (même verdict, mêmes montants et faits manquants ; explication abrégée — traitements par lots)."""
    ev = Evaluation(programme, facts, on, params, resolver, stop_on_failure)
    with suppress(_Stop):
        programme.evaluate(ev)
    return ev.result()
