"""Géocodeur embarqué, hors ligne, sur un fichier d'adresses au format BAN.

Lit un fichier `adresses-<dep>.csv(.gz)` d'adresse.data.gouv.fr (séparateur `;`, en-tête décrit
dans `shared/reference/geography.md` §7) ou le fichier fictif du territoire de démonstration,
et compare les adresses normalisées (accents, casse, ponctuation, abréviations, bis/ter).

Index : voies par (nom normalisé, commune), liste inversée mot → voies, communes par nom et
par code postal, arbre des points pour la recherche inverse. Aucune requête ne parcourt tout
le fichier.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import io
import math
import re
import threading
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np
from scipy.spatial import cKDTree

from quartiers.core.geo.geocoding.base import GeocodeResult, GeocodingError, ResultType
from quartiers.core.geo.geocoding.normalize import (
    STOPWORDS,
    ParsedQuery,
    key,
    parse_query,
    repetition,
    significant,
    tokens,
)

BAN_COLUMNS = [
    "id",
    "id_fantoir",
    "numero",
    "rep",
    "nom_voie",
    "code_postal",
    "code_insee",
    "nom_commune",
    "code_insee_ancienne_commune",
    "nom_ancienne_commune",
    "x",
    "y",
    "lon",
    "lat",
    "type_position",
    "alias",
    "nom_ld",
    "libelle_acheminement",
    "nom_afnor",
    "source_position",
    "source_nom_voie",
    "certification_commune",
    "cad_parcelles",
]
REQUIRED_COLUMNS = (
    "numero",
    "rep",
    "nom_voie",
    "code_postal",
    "code_insee",
    "nom_commune",
    "lon",
    "lat",
)

_PAREN = re.compile(r"\([^)]*\)")
# Un mot présent dans plus de voies que cela ne sert pas à trouver des candidats (« rue »).
COMMON_WORD = 2_000
# Pénalités (facteurs multiplicatifs du score).
FUZZY_WORD = 0.9  # mot corrigé (faute de frappe)
NO_COMMUNE_GIVEN = 0.9  # ni code postal ni commune dans la requête
OTHER_COMMUNE = 0.6  # la commune demandée n'est pas celle de la voie
NUMBER_NOT_FOUND = 0.85  # numéro demandé absent de la voie : centre de la voie
REPETITION_NOT_FOUND = 0.9  # « 12 bis » absent, « 12 » trouvé


class BanFileError(GeocodingError):
    """Fichier BAN illisible ou sans les colonnes attendues."""


@dataclass
class _Street:
    name: str
    insee_code: str
    postcode: str
    city: str
    words: tuple[str, ...]
    numbers: dict[str, tuple[float, float, str]] = field(default_factory=dict)
    lon_sum: float = 0.0
    lat_sum: float = 0.0
    points: int = 0

    @property
    def lon(self) -> float:
        return self.lon_sum / self.points

    @property
    def lat(self) -> float:
        return self.lat_sum / self.points


@dataclass
class _Commune:
    name: str
    insee_code: str
    words: tuple[str, ...]
    postcodes: set[str] = field(default_factory=set)
    lon_sum: float = 0.0
    lat_sum: float = 0.0
    points: int = 0


@dataclass(frozen=True)
class _Candidate:
    score: float
    street: int


class BanFileGeocoder:
    """Géocodeur hors ligne sur un fichier BAN (un département ou le territoire de démonstration).

    Le fichier est lu au premier appel (paresseusement) puis gardé en mémoire.
    """

    max_concurrency = 1  # calcul en mémoire : des fils en parallèle n'iraient pas plus vite

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._loaded = False
        self._streets: list[_Street] = []
        self._by_key: dict[tuple[str, str], int] = {}
        self._postings: dict[str, list[int]] = defaultdict(list)
        self._vocabulary: dict[str, list[str]] = defaultdict(list)
        self._communes: dict[str, _Commune] = {}
        self._commune_by_word: dict[str, set[str]] = defaultdict(set)
        self._by_postcode: dict[str, set[str]] = defaultdict(set)
        self._tree: cKDTree | None = None
        self._point_street: np.ndarray = np.zeros(0, dtype=np.int64)
        self._point_number: list[str] = []
        self._cos_lat = 1.0
        self.skipped_rows = 0

    # -- chargement ---------------------------------------------------------------------------

    def load(self) -> None:
        """Lit et indexe le fichier (une seule fois) ; `BanFileError` en français sinon."""
        with self._lock:
            if self._loaded:
                return
            self._build()
            self._loaded = True

    def _open(self) -> IO[str]:
        if not self.path.exists():
            raise BanFileError(f"fichier d'adresses BAN « {self.path} » introuvable")
        if self.path.suffix == ".gz":
            return io.TextIOWrapper(gzip.open(self.path, "rb"), encoding="utf-8-sig", newline="")
        return open(self.path, encoding="utf-8-sig", newline="")

    def rows(self) -> Iterator[tuple[str, str, str, str, str, str, float, float]]:
        """Lignes valides : numero, rep, nom_voie, code_postal, code_insee, commune, lon, lat."""
        with self._open() as handle:
            reader = csv.reader(handle, delimiter=";")
            try:
                header = [h.strip().lower() for h in next(reader)]
            except StopIteration:
                raise BanFileError(f"fichier d'adresses BAN « {self.path} » vide") from None
            except (OSError, UnicodeDecodeError) as exc:
                raise BanFileError(f"fichier « {self.path} » illisible : {exc}") from exc
            missing = [c for c in REQUIRED_COLUMNS if c not in header]
            if missing:
                raise BanFileError(
                    f"fichier « {self.path} » : colonne(s) {', '.join(missing)} absente(s) ; "
                    "en-tête BAN attendu (séparateur « ; ») : " + ";".join(BAN_COLUMNS[:14]) + "…"
                )
            idx = [header.index(c) for c in REQUIRED_COLUMNS]
            width = max(idx) + 1
            try:
                for row in reader:
                    if len(row) < width:
                        self.skipped_rows += 1
                        continue
                    numero, rep, voie, cp, insee, commune, lon_s, lat_s = (row[i] for i in idx)
                    try:
                        lon, lat = float(lon_s), float(lat_s)
                    except ValueError:
                        self.skipped_rows += 1
                        continue
                    if not (-180 <= lon <= 180 and -90 <= lat <= 90) or not voie.strip():
                        self.skipped_rows += 1
                        continue
                    yield (
                        numero.strip(),
                        rep,
                        voie.strip(),
                        cp.strip(),
                        insee.strip(),
                        commune.strip(),
                        lon,
                        lat,
                    )
            except (OSError, UnicodeDecodeError, csv.Error) as exc:
                raise BanFileError(f"fichier « {self.path} » illisible : {exc}") from exc

    def _build(self) -> None:
        lons: list[float] = []
        lats: list[float] = []
        point_street: list[int] = []
        raw_ids: dict[tuple[str, str], int] = {}  # (nom brut, commune) : évite de renormaliser
        reps: dict[str, str] = {}
        for numero, rep, voie, cp, insee, commune, lon, lat in self.rows():
            sid = raw_ids.get((voie, insee), -1)
            if sid < 0:
                street_key = (key(voie), insee)
                sid = self._by_key.get(street_key, -1)
                if sid < 0:
                    sid = len(self._streets)
                    self._by_key[street_key] = sid
                    words = tuple(significant(tokens(voie)))
                    self._streets.append(_Street(voie, insee, cp, commune, words))
                    for word in set(words):
                        self._postings[word].append(sid)
                raw_ids[(voie, insee)] = sid
            street = self._streets[sid]
            street.lon_sum += lon
            street.lat_sum += lat
            street.points += 1
            number = numero.lstrip("0") or numero
            if number and number.isdigit() and int(number) < 99_990:
                rep_key = reps.get(rep)
                if rep_key is None:
                    rep_key = reps[rep] = repetition(rep)
                raw = f"{number} {rep.strip()}".strip() if rep.strip() else number
                street.numbers.setdefault(f"{number}{rep_key}", (lon, lat, raw))
                lons.append(lon)
                lats.append(lat)
                point_street.append(sid)
                self._point_number.append(f"{number}{rep_key}")
            town = self._communes.get(insee)
            if town is None:
                # « Bellerive (fictive) », « Marseille 1er Arrondissement » : le nom sans parenthèse.
                town = _Commune(
                    commune, insee, tuple(significant(tokens(_PAREN.sub(" ", commune))))
                )
                self._communes[insee] = town
                for word in town.words:
                    self._commune_by_word[word].add(insee)
            town.postcodes.add(cp)
            town.lon_sum += lon
            town.lat_sum += lat
            town.points += 1
            self._by_postcode[cp].add(insee)
        if not self._streets:
            raise BanFileError(f"fichier d'adresses BAN « {self.path} » : aucune adresse lisible")
        for word in self._postings:
            self._vocabulary[word[:1]].append(word)
        for words in (c.words for c in self._communes.values()):
            for word in words:
                if word not in self._postings:
                    self._vocabulary[word[:1]].append(word)
        if lons:
            self._cos_lat = math.cos(math.radians(float(np.mean(lats))))
            coords = np.column_stack([np.asarray(lons) * self._cos_lat, np.asarray(lats)])
            self._tree = cKDTree(coords)
            self._point_street = np.asarray(point_street, dtype=np.int64)

    @property
    def address_count(self) -> int:
        self.load()
        return len(self._point_number)

    # -- recherche ----------------------------------------------------------------------------

    def search(self, query: str, limit: int = 5) -> list[GeocodeResult]:
        """Les meilleures adresses pour un texte libre, score dans [0, 1], meilleur d'abord."""
        self.load()
        parsed = parse_query(query)
        if not parsed.words and not parsed.postcode:
            return []
        words, corrections = self._correct(parsed.words)
        communes, commune_words = self._communes_in(words, parsed.postcode)
        results: list[GeocodeResult] = []
        for cand in self._street_candidates(words, communes, commune_words, parsed)[:limit]:
            results.append(self._street_result(cand, parsed, corrections))
        municipality = self._municipality_result(words, communes, commune_words, corrections)
        if municipality is not None:
            results.append(municipality)
        results.sort(key=lambda r: r.score, reverse=True)
        return results[:limit]

    def search_many(self, queries: Sequence[str]) -> list[GeocodeResult | None]:
        out: list[GeocodeResult | None] = []
        for query in queries:
            found = self.search(query, limit=1)
            out.append(found[0] if found else None)
        return out

    def reverse(self, lon: float, lat: float, limit: int = 1) -> list[GeocodeResult]:
        """Les adresses les plus proches d'un point (score : 1 au point, 0 à 1 km et plus)."""
        self.load()
        if self._tree is None:
            return []
        k = max(1, min(limit, len(self._point_number)))
        dist, idx = self._tree.query([lon * self._cos_lat, lat], k=k)
        dists = np.atleast_1d(dist)
        idxs = np.atleast_1d(idx)
        results = []
        for d, i in zip(dists.tolist(), idxs.tolist(), strict=True):
            street = self._streets[int(self._point_street[i])]
            number_key = self._point_number[i]
            plon, plat, raw = street.numbers[number_key]
            metres = d * 111_320
            score = max(0.0, 1.0 - metres / 1000)
            results.append(
                GeocodeResult(
                    label=_label(raw, street),
                    lon=plon,
                    lat=plat,
                    score=round(score, 4),
                    result_type=ResultType.HOUSENUMBER,
                    insee_code=street.insee_code,
                    postcode=street.postcode,
                    city=street.city,
                )
            )
        return results

    # -- étapes -------------------------------------------------------------------------------

    def _correct(self, words: Sequence[str]) -> tuple[list[str], int]:
        """Remplace les mots inconnus par le plus proche du vocabulaire (fautes de frappe)."""
        out: list[str] = []
        corrections = 0
        for position, word in enumerate(words):
            if word in self._postings or word in self._commune_by_word or word.isdigit():
                out.append(word)
                continue
            if position == len(words) - 1 and len(word) >= 2:
                # Dernier mot en cours de frappe (autocomplétion) : « tilleu » → « tilleuls ».
                starts = [w for w in self._vocabulary.get(word[:1], []) if w.startswith(word)]
                if starts:
                    out.append(min(starts, key=lambda w: (-len(self._postings.get(w, ())), w)))
                    corrections += 1
                    continue
            if word in STOPWORDS or len(word) < 4:
                out.append(word)
                continue
            close = difflib.get_close_matches(word, self._vocabulary.get(word[:1], []), 1, 0.8)
            if close:
                out.append(close[0])
                corrections += 1
            else:
                out.append(word)
        return out, corrections

    def _communes_in(self, words: Sequence[str], postcode: str) -> tuple[set[str], set[str]]:
        """Communes désignées par la requête (nom complet ou code postal) et les mots du nom."""
        present = set(words)
        found: set[str] = set()
        name_words: set[str] = set()
        candidates: set[str] = set()
        for word in present:
            candidates |= self._commune_by_word.get(word, set())
        best = 0.0
        for insee in candidates:
            town = self._communes[insee]
            common = set(town.words) & present
            if not town.words or not common:
                continue
            # Nom complet, ou au moins la moitié d'un nom composé (« st aubin » pour
            # « Saint-Aubin-sur-Lune ») ; le nom reconnu le plus long gagne.
            if common == set(town.words) or (
                len(common) >= 2 and 2 * len(common) >= len(town.words)
            ):
                size = len(common) + (0.5 if common == set(town.words) else 0.0)
                if size > best:
                    best, found, name_words = size, {insee}, set(common)
                elif size == best:
                    found.add(insee)
                    name_words |= common
        if postcode:
            by_cp = self._by_postcode.get(postcode, set())
            found = (found & by_cp) or (found if found else set(by_cp))
        return found, name_words

    def _street_candidates(
        self,
        words: Sequence[str],
        communes: set[str],
        commune_words: set[str],
        parsed: ParsedQuery,
    ) -> list[_Candidate]:
        query = [w for w in words if w not in STOPWORDS]
        if not query:
            return []
        pool: set[int] = set()
        rare = [w for w in set(query) if 0 < len(self._postings.get(w, ())) <= COMMON_WORD]
        for word in rare:
            pool.update(self._postings[word])
        if not pool:  # seulement des mots courants : restreindre aux communes désignées
            for word in set(query):
                ids = self._postings.get(word, [])
                pool.update(
                    i for i in ids if not communes or self._streets[i].insee_code in communes
                )
        scored = []
        for sid in pool:
            street = self._streets[sid]
            in_commune = street.insee_code in communes
            street_query = [w for w in query if not (in_commune and w in commune_words)]
            if not street_query:
                continue
            matched = len(set(street.words) & set(street_query))
            if not matched:
                continue
            dice = 2 * matched / (len(set(street.words)) + len(set(street_query)))
            if communes:
                factor = 1.0 if in_commune else OTHER_COMMUNE
            elif parsed.postcode:
                factor = OTHER_COMMUNE
            else:
                factor = NO_COMMUNE_GIVEN
            scored.append(_Candidate(dice * factor, sid))
        scored.sort(key=lambda c: (-c.score, self._streets[c.street].name))
        return scored

    def _street_result(
        self, cand: _Candidate, parsed: ParsedQuery, corrections: int
    ) -> GeocodeResult:
        street = self._streets[cand.street]
        score = cand.score * FUZZY_WORD**corrections
        if parsed.housenumber:
            hit = street.numbers.get(parsed.number_key)
            if hit is None and parsed.repetition:
                hit = street.numbers.get(parsed.housenumber)
                score *= REPETITION_NOT_FOUND
            if hit is not None:
                lon, lat, raw = hit
                return GeocodeResult(
                    _label(raw, street),
                    lon,
                    lat,
                    round(min(score, 1.0), 4),
                    ResultType.HOUSENUMBER,
                    street.insee_code,
                    street.postcode,
                    street.city,
                )
            score *= NUMBER_NOT_FOUND
        return GeocodeResult(
            _label("", street),
            street.lon,
            street.lat,
            round(min(score, 1.0), 4),
            ResultType.STREET,
            street.insee_code,
            street.postcode,
            street.city,
        )

    def _municipality_result(
        self, words: Sequence[str], communes: set[str], commune_words: set[str], corrections: int
    ) -> GeocodeResult | None:
        if len(communes) != 1:
            return None
        town = self._communes[next(iter(communes))]
        rest = [w for w in words if w not in commune_words and w not in STOPWORDS]
        # Seule la commune est reconnue : d'autant moins sûr qu'il reste des mots non compris.
        score = (1.0 if not rest else 0.5 / len(rest) ** 0.5) * FUZZY_WORD**corrections
        return GeocodeResult(
            town.name,
            town.lon_sum / town.points,
            town.lat_sum / town.points,
            round(score, 4),
            ResultType.MUNICIPALITY,
            town.insee_code,
            min(town.postcodes) if town.postcodes else "",
            town.name,
        )


def _label(number: str, street: _Street) -> str:
    head = f"{number} {street.name}" if number else street.name
    return f"{head} {street.postcode} {street.city}".strip()
