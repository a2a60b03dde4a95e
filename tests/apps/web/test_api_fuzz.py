"""Fuzz de l'API (hypothesis) d'après son propre schéma OpenAPI : jamais de 500, toujours du JSON,
toujours du français.

Pour chaque opération du schéma, hypothesis tire des requêtes : paramètres du bon type ou n'importe
quel texte, présents ou absents ; corps conforme au schéma, à moitié conforme, JSON quelconque ou
octets illisibles. Chaque réponse doit être du JSON, sous 500 (seules exceptions : 502/503 du
géocodeur, en français), et toute erreur doit être en français (liste noire de tournures anglaises
de pydantic, ninja et Django). « JSON » reste permis : c'est le nom du format.
"""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quartiers import demo
from quartiers.api import api

pytestmark = pytest.mark.django_db

DENYLIST = (
    "field required",
    "input should",
    "value is not",
    "cannot parse",
    "not found",
    "method not allowed",
    "not allowed",
    "unauthorized",
    "forbidden",
    "internal server error",
    "invalid json",
    "json decode",
    "expecting value",
    "is not a valid",
    "should be",
    "must be",
    "unable to",
    "traceback (most recent call last)",
    "internal error",
)
# Tournures de plusieurs mots seulement : un mot seul (« missing ») peut venir de l'entrée
# tirée par hypothesis, que les messages citent entre guillemets.

SCHEMA = api.get_openapi_schema()
OPERATIONS = [
    (method, path, op)
    for path, item in SCHEMA["paths"].items()
    for method, op in item.items()
    if method in {"get", "post", "put", "patch", "delete"}
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
)
any_json = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref:
        return resolve(SCHEMA["components"]["schemas"][ref.rsplit("/", 1)[1]])
    return schema


def typed(schema: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """Une valeur du type du schéma (sans chercher à la rendre valide pour le métier)."""
    schema = resolve(schema)
    if "anyOf" in schema:
        return st.one_of([typed(s, depth) for s in schema["anyOf"]])
    kind = schema.get("type")
    if kind == "null":
        return st.none()
    if kind == "integer":  # petits, et au-delà des entiers de 64 bits (PostgreSQL)
        return st.integers(min_value=-5, max_value=2000) | st.sampled_from([2**31, 2**63, 10**30])
    if kind == "number":
        return st.floats(min_value=-200, max_value=200, allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "string" and schema.get("format") == "date":
        return st.dates().map(str)
    if kind == "string":
        return st.sampled_from(["QN01801M", "2024", "18", "20 avenue des Tilleuls", ""]) | st.text(
            max_size=20
        )
    if kind == "array" and depth < 3:
        return st.lists(maybe_typed(schema.get("items", {}), depth + 1), max_size=4)
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        if not props or depth >= 3:
            return st.dictionaries(st.text(max_size=10), scalars, max_size=4)
        return st.fixed_dictionaries(
            {}, optional={name: maybe_typed(s, depth + 1) for name, s in props.items()}
        )
    return any_json


def maybe_typed(schema: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    return st.one_of(typed(schema, depth), typed(schema, depth), any_json)


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def request_for(op: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    params: dict[str, st.SearchStrategy[Any]] = {}
    for p in op.get("parameters", []):
        params[f"{p['in']}:{p['name']}"] = st.one_of(
            typed(p["schema"]).map(as_text), st.text(max_size=20)
        )
    body_schema = (
        (op.get("requestBody") or {}).get("content", {}).get("application/json", {}).get("schema")
    )
    body: st.SearchStrategy[Any] = st.none()
    if body_schema:
        body = st.one_of(
            typed(body_schema).map(lambda v: json.dumps(v).encode()),
            any_json.map(lambda v: json.dumps(v).encode()),
            st.binary(max_size=40),
            st.just(b""),
        )
    return st.fixed_dictionaries({"body": body}, optional=params)


def french_messages(body: Any) -> list[str]:
    messages = [str(body.get("detail", ""))] if isinstance(body, dict) else []
    for error in body.get("errors", []) if isinstance(body, dict) else []:
        messages.append(str(error.get("message", "")))
    return messages


@pytest.mark.parametrize(
    ("method", "path", "op"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS]
)
def test_every_answer_is_json_french_and_below_500(method: str, path: str, op: dict) -> None:
    demo.build()
    client = Client(raise_request_exception=False)

    @settings(
        max_examples=int(os.environ.get("QUARTIERS_FUZZ_EXAMPLES", "40")),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(request=request_for(op))
    def check(request: dict[str, Any]) -> None:
        url = path
        query: dict[str, str] = {}
        for key, value in request.items():
            if key == "body":
                continue
            where, name = key.split(":", 1)
            if where == "path":
                url = url.replace("{" + name + "}", quote(value, safe="") or "x")
            elif where == "query":
                query[name] = value
        for name in [p["name"] for p in op.get("parameters", []) if p["in"] == "path"]:
            url = url.replace("{" + name + "}", "1")
        kwargs: dict[str, Any] = {
            "QUERY_STRING": "&".join(f"{quote(k)}={quote(v)}" for k, v in query.items())
        }
        if request["body"] is not None:
            response = getattr(client, method)(
                url, data=request["body"], content_type="application/json", **kwargs
            )
        else:
            response = getattr(client, method)(url, **kwargs)
        status = response.status_code
        assert response["Content-Type"].startswith("application/json"), (url, status)
        body = response.json()
        if status >= 500:
            assert status in (502, 503) and "géocodage" in body["detail"], (url, status, body)
        if status >= 400:
            messages = french_messages(body)
            assert messages and all(messages), (url, body)
            for message in messages:
                lowered = message.lower()
                for phrase in DENYLIST:
                    assert phrase not in lowered, (url, phrase, message)

    check()
