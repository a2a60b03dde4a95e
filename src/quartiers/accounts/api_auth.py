"""Authentification de l'API : jeton personnel (`Authorization: Bearer qrt_…`) ou session.

`session_or_token` se passe tel quel à un routeur ou une opération django-ninja
(`Router(auth=session_or_token)`) ; l'opération lit le compte dans `request.auth`.
Le jeton passe d'abord (scripts, sans CSRF) ; la session ensuite (pages), avec le contrôle
CSRF sur les méthodes qui modifient. Chaque refus est un 401 ou 403 expliqué en français.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from quartiers.accounts.models import User
from quartiers.accounts.services import authenticate_token

NOT_AUTHENTICATED = (
    "Authentification requise : connectez-vous (session) ou envoyez un jeton personnel "
    "dans l'en-tête « Authorization: Bearer qrt_… » (page « Mon compte »)."
)


class TokenAuth(HttpBearer):
    """Jeton personnel d'API ; un jeton présent mais invalide est refusé sans essayer la session."""

    openapi_name = "jeton"

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header, "")
        if not header:
            return None
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise HttpError(401, "En-tête « Authorization » mal formé : attendu « Bearer qrt_… ».")
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = authenticate_token(token)
        if user is None:
            raise HttpError(401, "Jeton d'API inconnu, révoqué ou expiré.")
        return user


class SessionAuth(APIKeyCookie):
    """Session des pages ; contrôle CSRF sur POST, PUT, PATCH, DELETE."""

    openapi_name = "session"
    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> User:
        user = getattr(request, "user", None)
        if not (isinstance(user, User) and user.is_authenticated and user.is_active):
            raise HttpError(401, NOT_AUTHENTICATED)
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(
                403,
                "Vérification CSRF échouée : envoyez l'en-tête « X-CSRFToken » de la page, "
                "ou utilisez un jeton personnel.",
            )
        return user

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        return None  # non utilisé : `__call__` décide


token_auth = TokenAuth()
session_auth = SessionAuth()
session_or_token: list[Any] = [token_auth, session_auth]
