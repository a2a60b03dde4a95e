"""Géocodage au protocole de la BAN et d'addok (`/search/`, `/reverse/`, `/search/csv/`).

Contrat commun à tous les moteurs (HTTP : API nationale ou addok local ; fichier BAN embarqué).
Un résultat trop peu sûr (score sous le seuil) ou plus grossier qu'une rue n'est jamais classé :
il revient « à vérifier » avec sa raison.
"""

from quartiers.core.geo.geocoding.base import (
    Geocoder,
    GeocodeResult,
    GeocodingError,
    ResultType,
)

__all__ = ["GeocodeResult", "Geocoder", "GeocodingError", "ResultType"]
