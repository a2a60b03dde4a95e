"""Géocodage au protocole de la BAN et d'addok (`/search/`, `/reverse/`, `/search/csv/`).

Contrat commun à tous les moteurs (HTTP : API nationale ou addok local ; fichier BAN embarqué).
Un résultat trop peu sûr (score sous le seuil) ou plus grossier qu'une rue n'est jamais classé :
il revient « à vérifier » avec sa raison.

    from quartiers.core.geo.geocoding import BanFileGeocoder, HttpGeocoder, assess
    geocoder = HttpGeocoder("http://127.0.0.1:7878")  # ou BanFileGeocoder("adresses-18.csv.gz")
    best = geocoder.search("12 bis bd Victor Hugo 18999 Bellerive", limit=1)
    verdict = assess(best[0] if best else None, min_score=0.6)
"""

from quartiers.core.geo.geocoding.ban_file import BanFileError, BanFileGeocoder
from quartiers.core.geo.geocoding.base import (
    Geocoder,
    GeocodeResult,
    GeocoderUnavailable,
    GeocodingError,
    ResultType,
)
from quartiers.core.geo.geocoding.confidence import Confidence, assess, default_min_score
from quartiers.core.geo.geocoding.http import HttpGeocoder

__all__ = [
    "BanFileError",
    "BanFileGeocoder",
    "Confidence",
    "GeocodeResult",
    "Geocoder",
    "GeocoderUnavailable",
    "GeocodingError",
    "HttpGeocoder",
    "ResultType",
    "assess",
    "default_min_score",
]
