"""Choix du géocodeur selon les réglages : serveur HTTP (addok, API nationale) ou fichier BAN.

- `QUARTIERS_GEOCODER_URL` renseigné : client HTTP au protocole addok ;
- sinon `QUARTIERS_BAN_FILE` (un fichier `adresses-<dep>.csv(.gz)`) : géocodeur embarqué ;
- sinon : géocodeur embarqué sur les adresses fictives de la démonstration (écrites sous VAR_DIR
  par `quartiers demo`).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from django.conf import settings

from quartiers.core.geo.geocoding import (
    BanFileError,
    BanFileGeocoder,
    Geocoder,
    HttpGeocoder,
    default_min_score,
)

DEMO_BAN_FILENAME = "adresses-demo-bellerive.csv"
_lock = threading.Lock()


def demo_ban_path() -> Path:
    """Où la démonstration écrit ses adresses fictives (format BAN)."""
    return Path(settings.VAR_DIR) / "demo" / DEMO_BAN_FILENAME


_cache: dict[tuple[Any, ...], Geocoder] = {}


def _config() -> tuple[Any, ...]:
    return (
        settings.QUARTIERS_GEOCODER_URL,
        settings.QUARTIERS_BAN_FILE,
        str(settings.VAR_DIR),
        settings.QUARTIERS_GEOCODER_WORKERS,
        settings.QUARTIERS_GEOCODER_TIMEOUT,
    )


def get_geocoder() -> Geocoder:
    """Le géocodeur configuré (un seul par configuration, partagé entre les fils)."""
    config = _config()
    with _lock:
        found = _cache.get(config)
        if found is not None:
            return found
        url, ban_file, _var, workers, timeout = config
        geocoder: Geocoder
        if url:
            geocoder = HttpGeocoder(url, timeout=timeout, max_concurrency=workers)
        elif ban_file:
            geocoder = BanFileGeocoder(ban_file)
        else:
            path = demo_ban_path()
            if not path.exists():
                raise BanFileError(
                    "aucun géocodeur configuré : réglez QUARTIERS_GEOCODER_URL (serveur addok ou "
                    "API nationale) ou QUARTIERS_BAN_FILE (fichier BAN), ou chargez la "
                    "démonstration (quartiers demo)"
                )
            geocoder = BanFileGeocoder(path)
        _cache.clear()
        _cache[config] = geocoder
        return geocoder


def geocoder_description() -> str:
    """Le moteur utilisé, en clair (pages, résumés, attestations)."""
    geocoder = get_geocoder()
    if isinstance(geocoder, HttpGeocoder):
        return f"serveur de géocodage au protocole BAN/addok ({geocoder.base_url})"
    if isinstance(geocoder, BanFileGeocoder):
        return f"fichier d'adresses BAN embarqué ({geocoder.path.name})"
    return type(geocoder).__name__


def min_score() -> float:
    """Score minimal : le réglage `QUARTIERS_GEOCODER_MIN_SCORE`, sinon le paramètre daté."""
    configured = settings.QUARTIERS_GEOCODER_MIN_SCORE
    return float(configured) if configured is not None else default_min_score()
