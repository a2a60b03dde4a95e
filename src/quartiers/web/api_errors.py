"""Les erreurs de l'API, toutes en JSON et en français : le seul endroit qui les fabrique.

django-ninja et pydantic répondent en anglais (« Field required », « Not Found », « Method not
allowed », « Cannot parse request body »), parfois en HTML ou en texte brut (route inconnue,
méthode refusée, exception). Ici :

- `install(api)` remplace les gestionnaires d'exceptions de ninja (validation, `HttpError`,
  authentification, 404, toute autre exception → 500 avec le traceback au journal seulement) ;
- `ApiErrorsMiddleware` rattrape ce qui sort de ninja sous `/api/` sans être du JSON (route
  inconnue, 405 de ninja, 413/400 de Django, page 500) et le réécrit en JSON français ;
- `translate_errors` traduit chaque erreur pydantic en une phrase qui nomme le champ
  (« champ points[3].lon : nombre attendu ») et garde la liste structurée.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger("quartiers.api")

API_PREFIX = "/api/"
MAX_DETAIL_MESSAGES = 5

STATUS_MESSAGES = {
    400: "requête invalide",
    401: "authentification requise",
    403: "accès refusé",
    404: "adresse d'API inconnue",
    405: "méthode HTTP non permise sur cette adresse",
    408: "délai dépassé",
    413: "requête trop volumineuse",
    415: "type de contenu non pris en charge",
    429: "trop de requêtes : réessayez plus tard",
    500: "erreur interne du serveur : elle est consignée au journal, réessayez plus tard",
    502: "un service distant a répondu de façon illisible",
    503: "service momentanément indisponible",
}

# Messages anglais que ninja pose lui-même sur ses `HttpError`.
NINJA_MESSAGES = {
    "Cannot parse request body": "corps de la requête illisible : document JSON valide attendu",
    "Unauthorized": "authentification requise : identifiants absents ou invalides",
    "Forbidden": "accès refusé : droits insuffisants pour cette opération",
    "Too many requests.": "trop de requêtes : réessayez plus tard",
}

LOCATION_LABELS = {"query": "paramètre", "path": "paramètre de chemin", "header": "en-tête"}


def _expected(ctx: dict[str, Any]) -> str:
    return str(ctx.get("expected", "")).replace(" or ", " ou ")


# type d'erreur pydantic → ce qui était attendu, en français.
def _refused(ctx: dict[str, Any]) -> str:
    return "valeur refusée"


ERROR_TYPES: dict[str, Callable[[dict[str, Any]], str]] = {
    "missing": lambda c: "valeur requise",
    "float_parsing": lambda c: "nombre attendu",
    "float_type": lambda c: "nombre attendu",
    "finite_number": lambda c: "nombre fini attendu",
    "decimal_parsing": lambda c: "nombre décimal attendu",
    "decimal_type": lambda c: "nombre décimal attendu",
    "int_parsing": lambda c: "nombre entier attendu",
    "int_type": lambda c: "nombre entier attendu",
    "int_from_float": lambda c: "nombre entier attendu (sans partie décimale)",
    "int_parsing_size": lambda c: "nombre entier trop grand",
    "bool_parsing": lambda c: "booléen attendu (true ou false)",
    "bool_type": lambda c: "booléen attendu (true ou false)",
    "string_type": lambda c: "texte attendu",
    "string_unicode": lambda c: "texte Unicode valide attendu",
    "string_too_short": lambda c: f"texte d'au moins {c.get('min_length')} caractère(s) attendu",
    "string_too_long": lambda c: f"texte d'au plus {c.get('max_length')} caractère(s) attendu",
    "string_pattern_mismatch": lambda c: f"texte de la forme {c.get('pattern')} attendu",
    "too_short": lambda c: f"au moins {c.get('min_length')} élément(s) attendu(s)",
    "too_long": lambda c: f"au plus {c.get('max_length')} élément(s) attendu(s)",
    "greater_than": lambda c: f"valeur strictement supérieure à {c.get('gt')} attendue",
    "greater_than_equal": lambda c: f"valeur supérieure ou égale à {c.get('ge')} attendue",
    "less_than": lambda c: f"valeur strictement inférieure à {c.get('lt')} attendue",
    "less_than_equal": lambda c: f"valeur inférieure ou égale à {c.get('le')} attendue",
    "multiple_of": lambda c: f"multiple de {c.get('multiple_of')} attendu",
    "date_parsing": lambda c: "date attendue au format AAAA-MM-JJ",
    "date_type": lambda c: "date attendue au format AAAA-MM-JJ",
    "date_from_datetime_parsing": lambda c: "date attendue au format AAAA-MM-JJ",
    "date_from_datetime_inexact": lambda c: "date sans heure attendue (AAAA-MM-JJ)",
    "datetime_parsing": lambda c: "date et heure attendues (AAAA-MM-JJTHH:MM:SS)",
    "datetime_type": lambda c: "date et heure attendues (AAAA-MM-JJTHH:MM:SS)",
    "datetime_from_date_parsing": lambda c: "date et heure attendues (AAAA-MM-JJTHH:MM:SS)",
    "time_parsing": lambda c: "heure attendue (HH:MM:SS)",
    "time_type": lambda c: "heure attendue (HH:MM:SS)",
    "list_type": lambda c: "liste attendue",
    "tuple_type": lambda c: "liste attendue",
    "set_type": lambda c: "liste attendue",
    "iterable_type": lambda c: "liste attendue",
    "dict_type": lambda c: "objet {…} attendu",
    "model_type": lambda c: "objet {…} attendu",
    "model_attributes_type": lambda c: "objet {…} attendu",
    "dataclass_type": lambda c: "objet {…} attendu",
    "json_invalid": lambda c: "document JSON valide attendu",
    "json_type": lambda c: "document JSON valide attendu",
    "literal_error": lambda c: f"une valeur parmi {_expected(c)} attendue",
    "enum": lambda c: f"une valeur parmi {_expected(c)} attendue",
    "extra_forbidden": lambda c: "champ inconnu",
    "none_required": lambda c: "valeur nulle attendue",
    "uuid_parsing": lambda c: "identifiant UUID attendu",
    "uuid_type": lambda c: "identifiant UUID attendu",
    "url_parsing": lambda c: "adresse web (URL) attendue",
    "url_type": lambda c: "adresse web (URL) attendue",
    "bytes_type": lambda c: "texte attendu",
    "union_tag_invalid": lambda c: f"type parmi {_expected(c)} attendu",
    "union_tag_not_found": lambda c: "type d'objet manquant",
}


def field_path(loc: Sequence[Any]) -> str:
    """`("points", 3, "lon")` → `points[3].lon`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _body_keys(request: HttpRequest | None) -> set[str]:
    if request is None:
        return set()
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return set()
    return set(data) if isinstance(data, dict) else set()


# Ce que désigne un nom de champ court (« paramètre lon (longitude) : … »).
FIELD_MEANINGS = {"lon": "longitude", "lat": "latitude"}


def _number(value: Any) -> Any:
    """180.0 → 180 dans les messages (les bornes des flottants)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def translate_error(error: dict[str, Any], body_keys: Iterable[str] = ()) -> dict[str, Any]:
    """Une erreur de validation (format ninja : `loc` commence par la source) en français."""
    loc = list(error.get("loc") or [])
    source = str(loc.pop(0)) if loc else "body"
    # Corps : ninja préfixe le nom du paramètre Python (« payload »), que le client n'a pas écrit.
    keys = set(body_keys)
    if source == "body" and loc and isinstance(loc[0], str) and loc[0] not in keys:
        loc.pop(0)
    path = field_path(loc)
    kind = str(error.get("type", ""))
    ctx = {k: _number(v) for k, v in (error.get("ctx") or {}).items()}
    expected = ERROR_TYPES.get(kind, _refused)(ctx)
    if source == "body" and not path:
        sentence = (
            "corps de la requête manquant : objet {…} attendu"
            if kind == "missing"
            else f"corps de la requête : {expected}"
        )
    else:
        meaning = FIELD_MEANINGS.get(path)
        shown = f"{path} ({meaning})" if meaning else path or "?"
        sentence = f"{LOCATION_LABELS.get(source, 'champ')} {shown} : {expected}"
    return {"location": source, "field": path, "type": kind, "message": sentence}


def translate_errors(
    errors: Iterable[dict[str, Any]], request: HttpRequest | None = None
) -> list[dict[str, Any]]:
    keys = _body_keys(request)
    return [
        translate_error(e, keys)
        if isinstance(e, dict) and "loc" in e
        else {"location": "", "field": "", "type": "", "message": "valeur refusée"}
        for e in errors
    ]


def validation_payload(errors: list[dict[str, Any]]) -> dict[str, Any]:
    messages = [e["message"] for e in errors]
    shown = " ; ".join(messages[:MAX_DETAIL_MESSAGES])
    if len(messages) > MAX_DETAIL_MESSAGES:
        shown += f" ; et {len(messages) - MAX_DETAIL_MESSAGES} autre(s) erreur(s)"
    return {"detail": f"requête invalide : {shown}", "errors": errors}


def error_response(status: int, detail: str | None = None, **extra: Any) -> JsonResponse:
    body = {"detail": detail or STATUS_MESSAGES.get(status, f"erreur {status}"), **extra}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def install(api: NinjaAPI) -> None:
    """Pose sur `api` les gestionnaires français de ninja (validation, HTTP, 404, 500)."""
    from ninja.errors import HttpError, ValidationError

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return error_response(422, **validation_payload(translate_errors(exc.errors, request)))

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        message = str(exc)
        for english, french in NINJA_MESSAGES.items():
            if message.startswith(english):
                message = french
                break
        response = error_response(exc.status_code, message)
        wait = getattr(exc, "wait", None)
        if exc.status_code == 429 and wait:
            response["Retry-After"] = str(wait)
        return response

    def on_404(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(404, "ressource introuvable")

    def on_exception(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.error("erreur interne sur %s %s", request.method, request.path, exc_info=exc)
        return error_response(500)

    # Les signatures attendues par ninja sont plus larges que nos gestionnaires : même objets.
    handlers: list[tuple[type[Exception], Any]] = [
        (ValidationError, on_validation),
        (HttpError, on_http_error),
        (Http404, on_404),
        (Exception, on_exception),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)


ERROR_SCHEMA_NAME = "ErrorOut"
ERROR_SCHEMA = {
    "title": ERROR_SCHEMA_NAME,
    "type": "object",
    "properties": {
        "detail": {"title": "Detail", "type": "string", "description": "l'erreur, en français"}
    },
    "required": ["detail"],
}
COMMON_ERRORS = {
    400: "requête invalide : corps illisible ou caractère nul",
    401: "authentification requise",
    403: "accès refusé",
    404: "ressource introuvable",
    413: "requête trop volumineuse",
    422: "paramètre ou corps invalide : chaque champ fautif est nommé",
}


def document_common_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Ajoute à chaque opération du schéma OpenAPI les erreurs que produisent les mécanismes
    communs (ce module, `RejectNulMiddleware`, l'authentification, la validation) et qu'elle
    ne déclare pas déjà : 400 partout, 422 dès qu'il y a un paramètre ou un corps, 404 avec un
    paramètre de chemin, 401/403 derrière une authentification, 413 avec un corps. Chaque
    route déclare elle-même ses erreurs propres dans son `response={…}`."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(ERROR_SCHEMA_NAME, ERROR_SCHEMA)
    ref = {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}
    for item in schema.get("paths", {}).values():
        for method, op in item.items():
            if not isinstance(op, dict) or method not in {"get", "post", "put", "patch", "delete"}:
                continue
            params = op.get("parameters") or []
            codes = {400}
            if params or "requestBody" in op:
                codes.add(422)
            if any(p.get("in") == "path" for p in params):
                codes.add(404)
            if op.get("security"):
                codes.update({401, 403})
            if "requestBody" in op:
                codes.add(413)
            responses = op.setdefault("responses", {})
            declared = {str(key) for key in responses}  # ninja écrit des entiers, nous du texte
            for code in sorted(codes):
                if str(code) in declared:
                    continue  # une clé en double rend le schéma illisible (Swagger UI, js-yaml)
                responses[str(code)] = {
                    "description": COMMON_ERRORS[code],
                    "content": {"application/json": {"schema": ref}},
                }
    return schema


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIX)


class ApiErrorsMiddleware:
    """Sous `/api/`, toute réponse d'erreur qui n'est pas du JSON devient du JSON français.

    Ce sont les réponses produites hors des vues ninja : route inconnue (404 de Django), méthode
    refusée (405 de ninja, en texte anglais), requête trop grosse (Django), page 500.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and is_api_path(request.path)
            and not str(response.get("Content-Type", "")).startswith("application/json")
        ):
            detail = None
            if response.status_code == 405 and response.has_header("Allow"):
                detail = f"{STATUS_MESSAGES[405]} : méthodes permises {response['Allow']}"
            replacement = error_response(response.status_code, detail)
            if response.has_header("Allow"):
                replacement["Allow"] = response["Allow"]
            return replacement
        return response
