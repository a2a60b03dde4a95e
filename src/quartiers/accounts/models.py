"""Modèles des comptes : compte (connexion par courriel), organisation, adhésion, jeton, journal.

Le rattachement territorial se fait par codes (`department_code`, `region_code`, `epci_siren`,
`insee_code`) et non par clés étrangères : cette application ne dépend que de Django et de
`quartiers.core`, les territoires viennent au-dessus d'elle.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from quartiers.core import accounts as core

ROLE_CHOICES = [(info.role.value, info.label) for info in core.ROLES.values()]
KIND_CHOICES = [(kind.value, label) for kind, label in core.ORGANISATION_KIND_LABELS.items()]


def normalise_email(email: str) -> str:
    """Le courriel sert d'identifiant : sans espaces et en minuscules, partie locale comprise."""
    return (email or "").strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email=normalise_email(username or ""))

    def create_user(
        self, email: str, password: str | None = None, full_name: str = "", **extra: Any
    ) -> User:
        if not email:
            raise ValueError("Un compte doit avoir une adresse électronique.")
        user = self.model(email=normalise_email(email), full_name=full_name, **extra)
        user.set_password(password)  # None : mot de passe inutilisable
        user.save(using=self._db)
        return user

    def create_superuser(
        self, email: str, password: str | None = None, full_name: str = "", **extra: Any
    ) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, full_name, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Un compte : une personne, identifiée par son courriel, membre d'organisations."""

    email = models.EmailField("adresse électronique", unique=True)
    full_name = models.CharField("nom complet", max_length=200, blank=True)
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField("accès à l'administration", default=False)
    date_joined = models.DateTimeField("créé le", default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    class Meta:
        verbose_name = "compte"
        verbose_name_plural = "comptes"
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")
        ]

    def clean(self) -> None:
        super().clean()
        self.email = normalise_email(self.email)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def label(self) -> str:
        """Nom lisible dans un journal ou un message : « Nom (courriel) »."""
        return f"{self.full_name} ({self.email})" if self.full_name else self.email

    def __str__(self) -> str:
        return self.label


class Organisation(models.Model):
    """Structure, service de l'État, financeur ou conseil citoyen, rattaché à son territoire."""

    name = models.CharField("nom", max_length=250)
    kind = models.CharField("nature", max_length=32, choices=KIND_CHOICES)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    siren = models.CharField("SIREN", max_length=9, blank=True)
    rna = models.CharField("numéro RNA", max_length=10, blank=True)
    region_code = models.CharField("code de la région", max_length=3, blank=True)
    department_code = models.CharField("code du département", max_length=3, blank=True)
    epci_siren = models.CharField("SIREN de l'EPCI", max_length=9, blank=True)
    insee_code = models.CharField("code INSEE de la commune", max_length=5, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        verbose_name = "organisation"
        verbose_name_plural = "organisations"
        ordering: ClassVar[list[str]] = ["name"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["siret"], condition=~models.Q(siret=""), name="accounts_org_siret_unique"
            ),
            models.UniqueConstraint(
                fields=["rna"], condition=~models.Q(rna=""), name="accounts_org_rna_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def place(self) -> core.Place:
        return core.Place.of(
            self.region_code, self.department_code, self.epci_siren, self.insee_code
        )

    @property
    def kind_label(self) -> str:
        return core.ORGANISATION_KIND_LABELS[core.OrganisationKind(self.kind)]

    def clean_fields(self, exclude: Any = None) -> None:
        # Les identifiants se saisissent souvent espacés (« 552 120 222 00013 ») : compactés d'abord.
        for name in ("siret", "siren", "rna", *core.TERRITORY_FIELD_LABELS):
            value = getattr(self, name)
            if value:
                setattr(self, name, re.sub(r"[\s.\-]", "", value).upper())
        super().clean_fields(exclude)

    def clean(self) -> None:
        """Identifiants et territoire contrôlés avec des messages précis (champ par champ)."""
        errors: dict[str, list[str]] = {}
        checks = (
            ("siret", core.validate_siret),
            ("siren", core.validate_siren),
            ("rna", core.validate_rna),
        )
        for name, check in checks:
            value = getattr(self, name)
            if value:
                try:
                    setattr(self, name, check(value))
                except core.InvalidIdentifier as exc:
                    errors.setdefault(name, []).append(str(exc))
        for name in core.TERRITORY_FIELD_LABELS:
            value = getattr(self, name)
            if value:
                try:
                    setattr(self, name, core.validate_territory_code(name, value))
                except core.InvalidIdentifier as exc:
                    errors.setdefault(name, []).append(str(exc))
        if self.siret and self.siren and "siret" not in errors and "siren" not in errors:
            if self.siret[:9] != self.siren:
                errors.setdefault("siret", []).append(
                    f"SIRET « {self.siret} » : ne commence pas par le SIREN « {self.siren} »"
                )
        elif self.siret and not self.siren and "siret" not in errors:
            self.siren = self.siret[:9]
        if self.kind in {k.value for k in core.OrganisationKind}:
            for problem in core.territory_problems(self.kind, self.place):
                errors.setdefault("__all__", []).append(problem)
        if errors:
            raise ValidationError(errors)


class Membership(models.Model):
    """Un compte dans une organisation avec un rôle ; plusieurs rôles = plusieurs adhésions."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField("rôle", max_length=32, choices=ROLE_CHOICES)
    created_at = models.DateTimeField("depuis le", auto_now_add=True)

    class Meta:
        verbose_name = "adhésion"
        verbose_name_plural = "adhésions"
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="accounts_membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user.label} — {self.role_label} — {self.organisation.name}"

    @property
    def role_label(self) -> str:
        return core.role_label(self.role)

    @property
    def facts(self) -> core.MembershipFacts:
        return core.MembershipFacts(
            core.Role(self.role),
            core.OrganisationKind(self.organisation.kind),
            self.organisation.place,
        )


class ApiToken(models.Model):
    """Jeton d'API personnel : seul son empreinte SHA-256 est gardée, le secret n'est montré qu'une fois."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("nom", max_length=100)
    prefix = models.CharField("début du jeton", max_length=16)
    token_hash = models.CharField("empreinte SHA-256", max_length=64, unique=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    expires_at = models.DateTimeField("expire le", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    @property
    def status_label(self) -> str:
        if self.revoked_at is not None:
            return "révoqué"
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return "expiré"
        return "actif"


class AuditEvent(models.Model):
    """Entrée du journal : qui a fait quoi, sur quoi, quand et pourquoi. Jamais modifiée.

    Écrite seulement par `quartiers.accounts.audit.record` ; des déclencheurs de la base
    (migration 0001) refusent toute modification ou suppression, même en SQL brut.
    """

    created_at = models.DateTimeField("date", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    actor_label = models.CharField("auteur", max_length=300)
    action = models.CharField("action", max_length=100)
    target_type = models.CharField("type d'objet", max_length=100)
    target_id = models.CharField("identifiant de l'objet", max_length=100)
    target_label = models.CharField("objet", max_length=300, blank=True)
    changes = models.JSONField("changements", default=dict, blank=True, encoder=DjangoJSONEncoder)
    reason = models.TextField("motif", blank=True)

    class Meta:
        verbose_name = "événement du journal"
        verbose_name_plural = "journal d'audit"
        ordering: ClassVar[list[str]] = ["created_at", "id"]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["target_type", "target_id"], name="accounts_audit_target_idx")
        ]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%d/%m/%Y %H:%M} {self.actor_label} {self.action} {self.target_label}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValidationError("Le journal d'audit ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValidationError("Le journal d'audit ne se supprime pas.")
