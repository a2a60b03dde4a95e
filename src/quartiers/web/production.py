"""Ce que le mode production (`QUARTIERS_ENV=production`) exige avant de servir.

`quartiers serve` refuse de démarrer tant qu'une de ces règles n'est pas remplie : mieux vaut un
service qui ne démarre pas qu'un service qui signe ses sessions avec une clé publiée dans le dépôt.
"""

from __future__ import annotations

MIN_SECRET_KEY_LENGTH = 32
GENERATE_KEY = 'python3 -c "import secrets; print(secrets.token_urlsafe(50))"'


def production_errors() -> list[str]:
    """Les règles non remplies, en français ; liste vide hors production ou si tout va bien."""
    from django.conf import settings

    if not settings.QUARTIERS_PRODUCTION:
        return []
    errors = []
    key = str(settings.SECRET_KEY or "")
    if not key or key == settings.DEFAULT_SECRET_KEY:
        errors.append(
            "QUARTIERS_SECRET_KEY est absente ou vaut la clé de démonstration : donnez une clé "
            f"secrète propre à ce serveur (par exemple : {GENERATE_KEY})."
        )
    elif len(key) < MIN_SECRET_KEY_LENGTH:
        errors.append(
            f"QUARTIERS_SECRET_KEY est trop courte ({len(key)} caractères, au moins "
            f"{MIN_SECRET_KEY_LENGTH} attendus) : {GENERATE_KEY}"
        )
    if not settings.ALLOWED_HOSTS:
        errors.append(
            "QUARTIERS_ALLOWED_HOSTS est vide : donnez les noms d'hôte servis, séparés par des "
            "virgules (par exemple : quartiers.exemple.gouv.fr)."
        )
    if settings.DEBUG:
        errors.append("QUARTIERS_DEBUG=1 est interdit en production (il afficherait le code).")
    if settings.QUARTIERS_DEMO_REQUESTED:
        errors.append(
            "QUARTIERS_DEMO=1 est interdit en production (la page de connexion afficherait les "
            "mots de passe des comptes de démonstration)."
        )
    return errors
