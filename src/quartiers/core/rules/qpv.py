"""Résidence en QPV à une date : le moteur de règles demande, la géographie répond.

Le cœur ne connaît que le protocole `QpvResolver` ; l'application Django fournit une
implémentation appuyée sur la base (`quartiers.programmes.services.DatabaseQpvResolver`), et
`EditionsQpvResolver` ci-dessous en fournit une sans base, à partir d'index en mémoire
(tests, traitements par lots). La liste consultée est celle **en vigueur à la date demandée**
(date de signature du contrat pour les emplois francs, etc.), jamais celle du jour.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from quartiers.core.geo.index import ZoningIndex


class QpvAnswer(NamedTuple):
    in_qpv: bool
    qpv_code: str | None
    edition: str | None


class QpvUnavailable(LookupError):
    """La géographie ne peut pas répondre (aucune édition en vigueur à la date, point invalide)."""


class QpvResolver(Protocol):
    def resides_in_qpv(self, lon: float, lat: float, on: dt.date) -> QpvAnswer:
        """Le point est-il dans un QPV de la liste en vigueur le jour `on` ?

        Lève `QpvUnavailable` (message en français) quand aucune liste n'est en vigueur.
        """
        ...


@dataclass(frozen=True)
class Edition:
    edition: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    index: ZoningIndex

    def in_force(self, on: dt.date) -> bool:
        if self.valid_from and on < self.valid_from:
            return False
        return not (self.valid_to and on > self.valid_to)


class EditionsQpvResolver:
    """Résolution sans base : des éditions datées, chacune avec son index en mémoire."""

    def __init__(self, editions: Sequence[Edition]) -> None:
        self.editions = sorted(editions, key=lambda e: e.valid_from or dt.date.min, reverse=True)
        self._cache: dict[tuple[float, float, dt.date], QpvAnswer] = {}

    def clear_cache(self) -> None:
        self._cache.clear()

    def resides_in_qpv(self, lon: float, lat: float, on: dt.date) -> QpvAnswer:
        """Réponse mémorisée par (lon, lat, date) : plusieurs dispositifs posent la même question."""
        key = (lon, lat, on)
        found = self._cache.get(key)
        if found is None:
            found = self._locate(lon, lat, on)
            if len(self._cache) > 100_000:
                self._cache.clear()
            self._cache[key] = found
        return found

    def _locate(self, lon: float, lat: float, on: dt.date) -> QpvAnswer:
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise QpvUnavailable("coordonnées invalides")
        in_force = [e for e in self.editions if e.in_force(on)]
        if not in_force:
            raise QpvUnavailable(f"aucune liste de QPV n'est en vigueur le {on:%d/%m/%Y}")
        for edition in in_force:
            code = edition.index.locate([lon], [lat])[0]
            if code is not None:
                return QpvAnswer(True, str(code), edition.edition)
        return QpvAnswer(False, None, in_force[0].edition)
