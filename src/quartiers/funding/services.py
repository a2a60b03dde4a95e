"""Services des financements : l'unique chemin d'écriture, le même pour les pages, l'API et la commande.

Chaque service décide par `authorize` (règles de `funding.permissions`), applique la table de
transitions du cœur et écrit au journal d'audit dans la même transaction tout changement de
statut ou de montant (`models.audited_save`). Deux personnes qui modifient la même demande ne
perdent jamais leurs changements : chaque écriture porte la version lue (`expected_version`) et
une version dépassée est refusée avec un message clair (`StaleApplication`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from quartiers.accounts import audit
from quartiers.accounts.models import Organisation, User
from quartiers.accounts.permissions import authorize, can, is_platform_admin_user
from quartiers.core.accounts import NotAllowed, Role
from quartiers.core.funding import budget as core_budget
from quartiers.core.funding import completeness, workflow
from quartiers.core.funding import plan as core_plan
from quartiers.core.funding.workflow import Status
from quartiers.funding import permissions as perms
from quartiers.funding.models import (
    Action,
    BudgetLine,
    CallForProjects,
    ComplementRequest,
    Document,
    FundingLine,
    GrantApplication,
    Opinion,
    OrganisationPerson,
    audited_save,
)
from quartiers.funding.notifications import notify_on_commit

TARGET_TYPE = "funding.grantapplication"
APPLICANT_ROLE_VALUES = (Role.APPLICANT.value, Role.ORGANISATION_ADMIN.value)
STEPS = ("preamble", "criteria", "tiers", "request", "summary", "attestation", "transmission")
STEP_LABELS = {
    "preamble": "Préambule",
    "criteria": "Critères d'éligibilité",
    "tiers": "Votre structure",
    "request": "Saisie de la demande",
    "summary": "Récapitulatif",
    "attestation": "Attestation sur l'honneur",
    "transmission": "Transmission",
}


class ServiceError(Exception):
    """Demande refusée pour une raison métier ; `problems` : les manques champ par champ."""

    def __init__(self, message: str, problems: Sequence[completeness.Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems)


class StaleApplication(ServiceError):
    """La demande a changé depuis qu'elle a été lue : rien n'est écrit."""


def today() -> dt.date:
    return timezone.localdate()


# --------------------------------------------------------------------------- rôles


def roles_on(user: Any, application: GrantApplication) -> set[Role]:
    """Les rôles qu'un compte tient sur cette demande (ceux que la table de transitions lit)."""
    held: set[Role] = set()
    if is_platform_admin_user(user):
        held.add(Role.PLATFORM_ADMIN)
    if perms.is_applicant_member(user, application):
        held |= {Role.APPLICANT, Role.ORGANISATION_ADMIN}
    if perms.is_state_instructor_in_scope(user, application):
        held.add(Role.STATE_INSTRUCTOR)
    if perms.is_funder_agent_of_application(user, application):
        held.add(Role.FUNDER_AGENT)
    return held


# --------------------------------------------------------------------------- verrou optimiste


def _bump(application: GrantApplication, expected_version: int | None, actor: User) -> None:
    """Passe à la version suivante si personne n'a écrit entre-temps ; sinon `StaleApplication`."""
    version = application.version if expected_version is None else expected_version
    updated = GrantApplication.objects.filter(pk=application.pk, version=version).update(
        version=F("version") + 1, updated_by=actor, updated_at=timezone.now()
    )
    if not updated:
        current = GrantApplication.objects.select_related("updated_by").get(pk=application.pk)
        who = current.updated_by.label if current.updated_by else "une autre personne"
        when = timezone.localtime(current.updated_at).strftime("%d/%m/%Y à %H:%M")
        raise StaleApplication(
            f"la demande {current.reference} a été modifiée par {who} le {when} depuis que vous "
            f"l'avez ouverte (version {version}, elle est maintenant en version "
            f"{current.version}) : rechargez-la pour voir ses changements, puis refaites les "
            "vôtres ; rien n'a été enregistré"
        )
    application.version = version + 1
    application.updated_by = actor


def _locked(application: GrantApplication) -> GrantApplication:
    return GrantApplication.objects.select_for_update().get(pk=application.pk)


# --------------------------------------------------------------------------- création et saisie


def create_application(
    actor: User,
    call: CallForProjects,
    applicant: Organisation,
    title: str = "",
    first_year: int | None = None,
    years: int = 1,
    on: dt.date | None = None,
) -> GrantApplication:
    """Une nouvelle demande en cours de saisie, avec sa référence unique."""
    authorize(actor, "funding.add_application", applicant)
    on = on or today()
    if not call.is_open(on):
        raise ServiceError(
            f"l'appel à projets « {call} » est ouvert du {call.opens_on:%d/%m/%Y} au "
            f"{call.closes_on:%d/%m/%Y} : aucune demande ne peut être créée le {on:%d/%m/%Y}"
        )
    problems = core_plan.multi_year_problems(first_year or call.year, years, on)
    if problems:
        raise ServiceError(problems[0])
    contract = call.contract
    with transaction.atomic():
        application = GrantApplication(
            reference=f"tmp-{uuid.uuid4().hex[:12]}",
            call=call,
            applicant=applicant,
            title=title.strip(),
            first_year=first_year or call.year,
            years=years,
            region_code=contract.region_code,
            department_code=contract.department_code,
            epci_siren=contract.epci_siren,
            created_by=actor,
            updated_by=actor,
        )
        audited_save(
            application,
            actor,
            "application.created",
            extra={"status": (None, Status.DRAFT.value)},
        )
        reference = f"{call.year}-{contract.department_code}-{application.pk:06d}"
        GrantApplication.objects.filter(pk=application.pk).update(reference=reference)
        application.reference = reference
    return application


@dataclass
class BudgetInput:
    category: str
    amount: Decimal | str
    label: str = ""


@dataclass
class FundingInput:
    funder_id: int
    requested: Decimal | str
    year: int | None = None


@dataclass
class ActionInput:
    title: str = ""
    objectives: str = ""
    public: str = ""
    qpv_codes: list[str] = field(default_factory=list)
    beneficiaries: int | None = None
    qpv_share: Decimal | str | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    address: str = ""
    budget: list[BudgetInput] = field(default_factory=list)
    funding: list[FundingInput] = field(default_factory=list)


REQUEST_FIELDS = ("title", "theme", "first_year", "years")


def save_draft(
    actor: User,
    application: GrantApplication,
    expected_version: int,
    step: str,
    fields: Mapping[str, Any] | None = None,
    actions: Sequence[ActionInput] | None = None,
) -> GrantApplication:
    """Enregistre une étape du formulaire (brouillon) ; les actions remplacent les précédentes."""
    authorize(actor, "funding.change_application", application)
    if step not in STEPS:
        raise ServiceError(f"étape « {step} » inconnue (attendu : {', '.join(STEPS)})")
    fields = dict(fields or {})
    unknown = set(fields) - set(REQUEST_FIELDS)
    if unknown:
        raise ServiceError(f"champ(s) inconnu(s) : {', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = _locked(application)
        _bump(locked, expected_version, actor)
        before = {name: getattr(locked, name) for name in REQUEST_FIELDS}
        for name, value in fields.items():
            setattr(locked, name, value.strip() if isinstance(value, str) else value)
        if "first_year" in fields or "years" in fields:
            problems = core_plan.multi_year_problems(
                int(locked.first_year), int(locked.years), today()
            )
            if problems:
                raise ServiceError(problems[0])
        if STEPS.index(step) > STEPS.index(locked.step):
            locked.step = step
        changes = audit.diff(before, {n: getattr(locked, n) for n in REQUEST_FIELDS})
        if actions is not None:
            changes |= _replace_actions(actor, locked, actions)
        locked.save()
        if changes:
            audit.record(actor, "application.draft_saved", locked, _jsonable(changes))
    application.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    application._remember()
    return application


def _jsonable(changes: Mapping[str, tuple[Any, Any]]) -> dict[str, tuple[Any, Any]]:
    def plain(v: Any) -> Any:
        if isinstance(v, (Decimal, dt.date)):
            return str(v)
        return v

    return {k: (plain(a), plain(b)) for k, (a, b) in changes.items()}


def _plan_snapshot(application: GrantApplication) -> dict[str, str]:
    rows = FundingLine.objects.filter(action__application=application).values_list(
        "action__number", "funder__name", "year", "requested"
    )
    return {f"action {n} · {name} · {year}": str(amount) for n, name, year, amount in rows}


def _located_qpv(address: str, on: dt.date | None) -> str:
    """Le QPV du lieu de l'action à sa date (même vérification que « Mon adresse est-elle en
    QPV ? ») ; vide si l'adresse est absente, peu sûre ou le géocodeur indisponible : un brouillon
    n'est jamais bloqué par le géocodage."""
    from quartiers.addresses.services import AddressError, locate_address
    from quartiers.core.geo.geocoding import GeocodingError
    from quartiers.core.geo.zoning import ZoningUnavailable

    if not address.strip():
        return ""
    try:
        check = locate_address(address, on=on)
    except (AddressError, GeocodingError, ZoningUnavailable):
        return ""
    return check.location.code or "" if check.in_qpv and check.location else ""


def _replace_actions(
    actor: User, application: GrantApplication, actions: Sequence[ActionInput]
) -> dict[str, tuple[Any, Any]]:
    allowed_funders = set(application.call.funders.values_list("id", flat=True))
    before_plan = _plan_snapshot(application)
    errors: list[completeness.Problem] = []
    Action.objects.filter(application=application).delete()
    total = Decimal(0)
    qpv: list[str] = []
    for number, data in enumerate(actions, start=1):
        where = f"actions.{number}"
        share = None
        if data.qpv_share not in (None, ""):
            try:
                share = core_budget.parse_amount(str(data.qpv_share), "part en QPV")
            except core_budget.BudgetError as exc:
                errors.append(completeness.Problem(f"{where}.qpv_share", exc.message))
        action = Action.objects.create(
            application=application,
            number=number,
            title=data.title.strip(),
            objectives=data.objectives.strip(),
            public=data.public.strip(),
            qpv_codes=sorted({c.strip().upper() for c in data.qpv_codes if c.strip()}),
            beneficiaries=data.beneficiaries,
            qpv_share=share,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            address=data.address.strip(),
            located_qpv_code=_located_qpv(data.address, data.starts_on),
        )
        qpv += action.qpv_codes
        for index, line in enumerate(data.budget, start=1):
            try:
                cat = core_budget.category(line.category)
                amount = core_budget.parse_amount(line.amount)
            except core_budget.BudgetError as exc:
                errors.append(completeness.Problem(f"{where}.budget.{index}", exc.message))
                continue
            BudgetLine.objects.create(
                action=action, category=cat.code, label=line.label, amount=amount
            )
        for index, fline in enumerate(data.funding, start=1):
            try:
                requested = core_budget.parse_amount(fline.requested, "montant demandé")
            except core_budget.BudgetError as exc:
                errors.append(completeness.Problem(f"{where}.funding.{index}", exc.message))
                continue
            if fline.funder_id not in allowed_funders:
                errors.append(
                    completeness.Problem(
                        f"{where}.funding.{index}",
                        "ce financeur ne participe pas à l'appel à projets",
                    )
                )
                continue
            year = fline.year or application.first_year
            if year not in core_plan.years_of(application.first_year, application.years):
                errors.append(
                    completeness.Problem(
                        f"{where}.funding.{index}", f"exercice {year} hors de la période demandée"
                    )
                )
                continue
            line_obj = FundingLine(
                action=action, funder_id=fline.funder_id, year=year, requested=requested
            )
            line_obj._audited = True  # consigné plus bas avec l'ensemble du plan
            line_obj.save()
            if year == application.first_year:
                total += requested
    if errors:
        raise ServiceError("la saisie contient des erreurs", errors)
    application.requested_total = total
    application.qpv_codes = sorted(set(qpv))
    after_plan = _plan_snapshot(application)
    return audit.diff(before_plan, after_plan)


def facts_of(application: GrantApplication) -> completeness.ApplicationFacts:
    actions = []
    for action in application.actions.prefetch_related("budget_lines", "funding_lines__funder"):
        actions.append(
            completeness.ActionFacts(
                number=action.number,
                title=action.title,
                objectives=action.objectives,
                public=action.public,
                qpv_codes=tuple(action.qpv_codes),
                beneficiaries=action.beneficiaries,
                qpv_share=action.qpv_share,
                starts_on=action.starts_on,
                ends_on=action.ends_on,
                budget=tuple(
                    core_budget.BudgetEntry(b.category, b.label, b.amount)
                    for b in action.budget_lines.all()
                ),
                plan=tuple(
                    core_plan.PlanLine(f.funder.name, f.year, f.requested)
                    for f in action.funding_lines.all()
                ),
            )
        )
    documents = [
        completeness.DocumentFacts(kind, start, end)
        for kind, start, end in Document.objects.filter(organisation=application.applicant)
        .filter(Q(application__isnull=True) | Q(application=application))
        .values_list("kind", "valid_from", "valid_until")
    ]
    attested_by = application.attested_by_id
    return completeness.ApplicationFacts(
        title=application.title,
        applicant_siret=application.applicant.siret,
        first_year=application.first_year,
        years=application.years,
        attested=application.attested_at is not None,
        actions=tuple(actions),
        contract_qpv_codes=tuple(application.call.contract.qpv_codes),
        required_documents=tuple(application.call.required_documents),
        documents=tuple(documents),
        signatory_attested=attested_by is None
        or is_signatory(attested_by, application.applicant_id),
    )


def check_completeness(application: GrantApplication) -> list[completeness.Problem]:
    return completeness.problems(facts_of(application), today())


def is_signatory(user: User | int, organisation_id: int) -> bool:
    """Le compte est signataire de la structure (fiche « tiers », personnes et rôles)."""
    user_id = user if isinstance(user, int) else user.pk
    return OrganisationPerson.objects.filter(
        organisation_id=organisation_id, user_id=user_id, is_signatory=True
    ).exists()


def attest(actor: User, application: GrantApplication, expected_version: int) -> GrantApplication:
    """Attestation sur l'honneur par un signataire de la structure (étape avant la transmission)."""
    authorize(actor, "funding.change_application", application)
    if not is_signatory(actor, application.applicant_id):
        raise ServiceError(
            f"l'attestation sur l'honneur se signe par un signataire de {application.applicant.name} "
            f"(fiche de la structure, « Personnes ») : {actor.label} ne l'est pas",
            [completeness.Problem("attestation", "réservée à un signataire de la structure")],
        )
    with transaction.atomic():
        locked = _locked(application)
        _bump(locked, expected_version, actor)
        locked.attested_by = actor
        locked.attested_at = timezone.now()
        locked.step = "attestation"
        locked.save()
        audit.record(actor, "application.attested", locked, {"attested": (False, True)})
    application.attested_at, application.attested_by = locked.attested_at, actor
    application.version = locked.version
    return application


# --------------------------------------------------------------------------- transitions


EVENT_PERMISSIONS = {
    "submit": "funding.change_application",
    "answer_complements": "funding.change_application",
    "take_charge": "funding.instruct_application",
    "declare_admissible": "funding.instruct_application",
    "declare_inadmissible": "funding.instruct_application",
    "queue_for_instruction": "funding.instruct_application",
    "reject": "funding.instruct_application",
    "close": "funding.instruct_application",
    "start_instruction": "funding.view_application",
    "request_complements": "funding.view_application",
    "resume_instruction": "funding.view_application",
    "decide": "funding.view_application",
}


def transition(
    actor: User,
    application: GrantApplication,
    event: str,
    reason: str = "",
    expected_version: int | None = None,
) -> GrantApplication:
    """Applique un événement de la table : permission, rôle, motif, verrou, statut et journal."""
    perm = EVENT_PERMISSIONS.get(event)
    if perm is None:
        raise ServiceError(f"action « {event} » inconnue")
    authorize(actor, perm, application)
    with transaction.atomic():
        locked = _locked(application)
        try:
            target = workflow.next_status(locked.status, event, roles_on(actor, locked), reason)
        except workflow.WorkflowError as exc:
            raise ServiceError(exc.message) from None
        if event == "submit":
            problems = check_completeness(locked)
            if problems:
                raise ServiceError(
                    f"la demande n'est pas complète ({len(problems)} point(s) à corriger)", problems
                )
            locked.submitted_at = timezone.now()
        _bump(locked, expected_version, actor)
        locked.status = target.value
        audited_save(locked, actor, f"application.{event}", reason.strip())
        notify_on_commit(locked, event, reason.strip())
    application.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    application._remember()
    return application


def request_complements(
    actor: User,
    application: GrantApplication,
    message: str,
    missing_items: Sequence[str],
    due_on: dt.date,
    expected_version: int | None = None,
) -> ComplementRequest:
    if due_on <= today():
        raise ServiceError(f"l'échéance ({due_on:%d/%m/%Y}) doit être postérieure à aujourd'hui")
    with transaction.atomic():
        transition(actor, application, "request_complements", message, expected_version)
        return ComplementRequest.objects.create(
            application=application,
            message=message.strip(),
            missing_items=[m.strip() for m in missing_items if m.strip()],
            due_on=due_on,
            requested_by=actor,
        )


def answer_complements(
    actor: User, application: GrantApplication, answer: str, expected_version: int | None = None
) -> GrantApplication:
    if not answer.strip():
        raise ServiceError("la réponse à la demande de compléments est vide")
    with transaction.atomic():
        pending = application.complement_requests.filter(answered_at__isnull=True).last()
        transition(actor, application, "answer_complements", "", expected_version)
        if pending is not None:
            pending.answer = answer.strip()
            pending.answered_by = actor
            pending.answered_at = timezone.now()
            pending.save()
    return application


def _funding_line_for(application: GrantApplication, funder: Organisation) -> FundingLine:
    line = (
        FundingLine.objects.select_related("action__application", "funder")
        .filter(action__application=application, funder=funder)
        .order_by("year", "action__number")
        .first()
    )
    if line is None:
        raise LookupError(
            f"{funder.name} ne figure pas au plan de financement de {application.reference}"
        )
    return line


def give_opinion(
    actor: User,
    application: GrantApplication,
    funder: Organisation,
    favourable: bool,
    scores: Mapping[str, int],
    comment: str = "",
) -> Opinion:
    """Avis d'un financeur, noté selon la grille de l'appel (un avis par financeur, remplaçable)."""
    authorize(actor, "funding.give_opinion", _funding_line_for(application, funder))
    if Status(application.status) not in workflow.INSTRUCTION_STATUSES:
        raise ServiceError(
            f"un avis se donne pendant l'instruction ; la demande est « {application.status_label} »"
        )
    grid = {c["code"]: c for c in application.call.scoring_grid}
    problems = []
    for code, value in scores.items():
        if code not in grid:
            problems.append(completeness.Problem(f"scores.{code}", "critère absent de la grille"))
        elif not 0 <= int(value) <= int(grid[code]["max"]):
            problems.append(
                completeness.Problem(
                    f"scores.{code}", f"note entre 0 et {grid[code]['max']} attendue ({value})"
                )
            )
    for code, criterion in grid.items():
        if code not in scores:
            problems.append(
                completeness.Problem(f"scores.{code}", f"note manquante : {criterion['label']}")
            )
    if problems:
        raise ServiceError("la notation ne suit pas la grille de l'appel", problems)
    with transaction.atomic():
        opinion, _ = Opinion.objects.update_or_create(
            application=application,
            funder=funder,
            defaults={
                "author": actor,
                "favourable": favourable,
                "scores": {k: int(v) for k, v in scores.items()},
                "comment": comment.strip(),
            },
        )
        audit.record(
            actor,
            "application.opinion_given",
            application,
            {"opinion": (None, f"{funder.name} : {'favorable' if favourable else 'défavorable'}")},
            comment.strip(),
        )
    return opinion


def record_decision(
    actor: User,
    line: FundingLine,
    decision: str,
    granted: Decimal | str | None = None,
    justification: str = "",
) -> FundingLine:
    """Décision d'un financeur sur sa ligne ; quand tous ont décidé, la demande est « décidée »."""
    authorize(actor, "funding.decide_funding", line)
    application = line.action.application
    if Status(application.status) not in workflow.INSTRUCTION_STATUSES:
        raise ServiceError(
            f"une décision se prend pendant l'instruction ; la demande est « {application.status_label} »"
        )
    try:
        parsed = core_plan.Decision(decision)
    except ValueError:
        raise ServiceError(f"décision « {decision} » inconnue (granted ou refused)") from None
    amount = None if granted in (None, "") else core_budget.parse_amount(granted, "montant accordé")
    if parsed is core_plan.Decision.REFUSED:
        amount = None
    problems = core_plan.decision_problems(
        core_plan.PlanLine(line.funder.name, line.year, line.requested, parsed, amount)
    )
    if problems:
        raise ServiceError(problems[0])
    with transaction.atomic():
        line.decision = parsed.value
        line.granted = amount
        line.justification = justification.strip()
        line.decided_by = actor
        line.decided_at = timezone.now()
        audited_save(
            line,
            actor,
            "application.funding_decided",
            justification.strip(),
            extra={"funder": (None, line.funder.name), "year": (None, line.year)},
            target=application,
        )
        undecided = FundingLine.objects.filter(
            action__application=application,
            year=application.first_year,
            decision=core_plan.Decision.PENDING.value,
        ).exists()
        if not undecided:
            locked = _locked(application)
            locked.status = Status.DECIDED.value
            _bump(locked, None, actor)
            audited_save(
                locked,
                actor,
                "application.decide",
                "tous les financeurs ont décidé",
            )
            notify_on_commit(locked, "decide")
    return line


# --------------------------------------------------------------------------- lecture


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""
    qpv: str = ""
    theme: str = ""
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    funder_id: int | None = None
    call_id: int | None = None


def queue(user: Any, filters: QueueFilters) -> QuerySet[GrantApplication]:
    """Les demandes visibles du compte, filtrées ; requêtes constantes quel que soit le nombre."""
    qs = perms.visible_applications(user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.qpv:
        qs = qs.filter(qpv_codes__icontains=f'"{filters.qpv.strip().upper()}"')
    if filters.theme:
        qs = qs.filter(theme=filters.theme)
    if filters.min_amount is not None:
        qs = qs.filter(requested_total__gte=filters.min_amount)
    if filters.max_amount is not None:
        qs = qs.filter(requested_total__lte=filters.max_amount)
    if filters.funder_id:
        qs = qs.filter(
            id__in=FundingLine.objects.filter(funder_id=filters.funder_id).values(
                "action__application_id"
            )
        )
    if filters.call_id:
        qs = qs.filter(call_id=filters.call_id)
    return (
        qs.select_related("applicant", "call", "call__contract")
        .annotate(action_count=Count("actions", distinct=True))
        .order_by("-created_at", "-id")
    )


def get_application(user: Any, pk: int) -> GrantApplication:
    try:
        application = GrantApplication.objects.select_related(
            "applicant", "call", "call__contract"
        ).get(pk=pk)
    except GrantApplication.DoesNotExist:
        raise LookupError(f"demande n° {pk} introuvable") from None
    authorize(user, "funding.view_application", application)
    return application


def get_by_reference(user: Any, reference: str) -> GrantApplication:
    found = (
        GrantApplication.objects.filter(reference=reference).values_list("pk", flat=True).first()
    )
    if found is None:
        raise LookupError(f"demande « {reference} » introuvable")
    return get_application(user, found)


def plan_of(application: GrantApplication) -> list[FundingLine]:
    return list(
        FundingLine.objects.filter(action__application=application)
        .select_related("funder", "action")
        .order_by("action__number", "year", "funder__name")
    )


def plan_summary(application: GrantApplication) -> core_plan.PlanTotals:
    return core_plan.plan_totals(
        core_plan.PlanLine(
            f.funder.name, f.year, f.requested, core_plan.Decision(f.decision), f.granted
        )
        for f in plan_of(application)
        if f.year == application.first_year
    )


ACTION_SENTENCES = {
    "application.created": "a créé la demande",
    "application.draft_saved": "a enregistré le brouillon",
    "application.attested": "a signé l'attestation sur l'honneur",
    "application.opinion_given": "a donné un avis",
    "application.funding_decided": "a enregistré la décision d'un financeur",
    "application.complements_reminded": "a envoyé au porteur le rappel de l'échéance des compléments",
    "application.complements_overdue": "a signalé que l'échéance des compléments est dépassée",
}


@dataclass(frozen=True)
class HistoryItem:
    at: dt.datetime
    actor: str
    sentence: str
    reason: str
    details: list[str]


def history(user: Any, application: GrantApplication) -> list[HistoryItem]:
    """L'historique en français simple, du plus ancien au plus récent."""
    authorize(user, "funding.view_grantapplication_history", application)
    items = []
    for event in audit.events_for(TARGET_TYPE, application.pk):
        name = event.action.removeprefix("application.")
        if name in workflow.TRANSITIONS:
            sentence = workflow.TRANSITIONS[name].history
            status = event.changes.get("status", {}).get("after")
            if status:
                sentence += f" (statut : « {workflow.STATUS_LABELS[Status(status)]} »)"
        else:
            sentence = ACTION_SENTENCES.get(event.action, event.action)
        details = []
        for key, change in event.changes.items():
            if key == "status":
                continue
            before, after = change.get("before"), change.get("after")
            details.append(
                f"{key} : {before if before is not None else '—'} → {after if after is not None else '—'}"
            )
        items.append(
            HistoryItem(event.created_at, event.actor_label, sentence, event.reason, details)
        )
    return items


def totals_by_status(user: Any) -> dict[str, int]:
    rows = perms.visible_applications(user).values("status").annotate(n=Count("id"))
    return {r["status"]: r["n"] for r in rows}


def granted_total(application: GrantApplication) -> Decimal:
    value = FundingLine.objects.filter(action__application=application).aggregate(s=Sum("granted"))[
        "s"
    ]
    return value or Decimal(0)


def can_do(user: Any, application: GrantApplication) -> list[str]:
    """Les événements que ce compte peut déclencher maintenant (pour afficher les boutons)."""
    events = workflow.allowed_events(application.status, roles_on(user, application))
    return [e for e in events if can(user, EVENT_PERMISSIONS[e], application)]


def iter_export_rows(user: Any) -> Iterable[dict[str, Any]]:
    """Une ligne par ligne du plan de financement (format proche du SCDL « subventions »)."""
    lines = (
        FundingLine.objects.filter(action__application__in=perms.visible_applications(user))
        .select_related("funder", "action__application__applicant", "action__application__call")
        .order_by("action__application__reference", "action__number", "year", "funder__name")
    )
    for line in lines.iterator(chunk_size=2000):
        app = line.action.application
        yield {
            "reference": app.reference,
            "action": line.action.code,
            "intitule": line.action.title or app.title,
            "statut": app.status_label,
            "porteur": app.applicant.name,
            "siret": app.applicant.siret,
            "appel": app.call.title,
            "exercice": line.year,
            "financeur": line.funder.name,
            "montant_demande": f"{line.requested:.2f}",
            "decision": line.decision_label,
            "montant_accorde": f"{line.granted:.2f}" if line.granted is not None else "",
        }


# --------------------------------------------------------------------------- actions groupées

BULK_EVENTS = {
    "take_charge": "Prendre en charge",
    "declare_admissible": "Déclarer recevable",
    "queue_for_instruction": "Mettre en attente d'instruction",
    "start_instruction": "Commencer l'instruction",
    "request_complements": "Demander des compléments",
}
MAX_BULK = 200


@dataclass(frozen=True)
class BulkOutcome:
    application_id: int
    reference: str
    done: bool
    message: str


def bulk_transition(
    actor: User,
    application_ids: Sequence[int],
    event: str,
    reason: str = "",
    missing_items: Sequence[str] = (),
    due_on: dt.date | None = None,
) -> list[BulkOutcome]:
    """La même action sur plusieurs demandes : chacune vérifiée (permission, rôle, statut) et
    écrite dans sa propre transaction ; un refus n'empêche pas les autres et dit sa raison."""
    if event not in BULK_EVENTS:
        raise ServiceError(f"action groupée « {event} » inconnue")
    ids = list(dict.fromkeys(int(i) for i in application_ids))
    if not ids:
        raise ServiceError("cochez au moins une demande")
    if len(ids) > MAX_BULK:
        raise ServiceError(f"au plus {MAX_BULK} demandes à la fois ({len(ids)} cochées)")
    if event == "request_complements" and (not reason.strip() or due_on is None):
        raise ServiceError("le message au porteur et l'échéance sont obligatoires")
    found = {
        a.pk: a
        for a in GrantApplication.objects.select_related("applicant", "call").filter(pk__in=ids)
    }
    outcomes = []
    for pk in ids:
        application = found.get(pk)
        if application is None or not can(actor, "funding.view_application", application):
            # Une demande invisible est « introuvable » : sa référence n'est pas révélée.
            outcomes.append(BulkOutcome(pk, f"n° {pk}", False, "demande introuvable"))
            continue
        try:
            if event == "request_complements":
                assert due_on is not None
                request_complements(actor, application, reason, missing_items, due_on)
            else:
                transition(actor, application, event, reason)
        except ServiceError as exc:
            outcomes.append(BulkOutcome(pk, application.reference, False, exc.message))
        except NotAllowed as exc:
            outcomes.append(BulkOutcome(pk, application.reference, False, str(exc)))
        else:
            outcomes.append(
                BulkOutcome(pk, application.reference, True, f"« {application.status_label} »")
            )
    return outcomes
