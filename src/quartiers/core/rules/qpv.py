"""Résidence en QPV à une date : le moteur de règles demande, la géographie répond.

Le cœur ne connaît que le protocole `QpvResolver`, que `quartiers.core.geo.zoning.DatedLocator`
réalise (sur la base par `quartiers.zoning.services.locator()`, ou en mémoire par
`DatedLocator.in_memory`). La liste consultée est celle **en vigueur à la date demandée**
(date de signature du contrat pour les emplois francs, etc.), jamais celle du jour.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from quartiers.core.geo.zoning import Location, ZoningUnavailable
from quartiers.core.geo.zonings import KindAnswer

Answers = Mapping[tuple[float, float, dt.date], Location | ZoningUnavailable]


class QpvResolver(Protocol):
    def resides_in_qpv(self, lon: float, lat: float, on: dt.date) -> Location:
        """Le point est-il dans un QPV de la liste en vigueur le jour `on` ?

        Lève `ZoningUnavailable` quand aucune liste n'est en vigueur ; un point invalide
        revient avec le statut `error` et sa raison.
        """
        ...


@runtime_checkable
class ZoningResolver(Protocol):
    """Un résolveur qui connaît aussi les autres zonages (ZRR, ZFU-TE, QRR) ; réalisé par
    `quartiers.core.geo.zonings.ZoningCatalogue` (en base : `quartiers.zoning.catalogue`).

    Un dispositif demande `ev.zoning("zrr", …)` ; sans résolveur de ce type, ou sans liste en
    vigueur, la réponse déclarée (`lives_in_zrr`…) est utilisée, jamais supposée."""

    def resides_in_qpv(self, lon: float, lat: float, on: dt.date) -> Location: ...

    def in_zoning(self, zoning_kind: str, lon: float, lat: float, on: dt.date) -> KindAnswer:
        """Dedans, dehors ou à vérifier (`inside=None`), avec l'explication ; lève
        `ZoningUnavailable` quand aucune liste de ce zonage n'est en vigueur."""
        ...


class AnswersResolver:
    """Réponses déjà résolues par lot (`DatedLocator.answers()`), pour les processus de calcul."""

    def __init__(self, answers: Answers) -> None:
        self.answers = answers

    def resides_in_qpv(self, lon: float, lat: float, on: dt.date) -> Location:
        answer = self.answers.get((lon, lat, on))
        if answer is None:
            raise LookupError("position non résolue dans le lot")
        if isinstance(answer, ZoningUnavailable):
            raise answer
        return answer
