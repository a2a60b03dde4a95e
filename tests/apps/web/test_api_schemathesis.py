"""schemathesis contre l'application, d'après son propre schéma OpenAPI (issue 9, §5).

Budget borné (`QUARTIERS_SCHEMATHESIS_EXAMPLES` exemples par opération, 15 par défaut) ; pour
chaque réponse : pas d'erreur serveur, un code de statut documenté par la route, le bon type de
contenu, un corps conforme au schéma déclaré. Base de démonstration (fictive) chargée, sans
compte : les routes protégées répondent 401/403, déclarés eux aussi.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from quartiers import demo
from quartiers.wsgi import application

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("QUARTIERS_SCHEMATHESIS_EXAMPLES", "15"))

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def _demo_in_test_transaction() -> Iterator[None]:
    """La démonstration dans la transaction du test ; l'appel WSGI ne ferme pas la connexion
    en fin de requête (ce que fait le client de test de Django)."""
    demo.build()
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (signals.request_started, signals.request_finished):
            signal.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    from schemathesis.checks import not_a_server_error

    case.call_and_validate(
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ]
    )
