"""Pages des financements : mes demandes, saisie par étapes, page d'une demande, file d'instruction.

Minces : elles lisent le formulaire, appellent les services (qui décident) et formulent les refus.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    QueryDict,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from quartiers.accounts.models import Organisation, User
from quartiers.accounts.permissions import authorize
from quartiers.core.accounts import NotAllowed, Role
from quartiers.core.funding import budget as core_budget
from quartiers.core.funding import workflow
from quartiers.funding import documents, management, organisations, services
from quartiers.funding import permissions as perms
from quartiers.funding.models import (
    CallForProjects,
    CityContract,
    Document,
    FundingLine,
    GrantApplication,
    OrganisationProfile,
)

View = Callable[..., HttpResponseBase]
PER_PAGE = 25
MAX_ACTIONS = 20  # actions d'une demande saisies dans la page (l'API n'a pas cette borne)


def web_errors(view: View) -> View:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotAllowed as exc:
            return render(
                request,
                "accounts/forbidden.html",
                {"title": "Accès refusé", "message": str(exc)},
                status=403,
            )
        except LookupError as exc:
            raise Http404(str(exc)) from None

    return login_required(wrapper)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _detail_url(app: GrantApplication) -> str:
    return reverse("funding:detail", args=[app.pk])


def _fail(request: HttpRequest, exc: services.ServiceError) -> None:
    messages.error(request, f"Refusé : {exc.message}.")
    for problem in exc.problems:
        messages.error(request, str(problem))


@web_errors
def mine(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    orgs = Organisation.objects.filter(
        memberships__user=user,
        memberships__role__in=[Role.APPLICANT.value, Role.ORGANISATION_ADMIN.value],
    ).distinct()
    apps = (
        GrantApplication.objects.filter(applicant__in=orgs)
        .select_related("applicant", "call")
        .order_by("-created_at")
    )
    on = services.today()
    calls = CallForProjects.objects.filter(opens_on__lte=on, closes_on__gte=on)
    return render(
        request,
        "funding/mine.html",
        {"title": "Mes demandes de subvention", "applications": apps, "organisations": orgs,
         "calls": calls},
    )  # fmt: skip


@require_POST
@web_errors
def create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    try:
        call = CallForProjects.objects.get(pk=int(request.POST.get("call", "0")))
        org = Organisation.objects.get(pk=int(request.POST.get("organisation", "0")))
    except (ValueError, CallForProjects.DoesNotExist, Organisation.DoesNotExist):
        messages.error(request, "Choisissez un appel à projets ouvert et votre structure.")
        return HttpResponseRedirect(reverse("funding:mine"))
    years = 4 if request.POST.get("multi_year") else 1
    try:
        app = services.create_application(
            user, call, org, request.POST.get("title", ""), years=years
        )
    except services.ServiceError as exc:
        _fail(request, exc)
        return HttpResponseRedirect(reverse("funding:mine"))
    messages.success(request, f"Demande {app.reference} créée : saisissez-la étape par étape.")
    return HttpResponseRedirect(reverse("funding:step", args=[app.pk, "preamble"]))


def _amount(value: str) -> Decimal | None:
    value = value.strip()
    if not value:
        return None
    try:
        return core_budget.parse_amount(value)
    except core_budget.BudgetError:
        return None


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@web_errors
def step(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    user = _user(request)
    app = services.get_application(user, pk)
    if name not in services.STEPS:
        raise Http404("étape inconnue")
    index = services.STEPS.index(name)
    if request.method == "POST":
        try:
            _save_step(request, user, app, name)
        except services.ServiceError as exc:
            _fail(request, exc)
            return HttpResponseRedirect(reverse("funding:step", args=[pk, name]))
        if name == "transmission":
            messages.success(request, f"Demande {app.reference} transmise.")
            return HttpResponseRedirect(_detail_url(app))
        if "add_action" in request.POST:
            count = int(request.POST.get("action_count", "1") or 1) + 1
            url = reverse("funding:step", args=[pk, name])
            return HttpResponseRedirect(f"{url}?actions={count}#a{count}")
        if "quit" in request.POST:
            messages.success(request, "Brouillon enregistré.")
            return HttpResponseRedirect(reverse("funding:mine"))
        target = services.STEPS[index - 1 if "previous" in request.POST else min(index + 1, 6)]
        return HttpResponseRedirect(reverse("funding:step", args=[pk, target]))
    funders = list(app.call.funders.order_by("name"))
    years = list(range(app.first_year, app.first_year + app.years))
    actions = list(app.actions.prefetch_related("budget_lines", "funding_lines"))
    wanted = request.GET.get("actions", "")
    count = max(len(actions), 1, min(int(wanted), MAX_ACTIONS) if wanted.isdigit() else 0)
    blocks = []
    for number in range(1, count + 1):
        action = actions[number - 1] if number <= len(actions) else None
        budget = {b.category: b.amount for b in action.budget_lines.all()} if action else {}
        funding = (
            {(f.funder_id, f.year): f.requested for f in action.funding_lines.all()}
            if action
            else {}
        )
        blocks.append(
            {
                "number": number,
                "action": action,
                "categories": [(c, budget.get(c.code, "")) for c in core_budget.CATEGORIES],
                "funding_rows": [
                    (f, y, funding.get((f.pk, y), "")) for f in funders for y in years
                ],
            }
        )
    context = {
        "title": f"{services.STEP_LABELS[name]} — {app.reference}",
        "app": app,
        "step": name,
        "steps": [(s, services.STEP_LABELS[s], i + 1) for i, s in enumerate(services.STEPS)],
        "step_number": index + 1,
        "blocks": blocks,
        "action_count": count,
        "can_add_action": count < MAX_ACTIONS,
        # L'attestation vient après le récapitulatif : elle n'y est pas un manque.
        "problems": [p for p in services.check_completeness(app) if p.field != "attestation"]
        if name == "summary"
        else [],
        "editable": app.status in ("draft",),
        "document_kinds": Document.Kind.choices,
        "documents": Document.objects.filter(organisation=app.applicant).order_by("kind"),
    }
    return render(request, "funding/step.html", context)


def _action_from_post(post: Any, app: GrantApplication, number: int) -> services.ActionInput | None:
    """Le bloc `a<n>-…` du formulaire ; rien s'il est retiré ou entièrement vide."""
    prefix = f"a{number}-"
    if post.get(prefix + "remove"):
        return None
    budget = [
        services.BudgetInput(c.code, post[f"{prefix}b_{c.code}"].strip())
        for c in core_budget.CATEGORIES
        if post.get(f"{prefix}b_{c.code}", "").strip()
    ]
    funding = []
    for funder in app.call.funders.all():
        for year in range(app.first_year, app.first_year + app.years):
            value = post.get(f"{prefix}f_{funder.pk}_{year}", "").strip()
            if value:
                funding.append(services.FundingInput(funder.pk, value, year))
    texts = {
        name: post.get(prefix + name, "")
        for name in ("title", "objectives", "public", "qpv_codes", "beneficiaries", "qpv_share",
                     "starts_on", "ends_on", "address")
    }  # fmt: skip
    if not budget and not funding and not any(v.strip() for v in texts.values()):
        return None
    beneficiaries = texts["beneficiaries"].strip()
    return services.ActionInput(
        title=texts["title"],
        objectives=texts["objectives"],
        public=texts["public"],
        qpv_codes=[c for c in texts["qpv_codes"].replace(",", " ").split() if c],
        beneficiaries=int(beneficiaries) if beneficiaries.isdigit() else None,
        qpv_share=texts["qpv_share"].strip() or None,
        starts_on=_date(texts["starts_on"]),
        ends_on=_date(texts["ends_on"]),
        address=texts["address"],
        budget=budget,
        funding=funding,
    )


def _save_step(request: HttpRequest, user: User, app: GrantApplication, name: str) -> None:
    post = request.POST
    version = int(post.get("version", "0"))
    if name == "request":
        count = int(post.get("action_count", "1") or 1)
        actions = [
            a
            for a in (
                _action_from_post(post, app, n) for n in range(1, min(count, MAX_ACTIONS) + 1)
            )
            if a is not None
        ]
        services.save_draft(
            user, app, version, name,
            {"title": post.get("title", ""), "theme": post.get("theme", "")}, actions,
        )  # fmt: skip
    elif name == "attestation":
        if not post.get("attest"):
            raise services.ServiceError("cochez l'attestation sur l'honneur pour la signer")
        services.attest(user, app, version)
    elif name == "transmission":
        services.transition(user, app, "submit", expected_version=version)
    elif name == "tiers" and request.FILES.get("file"):
        upload = request.FILES.get("file")
        assert upload is not None and not isinstance(upload, list)
        documents.add_document(
            user, app.applicant, post.get("kind", "autre"), upload.name or "piece",
            upload.read(), None, _date(post.get("valid_from", "")), _date(post.get("valid_until", "")),
        )  # fmt: skip
    elif app.status == "draft":
        services.save_draft(user, app, version, name)


@web_errors
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    app = services.get_application(user, pk)
    events = services.can_do(user, app)
    lines = services.plan_of(app)
    decidable = []
    if app.status in {s.value for s in workflow.INSTRUCTION_STATUSES}:
        # La règle ne dépend que du financeur et de la demande : une fois par financeur.
        speaks: dict[int, bool] = {}
        for line in lines:
            if line.funder_id not in speaks:
                speaks[line.funder_id] = bool(perms.speaks_for_funder(user, line))
            if line.decision == "pending" and speaks[line.funder_id]:
                decidable.append(line)
    opinion_funders = sorted({line.funder for line in decidable}, key=lambda o: o.name)
    return render(
        request,
        "funding/detail.html",
        {
            "title": f"Demande {app.reference}",
            "app": app,
            "actions": app.actions.prefetch_related("budget_lines"),
            "lines": lines,
            "summary": services.plan_summary(app),
            "opinions": app.opinions.select_related("funder", "author"),
            "complements": app.complement_requests.all(),
            "profile": organisations.profile_of(app.applicant),
            "history": services.history(user, app),
            "buttons": [
                (e, workflow.TRANSITIONS[e].label, workflow.TRANSITIONS[e].reason_required)
                for e in events
                if e not in ("request_complements", "answer_complements", "decide")
            ],
            "can_request": "request_complements" in events,
            "can_answer": "answer_complements" in events,
            "decidable": decidable,
            "opinion_funders": opinion_funders,
            "grid": app.call.scoring_grid,
            "default_due": services.today() + dt.timedelta(days=15),
            "can_edit": app.status == "draft" and "submit" in events,
        },
    )


@require_POST
@web_errors
def act(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    app = services.get_application(user, pk)
    post = request.POST
    version = int(post.get("version", "0")) or None
    kind = post.get("kind", "transition")
    try:
        if kind == "complements":
            due = _date(post.get("due_on", "")) or services.today()
            items = [i for i in post.get("missing_items", "").splitlines() if i.strip()]
            services.request_complements(user, app, post.get("message", ""), items, due, version)
        elif kind == "answer":
            services.answer_complements(user, app, post.get("answer", ""), version)
        elif kind == "opinion":
            funder = Organisation.objects.get(pk=int(post.get("funder", "0")))
            scores = {
                c["code"]: int(post.get(f"score_{c['code']}", "0") or 0)
                for c in app.call.scoring_grid
            }
            services.give_opinion(
                user, app, funder, post.get("favourable") == "1", scores, post.get("comment", "")
            )
        else:
            services.transition(user, app, post.get("event", ""), post.get("reason", ""), version)
    except services.ServiceError as exc:
        _fail(request, exc)
    except (ValueError, Organisation.DoesNotExist):
        messages.error(request, "Formulaire incomplet : vérifiez les champs.")
    else:
        messages.success(request, f"Demande {app.reference} : « {app.status_label} ».")
    return HttpResponseRedirect(_detail_url(app))


@require_POST
@web_errors
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    try:
        line = FundingLine.objects.select_related("action__application", "funder").get(pk=pk)
    except FundingLine.DoesNotExist:
        raise LookupError(f"ligne n° {pk} introuvable") from None
    app = services.get_application(user, line.action.application_id)
    try:
        services.record_decision(
            user, line, request.POST.get("decision", ""), request.POST.get("granted", ""),
            request.POST.get("justification", ""),
        )  # fmt: skip
    except services.ServiceError as exc:
        _fail(request, exc)
    else:
        messages.success(request, f"Décision de {line.funder.name} enregistrée.")
    return HttpResponseRedirect(_detail_url(app))


def _decimal(value: str) -> Decimal | None:
    try:
        return Decimal(value.replace(",", ".")) if value.strip() else None
    except InvalidOperation:
        return None


@web_errors
def queue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    get = request.GET
    funder = get.get("funder", "")
    call = get.get("call", "")
    filters = services.QueueFilters(
        status=get.get("status", ""),
        qpv=get.get("qpv", ""),
        theme=get.get("theme", ""),
        min_amount=_decimal(get.get("min", "")),
        max_amount=_decimal(get.get("max", "")),
        funder_id=int(funder) if funder.isdigit() else None,
        call_id=int(call) if call.isdigit() else None,
    )
    qs = services.queue(user, filters)
    count = qs.count()
    pages = max(1, -(-count // PER_PAGE))
    page_text = get.get("page", "1")
    page = max(1, min(int(page_text) if page_text.isdigit() else 1, pages))
    rows = list(qs[(page - 1) * PER_PAGE : page * PER_PAGE])
    query = get.copy()
    query.pop("page", None)
    calls = CallForProjects.objects.order_by("-year", "title")
    funders = (
        Organisation.objects.filter(calls_for_projects__isnull=False).distinct().order_by("name")
    )
    themes = sorted({t for c in calls for t in c.themes})
    return render(
        request,
        "funding/queue.html",
        {
            "title": "File d'instruction",
            "rows": rows,
            "count": count,
            "page": page,
            "pages": pages,
            "previous": page - 1 if page > 1 else None,
            "next": page + 1 if page < pages else None,
            "query": query.urlencode(),
            "filters": filters,
            "statuses": list(workflow.STATUS_LABELS.items()),
            "calls": calls,
            "funders": funders,
            "themes": themes,
            "get": get,
            "bulk_events": list(services.BULK_EVENTS.items()),
            "default_due": services.today() + dt.timedelta(days=15),
        },
    )


@require_POST
@web_errors
def bulk(request: HttpRequest) -> HttpResponse:
    """Actions groupées de la file : chaque demande cochée est vérifiée une à une."""
    user = _user(request)
    post = request.POST
    ids = [int(v) for v in post.getlist("selected") if v.isdigit()]
    try:
        outcomes = services.bulk_transition(
            user,
            ids,
            post.get("event", ""),
            post.get("message", ""),
            [m for m in post.get("missing_items", "").splitlines() if m.strip()],
            _date(post.get("due_on", "")),
        )
    except services.ServiceError as exc:
        _fail(request, exc)
    else:
        done = [o for o in outcomes if o.done]
        if done:
            messages.success(
                request,
                f"{len(done)} demande{'s' if len(done) > 1 else ''} traitée"
                f"{'s' if len(done) > 1 else ''} : {', '.join(o.reference for o in done)}.",
            )
        for outcome in outcomes:
            if not outcome.done:
                messages.error(request, f"{outcome.reference} : {outcome.message}.")
    back = QueryDict(post.get("back", "")).urlencode()  # les filtres de la file, rien d'autre
    return HttpResponseRedirect(reverse("funding:queue") + (f"?{back}" if back else ""))


@web_errors
def document(request: HttpRequest, pk: int) -> HttpResponseBase:
    try:
        doc = Document.objects.get(pk=pk)
    except Document.DoesNotExist:
        raise LookupError(f"pièce n° {pk} introuvable") from None
    path = documents.open_document(_user(request), doc)
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=doc.original_name,
        content_type=doc.content_type,
    )  # fmt: skip


# --------------------------------------------------------------------------- fiche « tiers »


def _organisation(user: User, pk: int) -> Organisation:
    organisation = Organisation.objects.filter(pk=pk).first()
    if organisation is None:
        raise LookupError(f"structure n° {pk} introuvable")
    authorize(user, "funding.manage_organisation", organisation)
    return organisation


@web_errors
def organisation(request: HttpRequest, pk: int) -> HttpResponse:
    """Ma structure : forme juridique, siège localisé, personnes et rôles, pièces et validité."""
    user = _user(request)
    org = _organisation(user, pk)
    if request.method == "POST":
        try:
            _save_organisation(request, user, org)
        except services.ServiceError as exc:
            _fail(request, exc)
        else:
            messages.success(request, "Fiche de la structure enregistrée.")
        return HttpResponseRedirect(reverse("funding:organisation", args=[org.pk]))
    on = services.today()
    calls = CallForProjects.objects.filter(opens_on__lte=on, closes_on__gte=on).exclude(
        required_documents=[]
    )
    call_checks = [
        (call, organisations.required_documents_status(org, call.required_documents, on))
        for call in calls
    ]
    return render(
        request,
        "funding/organisation.html",
        {
            "title": f"Fiche de la structure — {org.name}",
            "org": org,
            "profile": organisations.profile_of(org),
            "legal_forms": OrganisationProfile.LegalForm.choices,
            "people": organisations.people_of(org),
            "documents": organisations.structure_documents(org),
            "document_kinds": Document.Kind.choices,
            "call_checks": call_checks,
            "today": on,
        },
    )


def _save_organisation(request: HttpRequest, user: User, org: Organisation) -> None:
    post = request.POST
    kind = post.get("kind", "")
    if kind == "profile":
        organisations.update_profile(
            user, org, {name: post.get(name, "") for name in organisations.PROFILE_FIELDS}
        )
    elif kind == "person":
        person_id = post.get("person", "")
        organisations.save_person(
            user,
            org,
            organisations.PersonInput(
                full_name=post.get("full_name", ""),
                function=post.get("function", ""),
                email=post.get("email", ""),
                phone=post.get("phone", ""),
                is_contact=bool(post.get("is_contact")),
                is_administrator=bool(post.get("is_administrator")),
                is_signatory=bool(post.get("is_signatory")),
            ),
            int(person_id) if person_id.isdigit() else None,
        )
    elif kind == "remove_person":
        organisations.remove_person(user, org, int(post.get("person", "0") or 0))
    elif kind == "document":
        upload = request.FILES.get("file")
        if upload is None or isinstance(upload, list):
            raise services.ServiceError("choisissez le fichier de la pièce")
        documents.add_document(
            user, org, post.get("document_kind", "autre"), upload.name or "piece", upload.read(),
            None, _date(post.get("valid_from", "")), _date(post.get("valid_until", "")),
        )  # fmt: skip
    else:
        raise services.ServiceError("action inconnue sur la fiche de la structure")


# --------------------------------------------------------------------------- contrats et appels


def _contract_input(post: Any) -> management.ContractInput:
    return management.ContractInput(
        name=post.get("name", ""),
        epci_siren=post.get("epci_siren", "").strip(),
        epci_name=post.get("epci_name", ""),
        region_code=post.get("region_code", ""),
        department_code=post.get("department_code", "").strip(),
        generation=post.get("generation", ""),
        starts_on=_date(post.get("starts_on", "")),
        ends_on=_date(post.get("ends_on", "")),
        qpv_codes=post.get("qpv_codes", "").replace(",", " ").split(),
        priorities=post.get("priorities", "").splitlines(),
        signatory_ids=[int(v) for v in post.getlist("signatories") if v.isdigit()],
    )


@web_errors
def contracts(request: HttpRequest) -> HttpResponse:
    """Les contrats que le compte gère ; création d'un contrat (État, EPCI, administrateur)."""
    user = _user(request)
    if request.method == "POST":
        try:
            contract = management.save_contract(user, _contract_input(request.POST))
        except services.ServiceError as exc:
            _fail(request, exc)
            return HttpResponseRedirect(reverse("funding:contracts"))
        messages.success(request, f"Contrat « {contract.name} » créé.")
        return HttpResponseRedirect(reverse("funding:contract", args=[contract.pk]))
    return render(
        request,
        "funding/contracts.html",
        {
            "title": "Contrats de ville et appels à projets",
            "contracts": management.manageable_contracts(user),
            "generations": CityContract.Generation.choices,
            "organisations": Organisation.objects.order_by("name"),
        },
    )


def _call_input(post: Any) -> management.CallInput:
    year = post.get("year", "").strip()
    return management.CallInput(
        title=post.get("title", ""),
        year=int(year) if year.isdigit() else 0,
        opens_on=_date(post.get("opens_on", "")),
        closes_on=_date(post.get("closes_on", "")),
        themes=post.get("themes", "").splitlines(),
        preamble=post.get("preamble", ""),
        eligibility=post.get("eligibility", ""),
        funder_ids=[int(v) for v in post.getlist("funders") if v.isdigit()],
        required_documents=post.getlist("required_documents"),
        scoring_grid=management.parse_grid(post.get("scoring_grid", "")),
    )


@web_errors
def contract(request: HttpRequest, pk: int) -> HttpResponse:
    """Un contrat : ses quartiers, priorités, signataires ; ses appels ; un nouvel appel."""
    user = _user(request)
    found = CityContract.objects.filter(pk=pk).first()
    if found is None:
        raise LookupError(f"contrat n° {pk} introuvable")
    authorize(user, "funding.manage_contract", found)
    if request.method == "POST":
        try:
            if request.POST.get("kind") == "call":
                call = management.save_call(user, found, _call_input(request.POST))
                messages.success(request, f"Appel à projets « {call} » créé.")
                return HttpResponseRedirect(reverse("funding:call", args=[call.pk]))
            management.save_contract(user, _contract_input(request.POST), found)
            messages.success(request, "Contrat enregistré.")
        except services.ServiceError as exc:
            _fail(request, exc)
        return HttpResponseRedirect(reverse("funding:contract", args=[found.pk]))
    return render(
        request,
        "funding/contract.html",
        {
            "title": f"Contrat — {found.name}",
            "contract": found,
            "generations": CityContract.Generation.choices,
            "organisations": Organisation.objects.order_by("name"),
            "signatory_ids": set(found.signatories.values_list("id", flat=True)),
            "qpv_choices": sorted(
                management.qpv_choices(found.department_code, found.starts_on).items()
            ),
            "calls": found.calls.all(),
            "call_form": _call_form_context(None),
        },
    )


def _call_form_context(call: CallForProjects | None) -> dict[str, Any]:
    return {
        "funders": management.funder_choices(),
        "funder_ids": set(call.funders.values_list("id", flat=True)) if call else set(),
        "document_kinds": [
            (code, label, bool(call and code in call.required_documents))
            for code, label in Document.Kind.choices
        ],
        "grid_text": "\n".join(
            f"{c['code']} ; {c['label']} ; {c['max']}" for c in (call.scoring_grid if call else [])
        ),
    }


@web_errors
def call(request: HttpRequest, pk: int) -> HttpResponse:
    """Un appel à projets : thèmes, dates, financeurs, pièces exigées, grille de notation."""
    user = _user(request)
    found = CallForProjects.objects.select_related("contract").filter(pk=pk).first()
    if found is None:
        raise LookupError(f"appel à projets n° {pk} introuvable")
    authorize(user, "funding.manage_call", found)
    if request.method == "POST":
        try:
            management.save_call(user, found.contract, _call_input(request.POST), found)
            messages.success(request, "Appel à projets enregistré.")
        except services.ServiceError as exc:
            _fail(request, exc)
        return HttpResponseRedirect(reverse("funding:call", args=[found.pk]))
    return render(
        request,
        "funding/call.html",
        {
            "title": f"Appel à projets — {found}",
            "call": found,
            "call_form": _call_form_context(found),
            "applications": found.applications.count(),
        },
    )
