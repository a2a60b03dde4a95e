"""Pages des comptes : connexion, mot de passe, « Mon compte », organisations, journal.

Minces : elles lisent le formulaire, appellent les services (qui décident des permissions) et
formulent en français les refus (`NotAllowed` → page 403 expliquée).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_POST

from quartiers.accounts import services
from quartiers.accounts.forms import (
    DsfrPasswordChangeForm,
    DsfrPasswordResetForm,
    DsfrSetPasswordForm,
    EmailLoginForm,
    MemberForm,
    TokenForm,
)
from quartiers.accounts.models import Organisation, User
from quartiers.accounts.permissions import authorize, can
from quartiers.core import accounts as core

View = Callable[..., HttpResponse]


def web_errors(view: View) -> View:
    """Refus → page 403 qui dit pourquoi ; objet inconnu → 404."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except core.NotAllowed as exc:
            return render(
                request,
                "accounts/forbidden.html",
                {"title": "Accès refusé", "message": str(exc)},
                status=403,
            )
        except LookupError as exc:
            raise Http404(str(exc)) from None

    return wrapper


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def demo_accounts() -> list[dict[str, str]]:
    """Comptes de démonstration (fichier écrit par `quartiers demo`), seulement si QUARTIERS_DEMO."""
    if not getattr(settings, "QUARTIERS_DEMO", False):
        return []
    path = settings.QUARTIERS_DEMO_ACCOUNTS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [row for row in data.get("accounts", []) if isinstance(row, dict)]


class LoginView(auth_views.LoginView):
    form_class = EmailLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["title"] = "Connexion"
        context["demo_accounts"] = demo_accounts()
        return context


class LogoutView(auth_views.LogoutView):
    """Déconnexion par POST seulement (Django 5), puis retour à l'accueil (LOGOUT_REDIRECT_URL)."""


class PasswordResetView(auth_views.PasswordResetView):
    form_class = DsfrPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    extra_context = {"title": "Mot de passe oublié"}  # noqa: RUF012


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"
    extra_context = {"title": "Courriel envoyé"}  # noqa: RUF012


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = DsfrSetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    extra_context = {"title": "Nouveau mot de passe"}  # noqa: RUF012


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
    extra_context = {"title": "Mot de passe changé"}  # noqa: RUF012


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = DsfrPasswordChangeForm
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")
    extra_context = {"title": "Changer de mot de passe"}  # noqa: RUF012


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"
    extra_context = {"title": "Mot de passe changé"}  # noqa: RUF012


def _account_page(
    request: HttpRequest, form: TokenForm | None = None, new_secret: str = "", status: int = 200
) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "accounts/account.html",
        {
            "title": "Mon compte",
            "account": user,
            "memberships": user.memberships.select_related("organisation").order_by(
                "organisation__name"
            ),
            "tokens": services.tokens_of(user),
            "token_form": form or TokenForm(),
            "new_secret": new_secret,
        },
        status=status,
    )


@login_required
@web_errors
def account(request: HttpRequest) -> HttpResponse:
    return _account_page(request)


@login_required
@require_POST
@web_errors
def create_token(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _account_page(request, form, status=422)
    try:
        new = services.create_token(
            _user(request), form.cleaned_data["name"], form.cleaned_data["days"]
        )
    except services.ServiceError as exc:
        form.add_error(None, str(exc))
        return _account_page(request, form, status=422)
    # Pas de redirection : le secret n'est montré que dans cette réponse, jamais gardé.
    return _account_page(request, new_secret=new.secret)


@login_required
@require_POST
@web_errors
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    user = _user(request)
    token = services.revoke_token(
        user, services.get_token(user, token_id), request.POST.get("reason", "")
    )
    messages.success(request, f"Jeton « {token.name} » révoqué.")
    return HttpResponseRedirect(reverse("accounts:account"))


@login_required
@web_errors
def organisation_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/organisation_list.html",
        {"title": "Organisations", "organisations": services.visible_organisations(_user(request))},
    )


def _organisation_page(
    request: HttpRequest,
    organisation: Organisation,
    form: MemberForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    show_members = can(user, "accounts.view_members", organisation)
    manage = can(user, "accounts.manage_members", organisation)
    return render(
        request,
        "accounts/organisation.html",
        {
            "title": organisation.name,
            "organisation": organisation,
            "members": services.members(user, organisation) if show_members else None,
            "can_manage": manage,
            "can_view_history": can(user, "accounts.view_history", organisation),
            "member_form": (form or MemberForm(organisation_kind=organisation.kind))
            if manage
            else None,
        },
        status=status,
    )


@login_required
@web_errors
def organisation_detail(request: HttpRequest, organisation_id: int) -> HttpResponse:
    return _organisation_page(request, services.get_organisation(_user(request), organisation_id))


@login_required
@require_POST
@web_errors
def add_member(request: HttpRequest, organisation_id: int) -> HttpResponse:
    user = _user(request)
    organisation = services.get_organisation(user, organisation_id)
    form = MemberForm(request.POST, organisation_kind=organisation.kind)
    if not form.is_valid():
        # Le refus de permission passe avant la validation du formulaire.
        authorize(user, "accounts.manage_members", organisation)
        return _organisation_page(request, organisation, form, status=422)
    data = form.cleaned_data
    try:
        membership = services.add_member(
            user, organisation, data["email"], data["role"], data["full_name"], data["reason"]
        )
    except services.ServiceError as exc:
        form.add_error(None, str(exc))
        return _organisation_page(request, organisation, form, status=422)
    messages.success(request, f"{membership.user.label} ajouté comme « {membership.role_label} ».")
    return HttpResponseRedirect(reverse("accounts:organisation", args=[organisation.pk]))


@login_required
@require_POST
@web_errors
def remove_member(request: HttpRequest, membership_id: int) -> HttpResponse:
    user = _user(request)
    membership = services.get_membership(user, membership_id)
    organisation = membership.organisation
    try:
        services.remove_member(user, membership, request.POST.get("reason", ""))
    except services.ServiceError as exc:
        messages.error(request, f"Retrait refusé : {exc}.")
    else:
        messages.success(
            request, f"{membership.user.label} n'est plus « {membership.role_label} »."
        )
    return HttpResponseRedirect(reverse("accounts:organisation", args=[organisation.pk]))


@login_required
@web_errors
def history(request: HttpRequest) -> HttpResponse:
    target_type = request.GET.get("target_type", "")
    target_id = request.GET.get("target_id", "")
    events = services.history_of(_user(request), target_type, target_id)
    return render(
        request,
        "accounts/history.html",
        {"title": "Journal", "events": events, "target_type": target_type, "target_id": target_id},
    )
