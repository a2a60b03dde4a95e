"""Réglages que toutes les pages peuvent lire (fond de carte optionnel)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def map_settings(request: HttpRequest) -> dict[str, str]:
    """Fond de carte : aucun par défaut (hors ligne), sinon l'URL de tuiles et son attribution."""
    return {
        "tiles_url": settings.QUARTIERS_MAP_TILES_URL,
        "tiles_attribution": settings.QUARTIERS_MAP_ATTRIBUTION,
    }
