"""Tous les zonages en une réponse : QPV, ZFU-TE, QRR (périmètres), ZRR (communes), REP/REP+ (écoles).

« Ce lieu est-il en QPV ? » n'est qu'une des questions que posent les mêmes règles. Ce module
répond à toutes d'un coup pour un point et une date (`ZoningCatalogue.locate`) et à chacune
pour le moteur de règles (`ZoningCatalogue.in_zoning`) :

- **périmètres** (QPV, ZFU-TE, QRR) : un `DatedLocator` par zonage, la liste en vigueur à la date ;
- **ZRR** : un classement par commune (C classée, NC non classée, PC partiellement classée) ; un
  point y est par sa commune, trouvée par le géocodeur (code INSEE de l'adresse) ou par les
  contours des communes chargés comme zonage `commune` ;
- **REP / REP+** : des écoles et collèges avec leurs coordonnées ; la réponse donne l'école du
  réseau la plus proche et sa distance (un point n'est pas « dans » un REP).

Lecture des fichiers (tout ou rien, toutes les erreurs d'un coup) : `read_zrr` (fixture de
les-emplois ou CSV `insee_code;status`), `read_schools` (CSV `uai;nom;lon;lat;reseau`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np

from quartiers.core.csvfile import CsvFileError, dict_rows
from quartiers.core.geo.errors import Problem, ZoningFileError
from quartiers.core.geo.perimeters import territory_of_bounds
from quartiers.core.geo.zoning import (
    DatedLocator,
    EditionLike,
    Location,
    Unavailability,
    ZoningUnavailable,
    editions_in_force,
    valid_coordinates,
)

PERIMETER_KINDS = ("qpv", "zfu_te", "qrr")
COMMUNE_KIND = "commune"
KIND_LABELS = {
    "qpv": "QPV",
    "zfu_te": "ZFU-TE",
    "qrr": "quartier de reconquête républicaine",
    "zrr": "ZRR",
    "rep": "REP / REP+",
}
MAX_PROBLEMS = 200
# Réforme France Ruralités Revitalisation (loi n° 2023-1322, art. 73) : les FRR remplacent les
# ZRR à cette date ; une liste ZRR n'est pas une liste FRR.
FRR_START = dt.date(2024, 7, 1)

# Référence de la liste ZRR de les-emplois (2022-11-09) : à citer avec l'édition importée.
ZRR_PRE_FRR_REFERENCE = (
    "Classement des communes en zone de revitalisation rurale (ZRR, CGI art. 1465 A), tel que "
    "publié le 09/11/2022 (jeu « zones-de-revitalisation-rurale-zrr » de data.gouv.fr, repris par "
    "les-emplois) : liste ANTÉRIEURE à la réforme France Ruralités Revitalisation (FRR) du "
    "1er juillet 2024 — ce n'est pas une liste FRR"
)


class ZrrStatus(StrEnum):
    CLASSEE = "C"
    NON_CLASSEE = "NC"
    PARTIELLE = "PC"

    @property
    def label(self) -> str:
        return {
            "C": "commune classée en ZRR",
            "NC": "commune non classée en ZRR",
            "PC": "commune partiellement classée en ZRR",
        }[self.value]


INSEE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
UAI_CODE = re.compile(r"^\d{7}[A-Z]$")
NETWORKS = {"REP": "REP", "REP+": "REP+", "REP PLUS": "REP+", "REP_PLUS": "REP+"}


@dataclass(frozen=True)
class ZrrEntry:
    insee_code: str
    status: ZrrStatus


@dataclass(frozen=True)
class School:
    """Une école ou un collège d'un réseau d'éducation prioritaire."""

    uai: str
    name: str
    lon: float
    lat: float
    network: str  # « REP » ou « REP+ »


def _refuse(shown: str, problems: list[Problem]) -> None:
    if problems:
        raise ZoningFileError(shown, problems[:MAX_PROBLEMS])


def _check_zrr(rows: Sequence[tuple[int, str, str]], shown: str) -> list[ZrrEntry]:
    problems: list[Problem] = []
    out: list[ZrrEntry] = []
    seen: dict[str, int] = {}
    for row, code, status in rows:
        code, status = code.strip().upper(), status.strip().upper()
        if not INSEE_CODE.match(code):
            problems.append(
                Problem(f"code INSEE « {code[:20]} » invalide (5 caractères)", row, "insee_code")
            )
        elif code in seen:
            problems.append(
                Problem(f"commune {code} en double (déjà ligne {seen[code]})", row, "insee_code")
            )
        else:
            seen[code] = row
        if status not in ZrrStatus.__members__.values():
            problems.append(
                Problem(
                    f"statut « {status[:20]} » inconnu ; attendus : C (classée), NC (non "
                    "classée), PC (partiellement classée)",
                    row,
                    "status",
                )
            )
        elif not problems:
            out.append(ZrrEntry(code, ZrrStatus(status)))
        if len(problems) >= MAX_PROBLEMS:
            break
    if not rows:
        problems.append(Problem("aucune commune dans le fichier"))
    _refuse(shown, problems)
    return out


def read_zrr(path: str | Path, name: str | None = None) -> list[ZrrEntry]:
    """Le classement ZRR d'un fichier : fixture Django de les-emplois (`[{"model": "geo.zrr",
    "fields": {"insee_code", "status"}}]`) ou CSV `insee_code;status`. Tout ou rien :
    `ZoningFileError` avec chaque problème (ligne, champ)."""
    shown = name or str(path)
    with open(path, "rb") as handle:
        head = handle.read(64).lstrip()
    if head.startswith(b"[") or head.startswith(b"\xef\xbb\xbf["):
        return _check_zrr(_fixture_rows(path, shown), shown)
    try:
        header, rows = dict_rows(path, shown)
    except CsvFileError as exc:
        raise ZoningFileError(shown, [Problem(str(exc))]) from None
    columns = {c.strip().lower(): c for c in header}
    code_col = next(
        (columns[c] for c in ("insee_code", "code_insee", "codgeo") if c in columns), None
    )
    status_col = next((columns[c] for c in ("status", "statut", "zrr") if c in columns), None)
    if code_col is None or status_col is None:
        raise ZoningFileError(
            shown,
            [
                Problem(
                    "colonnes « insee_code » et « status » attendues ; trouvées : "
                    + ", ".join(f"« {c} »" for c in header[:20])
                )
            ],
        )
    found = [
        (i + 2, row.get(code_col) or "", row.get(status_col) or "") for i, row in enumerate(rows)
    ]
    return _check_zrr(found, shown)


def _fixture_rows(path: str | Path, shown: str) -> list[tuple[int, str, str]]:
    try:
        data: Any = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ZoningFileError(shown, [Problem(f"JSON illisible : {exc}")]) from None
    if not isinstance(data, list):
        raise ZoningFileError(shown, [Problem("une liste d'objets « geo.zrr » est attendue")])
    rows: list[tuple[int, str, str]] = []
    problems: list[Problem] = []
    for i, item in enumerate(data, start=1):
        fields = item.get("fields") if isinstance(item, dict) else None
        if not isinstance(fields, dict) or (item.get("model") not in (None, "geo.zrr")):
            problems.append(Problem("objet « geo.zrr » avec « fields » attendu", i))
            continue
        code, status = fields.get("insee_code"), fields.get("status")
        if not isinstance(code, str) or not isinstance(status, str):
            problems.append(Problem("« insee_code » et « status » (texte) attendus", i, "fields"))
            continue
        rows.append((i, code, status))
        if len(problems) >= MAX_PROBLEMS:
            break
    _refuse(shown, problems)
    return rows


def read_schools(path: str | Path, name: str | None = None) -> list[School]:
    """Les écoles d'un CSV `uai;nom;lon;lat;reseau` (WGS84 ; réseau REP ou REP+). Tout ou rien."""
    shown = name or str(path)
    try:
        header, rows = dict_rows(path, shown)
    except CsvFileError as exc:
        raise ZoningFileError(shown, [Problem(str(exc))]) from None
    columns = {c.strip().lower(): c for c in header}
    missing = [c for c in ("uai", "nom", "lon", "lat", "reseau") if c not in columns]
    if missing:
        raise ZoningFileError(
            shown,
            [
                Problem(
                    "colonnes absentes : "
                    + ", ".join(missing)
                    + " ; attendu uai;nom;lon;lat;reseau, trouvé "
                    + ";".join(header[:20])
                )
            ],
        )
    problems: list[Problem] = []
    out: list[School] = []
    seen: dict[str, int] = {}
    count = 0
    for i, row in enumerate(rows):
        count += 1
        line = i + 2
        uai = (row.get(columns["uai"]) or "").strip().upper()
        school_name = (row.get(columns["nom"]) or "").strip()
        network = NETWORKS.get((row.get(columns["reseau"]) or "").strip().upper())
        if not UAI_CODE.match(uai):
            problems.append(
                Problem(f"UAI « {uai[:20]} » invalide (7 chiffres et une lettre)", line, "uai")
            )
        elif uai in seen:
            problems.append(Problem(f"UAI {uai} en double (déjà ligne {seen[uai]})", line, "uai"))
        else:
            seen[uai] = line
        if not school_name or len(school_name) > 300:
            problems.append(Problem("nom vide ou de plus de 300 caractères", line, "nom"))
        if network is None:
            problems.append(Problem("réseau attendu : REP ou REP+", line, "reseau"))
        try:
            lon = float((row.get(columns["lon"]) or "").replace(",", "."))
            lat = float((row.get(columns["lat"]) or "").replace(",", "."))
        except ValueError:
            problems.append(Problem("longitude et latitude numériques attendues", line, "lon"))
            lon = lat = float("nan")
        else:
            if not valid_coordinates(lon, lat):
                problems.append(
                    Problem(
                        f"coordonnées {lon}, {lat} hors du WGS84 (longitude, latitude)", line, "lon"
                    )
                )
            elif territory_of_bounds((lon, lat, lon, lat)) is None:
                problems.append(
                    Problem(
                        f"coordonnées {lon}, {lat} hors de tout territoire français "
                        "(longitude et latitude inversées ?)",
                        line,
                        "lon",
                    )
                )
        if not problems and network is not None:
            out.append(School(uai, school_name, lon, lat, network))
        if len(problems) >= MAX_PROBLEMS:
            break
    if count == 0:
        problems.append(Problem("aucune école dans le fichier"))
    _refuse(shown, problems)
    return out


# -- Réponses -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZoningHit:
    """Un zonage où se trouve le point (périmètre, ou commune classée pour la ZRR)."""

    zoning_kind: str
    edition: str
    code: str
    name: str
    status: str = ""  # ZRR : C ou PC
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "zoning_kind": self.zoning_kind,
            "edition": self.edition,
            "code": self.code,
            "name": self.name,
            "status": self.status,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class NearestSchool:
    uai: str
    name: str
    network: str
    edition: str
    lon: float
    lat: float
    distance_m: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "uai": self.uai,
            "name": self.name,
            "network": self.network,
            "edition": self.edition,
            "lon": self.lon,
            "lat": self.lat,
            "distance_m": self.distance_m,
        }


@dataclass(frozen=True)
class ZoningsAnswer:
    """Tous les zonages d'un point à une date. `consulted` : zonage → listes consultées ;
    `unavailable` : zonage → pourquoi il n'a pas pu répondre (aucune liste, commune inconnue)."""

    lon: float
    lat: float
    on: dt.date
    zonings: tuple[ZoningHit, ...]
    nearest_rep_school: NearestSchool | None
    consulted: Mapping[str, str] = field(default_factory=dict)
    unavailable: Mapping[str, str] = field(default_factory=dict)
    insee_codes: tuple[str, ...] = ()

    def of_kind(self, zoning_kind: str) -> list[ZoningHit]:
        return [z for z in self.zonings if z.zoning_kind == zoning_kind]

    def as_dict(self) -> dict[str, Any]:
        return {
            "lon": self.lon,
            "lat": self.lat,
            "date": self.on.isoformat(),
            "zonings": [z.as_dict() for z in self.zonings],
            "nearest_rep_school": (
                self.nearest_rep_school.as_dict() if self.nearest_rep_school else None
            ),
            "consulted": dict(self.consulted),
            "unavailable": dict(self.unavailable),
            "insee_codes": list(self.insee_codes),
        }


@dataclass(frozen=True)
class KindAnswer:
    """La réponse d'un zonage pour le moteur de règles : dedans, dehors, ou à vérifier (None)."""

    zoning_kind: str
    inside: bool | None
    text: str
    hit: ZoningHit | None = None


@dataclass(frozen=True)
class ZrrList:
    edition: EditionLike
    statuses: Mapping[str, ZrrStatus]
    reference: str = ""


@dataclass(frozen=True)
class SchoolList:
    edition: EditionLike
    schools: Sequence[School]
    _lons: Any = field(default=None, repr=False, compare=False)
    _lats: Any = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, edition: EditionLike, schools: Sequence[School]) -> SchoolList:
        return cls(
            edition,
            tuple(schools),
            np.array([s.lon for s in schools], dtype=np.float64),
            np.array([s.lat for s in schools], dtype=np.float64),
        )

    def nearest(self, lon: float, lat: float) -> tuple[School, float] | None:
        """L'école la plus proche (distance du grand cercle, en mètres)."""
        if not self.schools:
            return None
        lo1, la1 = np.radians(lon), np.radians(lat)
        lo2, la2 = np.radians(self._lons), np.radians(self._lats)
        a = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
        d = 2 * 6_371_008.8 * np.arcsin(np.sqrt(np.minimum(a, 1.0)))
        k = int(np.argmin(d))
        return self.schools[k], round(float(d[k]), 1)


def _fr(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


@dataclass
class ZoningCatalogue:
    """Tous les zonages, datés ; réalise `QpvResolver` (QPV) et `ZoningResolver` (tous).

    `perimeters` : zonage → localisateur daté (qpv, zfu_te, qrr) ; `communes` : contours des
    communes (pour situer un point en ZRR) ; `zrr`, `schools` : listes datées."""

    perimeters: Mapping[str, DatedLocator]
    communes: DatedLocator | None = None
    zrr: Sequence[ZrrList] = ()
    schools: Sequence[SchoolList] = ()

    # --- QpvResolver (le simulateur pose d'abord cette question-là)
    def resides_in_qpv(self, lon: float, lat: float, on: dt.date) -> Location:
        qpv = self.perimeters.get("qpv")
        if qpv is None:
            raise ZoningUnavailable(Unavailability.NO_EDITION_IN_FORCE, on)
        return qpv.resides_in_qpv(lon, lat, on)

    # --- par zonage
    def _perimeter_hit(self, kind: str, lon: float, lat: float, on: dt.date) -> KindAnswer:
        where = self.perimeters.get(kind)
        if where is None:
            raise ZoningUnavailable(Unavailability.NO_EDITION_IN_FORCE, on)
        loc = where.locate([lon], [lat], on, with_distance=False)[0]
        label = KIND_LABELS.get(kind, kind)
        if loc.error:
            return KindAnswer(kind, None, loc.error)
        if loc.in_zoning and loc.code and loc.edition:
            hit = ZoningHit(kind, loc.edition, loc.code, loc.name or "")
            return KindAnswer(
                kind,
                True,
                f"en {label} {loc.code} « {loc.name} » (liste {loc.edition} en vigueur le {_fr(on)})",
                hit,
            )
        return KindAnswer(
            kind, False, f"hors {label} (liste {loc.consulted} en vigueur le {_fr(on)})"
        )

    def communes_at(self, lon: float, lat: float, on: dt.date) -> tuple[tuple[str, str], ...]:
        """(code INSEE, nom) des communes du point, par leurs contours ; vide si inconnus."""
        if self.communes is None:
            return ()
        try:
            loc = self.communes.locate([lon], [lat], on, with_distance=False)[0]
        except ZoningUnavailable:
            return ()
        return ((loc.code, loc.name or loc.code),) if loc.in_zoning and loc.code else ()

    def _zrr_hit(
        self, lon: float, lat: float, on: dt.date, insee_code: str | None = None
    ) -> KindAnswer:
        chosen = editions_in_force([z.edition for z in self.zrr], on)
        if not chosen:
            raise ZoningUnavailable(Unavailability.NO_EDITION_IN_FORCE, on)
        lists = {z.edition.edition: z for z in self.zrr}
        current = lists[chosen[0].edition]
        communes = self.communes_at(lon, lat, on)
        if insee_code:
            names = dict(communes)
            communes = ((insee_code, names.get(insee_code, insee_code)),)
        if not communes:
            return KindAnswer(
                "zrr",
                None,
                "commune du point inconnue (contours des communes non chargés) : ZRR à vérifier",
            )
        code, name = communes[0]
        status = current.statuses.get(code)
        edition = current.edition.edition
        if status is None:
            return KindAnswer(
                "zrr", None, f"commune {code} absente de la liste ZRR {edition} : à vérifier"
            )
        text = f"{name} ({code}) : {status.label} (liste {edition} en vigueur le {_fr(on)})"
        if status is ZrrStatus.NON_CLASSEE:
            return KindAnswer("zrr", False, text)
        hit = ZoningHit(
            "zrr",
            edition,
            code,
            name,
            status.value,
            status.label
            + (
                " : seule une partie de la commune l'est, à vérifier"
                if status is ZrrStatus.PARTIELLE
                else ""
            ),
        )
        if status is ZrrStatus.PARTIELLE:
            return KindAnswer("zrr", None, text + " — la partie classée n'est pas connue", hit)
        return KindAnswer("zrr", True, text, hit)

    def in_zoning(
        self, zoning_kind: str, lon: float, lat: float, on: dt.date, insee_code: str | None = None
    ) -> KindAnswer:
        """Le point est-il dans ce zonage, liste en vigueur le jour `on` ? `ZoningUnavailable`
        si aucune liste de ce zonage n'est en vigueur ; `inside=None` : à vérifier (raison)."""
        if not valid_coordinates(lon, lat):
            return KindAnswer(zoning_kind, None, "coordonnées invalides")
        if zoning_kind == "zrr":
            return self._zrr_hit(lon, lat, on, insee_code)
        return self._perimeter_hit(zoning_kind, lon, lat, on)

    def nearest_school(self, lon: float, lat: float, on: dt.date) -> NearestSchool | None:
        chosen = editions_in_force([s.edition for s in self.schools], on)
        if not chosen:
            return None
        current = {s.edition.edition: s for s in self.schools}[chosen[0].edition]
        found = current.nearest(lon, lat)
        if found is None:
            return None
        school, distance = found
        return NearestSchool(
            school.uai,
            school.name,
            school.network,
            current.edition.edition,
            school.lon,
            school.lat,
            distance,
        )

    def locate(
        self, lon: float, lat: float, on: dt.date, insee_code: str | None = None
    ) -> ZoningsAnswer:
        """Tous les zonages du point le jour `on`, et l'école REP/REP+ la plus proche."""
        hits: list[ZoningHit] = []
        consulted: dict[str, str] = {}
        unavailable: dict[str, str] = {}
        kinds = [k for k in PERIMETER_KINDS if k in self.perimeters]
        if self.zrr:
            kinds.append("zrr")
        for kind in kinds:
            try:
                answer = self.in_zoning(kind, lon, lat, on, insee_code)
            except ZoningUnavailable:
                unavailable[kind] = f"aucune liste {KIND_LABELS[kind]} en vigueur le {_fr(on)}"
                if kind == "zrr" and on >= FRR_START:
                    unavailable[kind] += (
                        " (depuis le 1er juillet 2024, les zones France Ruralités Revitalisation "
                        "remplacent les ZRR ; aucune liste FRR n'est chargée)"
                    )
                continue
            consulted[kind] = answer.text
            if answer.hit is not None:
                hits.append(answer.hit)
            elif answer.inside is None:
                unavailable[kind] = answer.text
        school = self.nearest_school(lon, lat, on) if valid_coordinates(lon, lat) else None
        if self.schools and school is None:
            unavailable["rep"] = f"aucune liste REP / REP+ en vigueur le {_fr(on)}"
        communes = (
            (insee_code,) if insee_code else tuple(c for c, _ in self.communes_at(lon, lat, on))
        )
        return ZoningsAnswer(
            float(lon), float(lat), on, tuple(hits), school, consulted, unavailable, communes
        )
