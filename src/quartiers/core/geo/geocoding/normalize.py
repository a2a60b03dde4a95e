"""Normalisation des adresses françaises pour la comparaison : accents, casse, ponctuation,
abréviations de types de voie, indices de répétition (bis, ter, quater).

Les abréviations suivent l'usage courant des adresses postales (norme AFNOR NF Z 10-011 pour
les types de voie : « BD » boulevard, « AV » avenue, « R » rue, « PL » place, « CHE » chemin,
« IMP » impasse, « ALL » allée…) et celles de la BAN (`nom_afnor`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from unidecode import unidecode

# Abréviation (déjà normalisée : minuscules, sans accent) → forme longue.
ABBREVIATIONS: dict[str, str] = {
    "bd": "boulevard",
    "bld": "boulevard",
    "blvd": "boulevard",
    "boul": "boulevard",
    "av": "avenue",
    "ave": "avenue",
    "avn": "avenue",
    "r": "rue",
    "pl": "place",
    "che": "chemin",
    "ch": "chemin",
    "chem": "chemin",
    "imp": "impasse",
    "all": "allee",
    "al": "allee",
    "rte": "route",
    "crs": "cours",
    "sq": "square",
    "qu": "quai",
    "qua": "quai",
    "fg": "faubourg",
    "fbg": "faubourg",
    "res": "residence",
    "rpt": "rond point",
    "sen": "sentier",
    "pas": "passage",
    "prom": "promenade",
    "lot": "lotissement",
    "ham": "hameau",
    "cite": "cite",
    "st": "saint",
    "ste": "sainte",
    "sts": "saints",
    "stes": "saintes",
    "gal": "general",
    "gen": "general",
    "mal": "marechal",
    "mar": "marechal",
    "pdt": "president",
    "pres": "president",
    "dr": "docteur",
    "doct": "docteur",
    "pr": "professeur",
    "prof": "professeur",
    "cdt": "commandant",
    "cne": "capitaine",
    "lt": "lieutenant",
    "ld": "lieu dit",
    "n": "",  # « n° 12 » → « 12 »
    "no": "",
}

# Indices de répétition (BAN colonne `rep`) et leurs formes courtes.
REPETITIONS: dict[str, str] = {
    "bis": "bis",
    "b": "bis",
    "ter": "ter",
    "t": "ter",
    "quater": "quater",
    "q": "quater",
    "quinquies": "quinquies",
}

# Mots vides : ils ne distinguent pas deux voies.
STOPWORDS = frozenset({"de", "du", "des", "la", "le", "les", "l", "d", "a", "au", "aux", "et"})

_NUMBER = re.compile(r"^(\d{1,4})([a-z]*)$")
_POSTCODE = re.compile(r"^\d{5}$")


def fold(text: str) -> str:
    """Minuscules, sans accent, ponctuation remplacée par des espaces, espaces réduits."""
    ascii_text = unidecode((text or "").replace("°", " ").replace("º", " ")).lower()
    ascii_text = re.sub(r"[^a-z0-9]+", " ", ascii_text)
    return ascii_text.strip()


def tokens(text: str) -> list[str]:
    """Mots normalisés, abréviations développées (« bd » → « boulevard »)."""
    out: list[str] = []
    for word in fold(text).split():
        expanded = ABBREVIATIONS.get(word, word)
        if expanded:
            out.extend(expanded.split())
    return out


def key(text: str) -> str:
    """Clé de comparaison d'un nom de voie ou de commune (abréviations développées)."""
    return " ".join(tokens(text))


def significant(words: list[str]) -> list[str]:
    """Les mots qui distinguent une voie (sans les mots vides)."""
    return [w for w in words if w not in STOPWORDS]


def repetition(raw: str) -> str:
    """Indice de répétition normalisé (« B » → « bis ») ; chaîne vide si aucun ou inconnu."""
    return REPETITIONS.get(fold(raw).replace(" ", ""), fold(raw).replace(" ", ""))


@dataclass(frozen=True)
class ParsedQuery:
    """Une adresse en texte libre découpée : numéro, indice, mots de voie/commune, code postal."""

    housenumber: str
    repetition: str
    words: tuple[str, ...]
    postcode: str

    @property
    def number_key(self) -> str:
        return f"{self.housenumber}{self.repetition}" if self.housenumber else ""


def parse_query(text: str) -> ParsedQuery:
    """Découpe une adresse : « 12 bis bd V. Hugo 18999 Bellerive » → 12, bis, mots, 18999."""
    raw = fold(text).split()
    housenumber = ""
    rep = ""
    postcode = ""
    words: list[str] = []
    i = 0
    # Numéro en tête (« 12 », « 12bis », « 12 b », « n 12 »).
    while i < len(raw) and raw[i] in {"n", "no"}:
        i += 1
    if i < len(raw):
        match = _NUMBER.match(raw[i])
        if match and not _POSTCODE.match(raw[i]):
            housenumber = str(int(match.group(1)))
            suffix = match.group(2)
            if suffix in REPETITIONS:
                rep = REPETITIONS[suffix]
            elif len(suffix) == 1:  # « 12a » : indice par lettre
                rep = suffix
            i += 1
            if not suffix and i < len(raw) and raw[i] in REPETITIONS and i + 1 < len(raw):
                rep = REPETITIONS[raw[i]]
                i += 1
    for word in raw[i:]:
        if _POSTCODE.match(word) and not postcode:
            postcode = word
            continue
        expanded = ABBREVIATIONS.get(word, word)
        if expanded:
            words.extend(expanded.split())
    return ParsedQuery(housenumber, rep, tuple(words), postcode)
