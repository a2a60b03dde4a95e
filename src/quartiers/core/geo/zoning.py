"""Éditions de zonage et localisation datée : la seule réponse à « ce point est-il en QPV ce jour-là ? ».

Une édition (liste 2015, liste 2024, édition simulée) a des dates de validité. Plusieurs
éditions officielles peuvent être en vigueur le même jour (en 2024 : la liste 2024 en
métropole et la liste 2015 outre-mer) : on les consulte ensemble, la plus récente d'abord.
Une édition simulée n'est jamais « en vigueur » : on la consulte par son nom.

La vérification d'adresse, le simulateur de dispositifs, les fichiers de points et, demain,
les financements et l'observatoire passent tous par `DatedLocator` ; la base de données n'y
est qu'une source d'éditions et d'index (voir `quartiers.zoning.services.locator`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from quartiers.core.geo.index import ZoningIndex
from quartiers.core.geo.perimeters import PerimeterRecord


class EditionLike(Protocol):
    """Ce qu'il faut savoir d'une édition pour dire si elle est en vigueur (cœur ou modèle)."""

    @property
    def edition(self) -> str: ...

    @property
    def valid_from(self) -> dt.date | None: ...

    @property
    def valid_to(self) -> dt.date | None: ...

    @property
    def is_simulated(self) -> bool: ...


E = TypeVar("E", bound=EditionLike)


def in_force(edition: EditionLike, on: dt.date) -> bool:
    """Vrai si l'édition est en vigueur ce jour-là (bornes incluses)."""
    if edition.valid_from and on < edition.valid_from:
        return False
    return not (edition.valid_to and on > edition.valid_to)


def newest_first(editions: Iterable[E]) -> list[E]:
    return sorted(editions, key=lambda e: e.valid_from or dt.date.min, reverse=True)


def editions_in_force(editions: Iterable[E], on: dt.date) -> list[E]:
    """Les éditions officielles (non simulées) en vigueur le jour `on`, la plus récente d'abord."""
    return newest_first(e for e in editions if not e.is_simulated and in_force(e, on))


@dataclass(frozen=True)
class Edition:
    """Une édition en mémoire (bibliothèque, tests, processus de calcul)."""

    edition: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    is_simulated: bool = False
    zoning_kind: str = "qpv"


class Unavailability(StrEnum):
    NO_EDITION_IN_FORCE = "no_edition_in_force"
    UNKNOWN_EDITION = "unknown_edition"


@dataclass
class ZoningUnavailable(LookupError):
    """Aucune liste ne peut répondre : rien en vigueur à la date, ou édition inconnue.

    Porte ses données ; chaque porte (page, API, ligne de commande) la formule à sa façon,
    `str()` en donne une formulation française par défaut.
    """

    reason: Unavailability
    on: dt.date | None = None
    edition: str | None = None
    known: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.reason is Unavailability.UNKNOWN_EDITION:
            known = ", ".join(self.known) or "aucune"
            return f"édition « {self.edition} » inconnue pour ce zonage (connues : {known})"
        day = self.on.strftime("%d/%m/%Y") if self.on else "ce jour"
        return f"aucune liste de QPV n'est en vigueur le {day}"


class LocationStatus(StrEnum):
    IN = "in_qpv"
    OUTSIDE = "outside"
    INVALID = "error"


INVALID_COORDINATES = (
    "coordonnées invalides : longitude entre -180 et 180, latitude entre -90 et 90 attendues"
)


def valid_coordinates(lon: float, lat: float) -> bool:
    return bool(np.isfinite(lon) and np.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90)


@dataclass(frozen=True)
class Location:
    """La réponse pour un point : dedans (code, nom, édition), dehors (le plus proche et sa
    distance), ou invalide (la raison). `consulted` : les listes consultées (« 2024 + 2015 »)."""

    lon: float
    lat: float
    status: LocationStatus
    code: str | None = None
    name: str | None = None
    edition: str | None = None
    insee_codes: tuple[str, ...] = ()
    commune_names: tuple[str, ...] = ()
    distance_m: float | None = None
    nearest_code: str | None = None
    nearest_name: str | None = None
    consulted: str = ""
    error: str | None = None

    @property
    def in_zoning(self) -> bool:
        return self.status is LocationStatus.IN

    @property
    def detail(self) -> str:
        """La raison du statut en une phrase (colonne `status_detail` des fichiers)."""
        if self.status is LocationStatus.INVALID:
            return self.error or INVALID_COORDINATES
        if self.status is LocationStatus.IN:
            return ""
        if self.distance_m is None:
            return "hors QPV" if self.nearest_code else "aucun périmètre connu"
        return f"hors QPV, le plus proche à {self.distance_m:.0f} m"

    def as_dict(self) -> dict[str, Any]:
        return {
            "lon": self.lon,
            "lat": self.lat,
            "in_qpv": self.in_zoning,
            "qpv_code": self.code,
            "qpv_name": self.name,
            "edition": self.edition,
            "insee_codes": list(self.insee_codes),
            "commune_names": list(self.commune_names),
            "distance_m": self.distance_m,
            "nearest_qpv_code": self.nearest_code,
            "nearest_qpv_name": self.nearest_name,
            "error": self.error,
            "status": self.status.value,
            "status_detail": self.detail,
        }


def invalid_location(lon: float, lat: float, error: str = INVALID_COORDINATES) -> Location:
    return Location(float(lon), float(lat), LocationStatus.INVALID, error=error)


@dataclass(frozen=True)
class ZoningSnapshot:
    """L'index d'un ensemble fixe d'éditions (la plus récente d'abord) : localise des tableaux."""

    editions: tuple[str, ...]
    index: ZoningIndex
    perimeter_editions: Sequence[str]

    @property
    def label(self) -> str:
        return " + ".join(self.editions)

    @classmethod
    def of_records(cls, groups: Sequence[tuple[str, Sequence[PerimeterRecord]]]) -> ZoningSnapshot:
        """Un index sur les périmètres de plusieurs éditions, dans l'ordre donné."""
        records = [r for _name, recs in groups for r in recs]
        owners = [name for name, recs in groups for _ in recs]
        return cls(tuple(name for name, _ in groups), ZoningIndex(records), owners)

    def locate(
        self, lons: npt.ArrayLike, lats: npt.ArrayLike, with_distance: bool = True
    ) -> list[Location]:
        """Chaque point : dedans, dehors (le plus proche, à quelle distance) ou invalide."""
        x = np.asarray(lons, dtype=np.float64).ravel()
        y = np.asarray(lats, dtype=np.float64).ravel()
        inside = self.index.locate_indices(x, y)
        valid = np.isfinite(x) & np.isfinite(y) & (np.abs(x) <= 180) & (np.abs(y) <= 90)
        nearest = np.full(len(x), -1, dtype=np.int64)
        distances = np.full(len(x), np.nan)
        outside = np.flatnonzero((inside < 0) & valid)
        if with_distance and len(outside) and len(self.index):
            nearest[outside], distances[outside] = self.index.nearest(x[outside], y[outside])
        label = self.label
        out: list[Location] = []
        for i in range(len(x)):
            lon, lat = float(x[i]), float(y[i])
            if not valid[i]:
                out.append(invalid_location(lon, lat))
                continue
            k = int(inside[i])
            if k >= 0:
                p = self.index.perimeters[k]
                out.append(
                    Location(
                        lon,
                        lat,
                        LocationStatus.IN,
                        p.code,
                        p.name,
                        self.perimeter_editions[k],
                        p.insee_codes,
                        p.commune_names,
                        0.0,
                        p.code,
                        p.name,
                        label,
                    )
                )
                continue
            j = int(nearest[i])
            near = self.index.perimeters[j] if j >= 0 else None
            distance = None if np.isnan(distances[i]) else round(float(distances[i]), 1)
            out.append(
                Location(
                    lon,
                    lat,
                    LocationStatus.OUTSIDE,
                    distance_m=distance,
                    nearest_code=near.code if near else None,
                    nearest_name=near.name if near else None,
                    consulted=label,
                )
            )
        return out


SnapshotFactory = Callable[[Sequence[E]], ZoningSnapshot]
MEMO_LIMIT = 100_000


@dataclass
class DatedLocator:
    """« En QPV à cette date ? » sur un catalogue d'éditions ; un index par ensemble d'éditions.

    `snapshot` construit (et peut mettre en cache) l'index d'un ensemble d'éditions ; les
    réponses point par point sont mémorisées, car plusieurs dispositifs posent la même question.
    """

    editions: Sequence[EditionLike]
    snapshot_of: Callable[[Sequence[Any]], ZoningSnapshot]
    _snapshots: dict[tuple[str, ...], ZoningSnapshot] = field(default_factory=dict, repr=False)
    _memo: dict[tuple[float, float, dt.date], Location | ZoningUnavailable] = field(
        default_factory=dict, repr=False
    )

    @classmethod
    def in_memory(
        cls, editions: Sequence[tuple[Edition, Sequence[PerimeterRecord]]]
    ) -> DatedLocator:
        """Un localisateur sans base : des éditions et leurs périmètres."""
        by_name = {e.edition: records for e, records in editions}
        return cls(
            [e for e, _ in editions],
            lambda chosen: ZoningSnapshot.of_records(
                [(e.edition, by_name[e.edition]) for e in chosen]
            ),
        )

    def select(self, on: dt.date | None = None, edition: str | None = None) -> list[EditionLike]:
        """L'édition demandée, ou les éditions officielles en vigueur à la date (défaut : ce jour)."""
        if edition is not None:
            found = [e for e in self.editions if e.edition == edition]
            if not found:
                known = tuple(e.edition for e in self.editions)
                raise ZoningUnavailable(Unavailability.UNKNOWN_EDITION, on, edition, known)
            return list(found)
        day = on or dt.date.today()
        chosen = editions_in_force(self.editions, day)
        if not chosen:
            raise ZoningUnavailable(Unavailability.NO_EDITION_IN_FORCE, day)
        return list(chosen)

    def snapshot(self, on: dt.date | None = None, edition: str | None = None) -> ZoningSnapshot:
        chosen = self.select(on, edition)
        key = tuple(e.edition for e in chosen)
        found = self._snapshots.get(key)
        if found is None:
            found = self._snapshots[key] = self.snapshot_of(chosen)
        return found

    def locate(
        self,
        lons: npt.ArrayLike,
        lats: npt.ArrayLike,
        on: dt.date | None = None,
        edition: str | None = None,
        with_distance: bool = True,
    ) -> list[Location]:
        return self.snapshot(on, edition).locate(lons, lats, with_distance)

    def resides_in_qpv(self, lon: float, lat: float, on: dt.date) -> Location:
        """Une réponse (mémorisée) pour le moteur de règles ; `ZoningUnavailable` sinon."""
        key = (lon, lat, on)
        found = self._memo.get(key)
        if found is None:
            self.prefetch([key])
            found = self._memo[key]
        if isinstance(found, ZoningUnavailable):
            raise found
        return found

    def prefetch(self, points: Iterable[tuple[float, float, dt.date]]) -> None:
        """Résout d'un coup un lot de (lon, lat, date) : un passage d'index par date."""
        if len(self._memo) > MEMO_LIMIT:
            self._memo.clear()
        by_day: dict[dt.date, list[tuple[float, float, dt.date]]] = {}
        for point in points:
            if point not in self._memo:
                by_day.setdefault(point[2], []).append(point)
        for day, items in by_day.items():
            try:
                snapshot = self.snapshot(day)
            except ZoningUnavailable as exc:
                self._memo.update({item: exc for item in items})
                continue
            located = snapshot.locate(
                [i[0] for i in items], [i[1] for i in items], with_distance=False
            )
            self._memo.update(zip(items, located, strict=True))

    def answers(self) -> dict[tuple[float, float, dt.date], Location | ZoningUnavailable]:
        """Les réponses mémorisées (à passer aux processus de calcul, sans base)."""
        return dict(self._memo)
