"""API des financements (/api/v1/funding/…) : demandes, saisie, transitions, avis, décisions.

Session ou jeton personnel ; chaque refus est expliqué en français : 401 sans authentification,
403 sans permission, 404 objet inconnu, 409 version dépassée (quelqu'un a modifié la demande),
422 demande invalide avec la liste `problems` des manques champ par champ.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from django.http import HttpRequest, JsonResponse
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from quartiers.accounts.api_auth import session_or_token
from quartiers.accounts.models import Organisation, User
from quartiers.core.accounts import NotAllowed
from quartiers.core.funding import budget as core_budget
from quartiers.funding import services
from quartiers.funding.models import CallForProjects, FundingLine, GrantApplication

router = Router(tags=["Financements"], auth=session_or_token)
F = TypeVar("F", bound=Callable[..., Any])
MAX_PER_PAGE = 100


def french_errors(view: F) -> F:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except NotAllowed as exc:
            raise HttpError(403, str(exc)) from None
        except LookupError as exc:
            raise HttpError(404, f"{str(exc).strip(chr(39) + chr(34))}.") from None
        except services.StaleApplication as exc:
            return JsonResponse(
                {"detail": f"Conflit de versions : {exc.message}."},
                status=409,
                json_dumps_params={"ensure_ascii": False},
            )
        except services.ServiceError as exc:
            return JsonResponse(
                {
                    "detail": f"Demande refusée : {exc.message}.",
                    "problems": [{"field": p.field, "message": p.message} for p in exc.problems],
                },
                status=422,
                json_dumps_params={"ensure_ascii": False},
            )

    return wrapper  # type: ignore[return-value]


def _user(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    return user


def _get(model: Any, pk: int, label: str) -> Any:
    try:
        return model.objects.get(pk=pk)
    except model.DoesNotExist:
        raise LookupError(f"{label} n° {pk} introuvable") from None


class ApplicationRow(Schema):
    id: int
    reference: str
    title: str
    status: str
    status_label: str
    applicant: str
    call: str
    theme: str
    requested_total: Decimal
    actions: int
    version: int


class Page(Schema):
    count: int
    page: int
    pages: int
    results: list[ApplicationRow]


class BudgetIn(Schema):
    category: str = Field(..., description="compte CERFA 12156 (60 à 87)")
    amount: str = Field(..., description="montant en euros, « 1234,50 »")
    label: str = ""


class FundingIn(Schema):
    funder_id: int
    requested: str
    year: int | None = None


class ActionIn(Schema):
    title: str = ""
    objectives: str = ""
    public: str = ""
    qpv_codes: list[str] = []
    beneficiaries: int | None = None
    qpv_share: str | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    address: str = ""
    budget: list[BudgetIn] = []
    funding: list[FundingIn] = []


class CreateIn(Schema):
    call_id: int
    applicant_id: int
    title: str = ""
    first_year: int | None = None
    years: int = 1


class DraftIn(Schema):
    version: int = Field(..., description="version lue (verrou optimiste)")
    step: str = "request"
    fields: dict[str, Any] = {}
    actions: list[ActionIn] | None = None


class VersionIn(Schema):
    version: int


class TransitionIn(Schema):
    event: str
    reason: str = ""
    version: int | None = None


class ComplementsIn(Schema):
    message: str
    missing_items: list[str] = []
    due_on: dt.date
    version: int | None = None


class AnswerIn(Schema):
    answer: str
    version: int | None = None


class OpinionIn(Schema):
    funder_id: int
    favourable: bool
    scores: dict[str, int]
    comment: str = ""


class DecisionIn(Schema):
    decision: str = Field(..., description="granted ou refused")
    granted: str | None = None
    justification: str = ""


def row(app: GrantApplication) -> dict[str, Any]:
    return {
        "id": app.pk,
        "reference": app.reference,
        "title": app.title,
        "status": app.status,
        "status_label": app.status_label,
        "applicant": app.applicant.name,
        "call": str(app.call),
        "theme": app.theme,
        "requested_total": app.requested_total,
        "actions": getattr(app, "action_count", 0),
        "version": app.version,
    }


def detail(user: User, app: GrantApplication) -> dict[str, Any]:
    summary = services.plan_summary(app)
    return {
        **row(app),
        "actions": [
            {
                "code": a.code,
                "number": a.number,
                "title": a.title,
                "objectives": a.objectives,
                "public": a.public,
                "qpv_codes": a.qpv_codes,
                "beneficiaries": a.beneficiaries,
                "qpv_share": str(a.qpv_share) if a.qpv_share is not None else None,
                "starts_on": a.starts_on.isoformat() if a.starts_on else None,
                "ends_on": a.ends_on.isoformat() if a.ends_on else None,
                "budget": [
                    {"category": b.category, "label": b.label, "amount": str(b.amount)}
                    for b in a.budget_lines.all()
                ],
            }
            for a in app.actions.prefetch_related("budget_lines")
        ],
        "funding_plan": [
            {
                "id": f.pk,
                "action": f.action.number,
                "funder_id": f.funder_id,
                "funder": f.funder.name,
                "year": f.year,
                "requested": str(f.requested),
                "decision": f.decision,
                "decision_label": f.decision_label,
                "granted": str(f.granted) if f.granted is not None else None,
            }
            for f in services.plan_of(app)
        ],
        "totals": {
            "requested": str(summary.requested),
            "granted": str(summary.granted),
            "pending": str(summary.pending),
        },
        "opinions": [
            {
                "funder": o.funder.name,
                "favourable": o.favourable,
                "scores": o.scores,
                "comment": o.comment,
            }
            for o in app.opinions.select_related("funder")
        ],
        "complement_requests": [
            {
                "message": c.message,
                "missing_items": c.missing_items,
                "due_on": c.due_on.isoformat(),
                "overdue": c.overdue,
                "answer": c.answer,
            }
            for c in app.complement_requests.all()
        ],
        "allowed_events": services.can_do(user, app),
        "problems": [
            {"field": p.field, "message": p.message}
            for p in (services.check_completeness(app) if app.status == "draft" else [])
        ],
    }


@router.get("/budget-categories", summary="Comptes du budget CERFA 12156", auth=None)
def budget_categories(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"code": c.code, "side": c.side.value, "label": c.label, "in_kind": c.in_kind}
        for c in core_budget.CATEGORIES
    ]


@router.get("/applications", response=Page, summary="Demandes visibles (file d'instruction)")
@french_errors
def list_applications(
    request: HttpRequest,
    status: str = "",
    qpv: str = "",
    theme: str = "",
    min_amount: Decimal | None = None,
    max_amount: Decimal | None = None,
    funder_id: int | None = None,
    call_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> dict[str, Any]:
    filters = services.QueueFilters(status, qpv, theme, min_amount, max_amount, funder_id, call_id)
    qs = services.queue(_user(request), filters)
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    count = qs.count()
    pages = max(1, -(-count // per_page))
    page = max(1, min(page, pages))
    items = list(qs[(page - 1) * per_page : page * per_page])
    return {"count": count, "page": page, "pages": pages, "results": [row(a) for a in items]}


@router.post("/applications", summary="Créer une demande (brouillon)")
@french_errors
def create(request: HttpRequest, body: CreateIn) -> Any:
    call = _get(CallForProjects, body.call_id, "appel à projets")
    applicant = _get(Organisation, body.applicant_id, "organisation")
    app = services.create_application(
        _user(request), call, applicant, body.title, body.first_year, body.years
    )
    return JsonResponse(detail(_user(request), app), status=201)


class BulkIn(Schema):
    application_ids: list[int] = Field(..., description="au plus 200 demandes")
    event: str = Field(
        ...,
        description="take_charge, declare_admissible, queue_for_instruction, "
        "start_instruction ou request_complements",
    )
    reason: str = Field("", description="motif ; message au porteur pour des compléments")
    missing_items: list[str] = []
    due_on: dt.date | None = None


@router.post("/applications/bulk", summary="Action groupée (chaque demande vérifiée)")
@french_errors
def bulk(request: HttpRequest, body: BulkIn) -> Any:
    user = _user(request)
    outcomes = services.bulk_transition(
        user, body.application_ids, body.event, body.reason, body.missing_items, body.due_on
    )
    return {
        "results": [
            {"id": o.application_id, "reference": o.reference, "done": o.done,
             "message": o.message}
            for o in outcomes
        ]
    }  # fmt: skip


@router.get("/applications/{pk}", summary="Une demande : actions, budget, plan, avis")
@french_errors
def show(request: HttpRequest, pk: int) -> Any:
    return detail(_user(request), services.get_application(_user(request), pk))


@router.put("/applications/{pk}/draft", summary="Enregistrer une étape du brouillon")
@french_errors
def save(request: HttpRequest, pk: int, body: DraftIn) -> Any:
    user = _user(request)
    app = services.get_application(user, pk)
    actions = None
    if body.actions is not None:
        actions = [
            services.ActionInput(
                **{k: v for k, v in a.dict().items() if k not in ("budget", "funding")},
                budget=[services.BudgetInput(b.category, b.amount, b.label) for b in a.budget],
                funding=[
                    services.FundingInput(f.funder_id, f.requested, f.year) for f in a.funding
                ],
            )
            for a in body.actions
        ]
    services.save_draft(user, app, body.version, body.step, body.fields, actions)
    return detail(user, app)


@router.post("/applications/{pk}/attest", summary="Attestation sur l'honneur (signataire)")
@french_errors
def attest(request: HttpRequest, pk: int, body: VersionIn) -> Any:
    user = _user(request)
    app = services.get_application(user, pk)
    services.attest(user, app, body.version)
    return detail(user, app)


@router.post("/applications/{pk}/transitions", summary="Faire avancer la demande")
@french_errors
def transition(request: HttpRequest, pk: int, body: TransitionIn) -> Any:
    user = _user(request)
    app = services.get_application(user, pk)
    services.transition(user, app, body.event, body.reason, body.version)
    return detail(user, app)


@router.post("/applications/{pk}/complements", summary="Demander des compléments")
@french_errors
def complements(request: HttpRequest, pk: int, body: ComplementsIn) -> Any:
    user = _user(request)
    app = services.get_application(user, pk)
    services.request_complements(
        user, app, body.message, body.missing_items, body.due_on, body.version
    )
    return detail(user, app)


@router.post("/applications/{pk}/complements/answer", summary="Répondre aux compléments")
@french_errors
def answer(request: HttpRequest, pk: int, body: AnswerIn) -> Any:
    user = _user(request)
    app = services.get_application(user, pk)
    services.answer_complements(user, app, body.answer, body.version)
    return detail(user, app)


@router.post("/applications/{pk}/opinions", summary="Avis et notes d'un financeur")
@french_errors
def opinion(request: HttpRequest, pk: int, body: OpinionIn) -> Any:
    user = _user(request)
    app = services.get_application(user, pk)
    funder = _get(Organisation, body.funder_id, "organisation")
    services.give_opinion(user, app, funder, body.favourable, body.scores, body.comment)
    return detail(user, app)


@router.post("/funding-lines/{pk}/decision", summary="Décision d'un financeur sur sa ligne")
@french_errors
def decision(request: HttpRequest, pk: int, body: DecisionIn) -> Any:
    user = _user(request)
    line: FundingLine = _get(FundingLine, pk, "ligne du plan de financement")
    services.get_application(user, line.action.application_id)
    services.record_decision(user, line, body.decision, body.granted, body.justification)
    return detail(user, services.get_application(user, line.action.application_id))


@router.get("/applications/{pk}/history", summary="Historique en français")
@french_errors
def history(request: HttpRequest, pk: int) -> Any:
    user = _user(request)
    app = services.get_application(user, pk)
    return [
        {"at": h.at.isoformat(), "actor": h.actor, "sentence": h.sentence, "reason": h.reason,
         "details": h.details}
        for h in services.history(user, app)
    ]  # fmt: skip


# --------------------------------------------------------------------------- fiche, contrats, appels


class ProfileIn(Schema):
    legal_form: str | None = Field(None, description="forme juridique (association, fondation…)")
    head_office_address: str | None = None
    email: str | None = None
    phone: str | None = None
    website: str | None = None


class PersonIn(Schema):
    full_name: str
    function: str = ""
    email: str = ""
    phone: str = ""
    is_contact: bool = False
    is_administrator: bool = False
    is_signatory: bool = False


def _profile_out(org: Organisation) -> dict[str, Any]:
    from quartiers.funding import organisations

    profile = organisations.profile_of(org)
    return {
        "organisation_id": org.pk,
        "name": org.name,
        "siret": org.siret,
        "legal_form": profile.legal_form if profile else None,
        "head_office_address": profile.head_office_address if profile else "",
        "head_office_qpv_code": profile.head_office_qpv_code if profile else "",
        "head_office_status": profile.head_office_status if profile else "",
        "people": [
            {"id": p.pk, "full_name": p.full_name, "function": p.function, "email": p.email,
             "roles": p.role_labels}
            for p in organisations.people_of(org)
        ],
        "documents": [
            {"id": d.pk, "kind": d.kind, "name": d.original_name,
             "valid_from": d.valid_from.isoformat() if d.valid_from else None,
             "valid_until": d.valid_until.isoformat() if d.valid_until else None}
            for d in organisations.structure_documents(org)
        ],
    }  # fmt: skip


def _managed_organisation(user: User, pk: int) -> Organisation:
    from quartiers.accounts.permissions import authorize

    org: Organisation = _get(Organisation, pk, "structure")
    authorize(user, "funding.manage_organisation", org)
    return org


@router.get("/organisations/{pk}/profile", summary="Fiche de la structure (tiers)")
@french_errors
def organisation_profile(request: HttpRequest, pk: int) -> Any:
    return _profile_out(_managed_organisation(_user(request), pk))


@router.put("/organisations/{pk}/profile", summary="Modifier la fiche (siège localisé)")
@french_errors
def update_organisation_profile(request: HttpRequest, pk: int, body: ProfileIn) -> Any:
    from quartiers.funding import organisations

    user = _user(request)
    org = _managed_organisation(user, pk)
    fields = {k: v for k, v in body.dict().items() if v is not None}
    organisations.update_profile(user, org, fields)
    return _profile_out(org)


@router.post("/organisations/{pk}/people", summary="Ajouter une personne (contact, signataire…)")
@french_errors
def add_organisation_person(request: HttpRequest, pk: int, body: PersonIn) -> Any:
    from quartiers.funding import organisations

    user = _user(request)
    org = _managed_organisation(user, pk)
    organisations.save_person(user, org, organisations.PersonInput(**body.dict()))
    return _profile_out(org)


class ContractIn(Schema):
    name: str
    epci_siren: str
    department_code: str
    generation: str = Field(..., description="2015 ou 2024")
    region_code: str = ""
    epci_name: str = ""
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    qpv_codes: list[str] = []
    priorities: list[str] = []
    signatory_ids: list[int] = []


class CallIn(Schema):
    title: str
    year: int
    opens_on: dt.date
    closes_on: dt.date
    themes: list[str] = []
    preamble: str = ""
    eligibility: str = ""
    funder_ids: list[int] = []
    required_documents: list[str] = []
    scoring_grid: list[dict[str, Any]] = []


def _contract_out(contract: Any) -> dict[str, Any]:
    return {
        "id": contract.pk, "name": contract.name, "epci_siren": contract.epci_siren,
        "department_code": contract.department_code, "generation": contract.generation,
        "starts_on": contract.starts_on.isoformat(), "ends_on": contract.ends_on.isoformat(),
        "qpv_codes": contract.qpv_codes, "priorities": contract.priorities,
        "calls": [{"id": c.pk, "title": c.title, "year": c.year} for c in contract.calls.all()],
    }  # fmt: skip


def _call_out(call: CallForProjects) -> dict[str, Any]:
    return {
        "id": call.pk, "contract_id": call.contract_id, "title": call.title, "year": call.year,
        "opens_on": call.opens_on.isoformat(), "closes_on": call.closes_on.isoformat(),
        "themes": call.themes, "funder_ids": sorted(call.funders.values_list("id", flat=True)),
        "required_documents": call.required_documents, "scoring_grid": call.scoring_grid,
    }  # fmt: skip


@router.post("/contracts", summary="Créer un contrat de ville (État, EPCI)")
@french_errors
def create_contract(request: HttpRequest, body: ContractIn) -> Any:
    from quartiers.funding import management

    return _contract_out(
        management.save_contract(_user(request), management.ContractInput(**body.dict()))
    )


def _managed_contract(user: User, pk: int) -> Any:
    from quartiers.accounts.permissions import authorize
    from quartiers.funding.models import CityContract

    contract = _get(CityContract, pk, "contrat")
    authorize(user, "funding.manage_contract", contract)
    return contract


@router.put("/contracts/{pk}", summary="Modifier un contrat de ville")
@french_errors
def update_contract(request: HttpRequest, pk: int, body: ContractIn) -> Any:
    from quartiers.funding import management

    user = _user(request)
    contract = _managed_contract(user, pk)
    return _contract_out(
        management.save_contract(user, management.ContractInput(**body.dict()), contract)
    )


@router.post("/contracts/{pk}/calls", summary="Créer un appel à projets du contrat")
@french_errors
def create_call(request: HttpRequest, pk: int, body: CallIn) -> Any:
    from quartiers.funding import management

    user = _user(request)
    contract = _managed_contract(user, pk)
    return _call_out(management.save_call(user, contract, management.CallInput(**body.dict())))


@router.put("/calls/{pk}", summary="Modifier un appel à projets")
@french_errors
def update_call(request: HttpRequest, pk: int, body: CallIn) -> Any:
    from quartiers.accounts.permissions import authorize
    from quartiers.funding import management

    user = _user(request)
    call: CallForProjects = _get(CallForProjects, pk, "appel à projets")
    authorize(user, "funding.manage_call", call)
    return _call_out(
        management.save_call(user, call.contract, management.CallInput(**body.dict()), call)
    )
