"""Types communs du géocodage : résultat, type de résultat, interface d'un géocodeur."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class ResultType(StrEnum):
    """Types de résultat du protocole BAN, du plus précis au plus grossier."""

    HOUSENUMBER = "housenumber"
    STREET = "street"
    LOCALITY = "locality"
    MUNICIPALITY = "municipality"


class GeocodingError(RuntimeError):
    """Le géocodeur n'a pas pu répondre (serveur injoignable, réponse illisible)."""


class GeocoderUnavailable(GeocodingError):
    """Le géocodeur est injoignable ou n'a pas répondu à temps (réessayer plus tard)."""


@dataclass(frozen=True)
class GeocodeResult:
    """Une réponse du géocodeur : position WGS84, score (0 à 1), type et libellé."""

    label: str
    lon: float
    lat: float
    score: float
    result_type: ResultType
    insee_code: str = ""
    postcode: str = ""
    city: str = ""


class Geocoder(Protocol):
    """Ce que tout moteur de géocodage sait faire."""

    def search(self, query: str, limit: int = 5) -> list[GeocodeResult]:
        """Les meilleurs résultats pour une adresse en texte libre, le meilleur d'abord."""
        ...

    def reverse(self, lon: float, lat: float, limit: int = 1) -> list[GeocodeResult]:
        """Les adresses les plus proches d'un point."""
        ...

    def search_many(self, queries: Sequence[str]) -> list[GeocodeResult | None]:
        """Le meilleur résultat de chaque adresse d'un lot (`None` si rien), dans l'ordre."""
        ...
