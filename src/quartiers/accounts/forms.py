"""Formulaires des pages de comptes (libellés et erreurs en français)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.core.cache import cache

from quartiers.accounts.models import normalise_email
from quartiers.core import accounts as core


class DsfrMixin:
    """Classes du DSFR sur les champs (fr-input, fr-select), sans gabarit par champ."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "fr-select" if isinstance(field.widget, forms.Select) else "fr-input"
            field.widget.attrs.setdefault("class", css)


class DsfrPasswordResetForm(DsfrMixin, PasswordResetForm):
    pass


class DsfrSetPasswordForm(DsfrMixin, SetPasswordForm):  # type: ignore[type-arg]
    pass


class DsfrPasswordChangeForm(DsfrMixin, PasswordChangeForm):
    pass


def _failure_key(email: str) -> str:
    return f"quartiers:login-failures:{normalise_email(email)}"


class EmailLoginForm(DsfrMixin, AuthenticationForm):
    """Connexion par courriel, freinée après trop d'échecs pour un même courriel."""

    username = forms.EmailField(
        label="Adresse électronique",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.error_messages = {
            "invalid_login": "Adresse électronique ou mot de passe incorrect.",
            "inactive": "Ce compte est désactivé.",
            "throttled": "Trop de tentatives de connexion pour ce compte : réessayez dans %(minutes)s minutes.",
        }

    def clean(self) -> dict[str, Any]:
        email = self.data.get("username", "")
        key = _failure_key(str(email))
        limit = int(getattr(settings, "QUARTIERS_LOGIN_MAX_FAILURES", 5))
        lockout = int(getattr(settings, "QUARTIERS_LOGIN_LOCKOUT_SECONDS", 900))
        if email and cache.get(key, 0) >= limit:
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": max(1, lockout // 60)},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if email:
                cache.set(key, cache.get(key, 0) + 1, lockout)
            raise
        cache.delete(key)
        return cleaned


class MemberForm(DsfrMixin, forms.Form):
    email = forms.EmailField(label="Adresse électronique du membre")
    full_name = forms.CharField(label="Nom complet", required=False, max_length=200)
    role = forms.ChoiceField(label="Rôle")
    reason = forms.CharField(label="Motif (facultatif, consigné au journal)", required=False)

    def __init__(self, *args: Any, organisation_kind: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = core.OrganisationKind(organisation_kind) if organisation_kind else None
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = [
            (info.role.value, info.label)
            for info in core.ROLES.values()
            if kind is None or kind in info.organisation_kinds
        ]


class TokenForm(DsfrMixin, forms.Form):
    name = forms.CharField(
        label="Nom du jeton",
        max_length=100,
        help_text="À quoi il sert, par exemple « script d'import ».",
    )
    days = forms.IntegerField(
        label="Validité en jours",
        min_value=0,
        max_value=3650,
        initial=90,
        help_text="0 : sans expiration (déconseillé).",
    )
