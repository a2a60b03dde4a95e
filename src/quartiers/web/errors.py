"""Page 500 : rendue sans contexte de requête, et en HTML minimal si même cela échoue.

Une erreur interne peut venir de la base, des processeurs de contexte ou des gabarits : la page
d'erreur ne doit dépendre d'aucun d'eux. Les pages 400, 403 et 404 sont celles de Django avec
les gabarits `400.html`, `403.html`, `404.html` de l'application web ; sous `/api/`,
`quartiers.web.api_errors` les remplace par du JSON.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader

from quartiers.web import api_errors

logger = logging.getLogger("quartiers.web")

FALLBACK_500 = (
    '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Erreur inattendue — '
    "Quartiers</title></head><body><main><h1>Erreur inattendue</h1><p>Désolé, le service "
    'rencontre un problème. Réessayez dans un moment.</p><p><a href="/">Page d\'accueil</a>'
    "</p></main></body></html>"
)


def server_error(request: HttpRequest) -> HttpResponse:
    if api_errors.is_api_path(request.path):
        return api_errors.error_response(500)
    try:
        body = loader.get_template("500.html").render()
    except Exception:
        logger.exception("la page 500 elle-même n'a pas pu être rendue")
        body = FALLBACK_500
    return HttpResponseServerError(body)
