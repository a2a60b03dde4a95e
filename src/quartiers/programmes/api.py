"""API des dispositifs : éligibilité (faits + date → verdicts expliqués), catalogue, paramètres."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from quartiers.programmes import services

router = Router(tags=["Dispositifs"])

EXAMPLE: dict[str, Any] = {
    "date": "2024-06-01",
    "audience": "employer",
    "facts": {
        "hire_date": "2024-03-01",
        "lon": 2.388,
        "lat": 46.654,
        "employment_status": "jobseeker",
        "jobseeker_category": 1,
        "contract_type": "cdi",
        "working_time_percent": 80,
        "organisation_type": "company",
        "employer_obligations_up_to_date": True,
        "economic_dismissal_last_6_months": False,
        "employee_on_staff_last_6_months": False,
        "other_state_aid_same_employee": False,
    },
}


class EligibilityIn(Schema):
    date: Any = Field(None, description="date de la simulation, AAAA-MM-JJ (défaut : aujourd'hui)")
    facts: Any = Field(
        default_factory=dict,
        description="faits connus {nom: valeur} ; voir GET /api/v1/programmes pour les noms, "
        "types et valeurs permises. Un fait absent est signalé, jamais supposé.",
    )
    programmes: Any = Field(None, description="liste des dispositifs à évaluer (défaut : tous)")
    audience: Any = Field(None, description="person, employer ou structure")

    model_config = {"json_schema_extra": {"examples": [EXAMPLE]}}


class ConditionOut(Schema):
    key: str
    label: str
    status: str = Field(..., description="met, not_met ou unknown")
    value: str
    reference: str
    reason: str
    missing_facts: list[str]
    to_check: bool
    children: list[ConditionOut]


class AmountOut(Schema):
    key: str
    label: str
    value: str = Field(..., description="montant décimal exact, en texte")
    unit: str
    computation: str
    reference: str
    to_check: bool


class FactRef(Schema):
    name: str
    label: str


class ResultOut(Schema):
    programme: str
    title: str
    verdict: str = Field(..., description="eligible, not_eligible ou missing_facts")
    verdict_label: str
    date: str
    key_date: str | None
    key_date_label: str
    conditions: list[ConditionOut]
    amounts: list[AmountOut]
    missing_facts: list[FactRef]
    notes: list[str]
    what_would_change: list[str]
    to_check: bool


class FactOut(Schema):
    name: str
    label: str
    type: str
    choices: list[dict[str, str]]
    help: str
    minimum: str | None
    maximum: str | None


class EligibilityOut(Schema):
    date: str
    audience: str | None
    results: list[ResultOut]
    missing_facts: list[FactOut]


class ProgrammeOut(Schema):
    slug: str
    title: str
    audiences: list[str]
    summary: str
    status: str
    references: list[str]
    facts: list[FactOut]


class ValueOut(Schema):
    valid_from: str
    value: Any
    reference: str
    note: str
    to_check: bool


class ParameterOut(Schema):
    programme: str
    programme_title: str
    name: str
    description: str
    unit: str
    source_file: str
    values: list[ValueOut]


class ErrorOut(Schema):
    detail: str


@router.post(
    "/eligibility",
    response={200: EligibilityOut, 422: ErrorOut},
    summary="Éligibilité aux dispositifs à une date",
)
def eligibility(request: HttpRequest, payload: EligibilityIn) -> dict[str, Any]:
    """Évalue les faits à la date donnée contre chaque dispositif : verdict, montants avec leur
    calcul, conditions remplies ou non avec la valeur retenue et le texte applicable, faits
    manquants. La résidence en QPV se déduit des coordonnées (`lon`, `lat`) avec la liste en
    vigueur à la date qui compte (signature du contrat…), ou de `resides_in_qpv`."""
    try:
        simulation = services.simulate(
            payload.facts, payload.date, payload.programmes, payload.audience
        )
    except services.EligibilityError as exc:
        raise HttpError(422, str(exc)) from exc
    return simulation.as_dict()


@router.get("/programmes", response=list[ProgrammeOut], summary="Dispositifs et faits demandés")
def programmes(request: HttpRequest) -> list[dict[str, Any]]:
    """Chaque dispositif : public, résumé, textes, et les faits qu'il peut demander (question en
    français, type, valeurs permises)."""
    return services.programmes_catalogue()


@router.get(
    "/parameters",
    response={200: list[ParameterOut], 404: ErrorOut},
    summary="Paramètres datés et leurs références",
)
def parameters(request: HttpRequest, programme: str | None = None) -> Any:
    """Tous les paramètres (montants, seuils, dates) avec leur historique : date d'effet, valeur,
    référence juridique, note ; `to_check` signale une valeur « à vérifier »."""
    try:
        return services.parameters_catalogue(programme)
    except services.EligibilityError as exc:
        raise HttpError(404, str(exc)) from exc
