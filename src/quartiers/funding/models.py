"""Modèles des financements : contrat de ville, appel à projets, demande, actions, budget, plan.

Le statut d'une demande et les montants du plan de financement sont **gardés** : un `save()`
qui les change hors de `audited_save` (lequel écrit au journal d'audit dans la même
transaction) lève `UnauditedChange`, et `QuerySet.update()` les refuse. Les services sont le
seul chemin d'écriture.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from django.db import models, transaction
from django.utils import timezone

from quartiers.accounts import audit
from quartiers.accounts.models import Organisation, User
from quartiers.core import accounts as core_accounts
from quartiers.core.funding import budget as core_budget
from quartiers.core.funding.plan import DECISION_LABELS, Decision
from quartiers.core.funding.workflow import STATUS_LABELS, Status

STATUS_CHOICES = [(s.value, label) for s, label in STATUS_LABELS.items()]
DECISION_CHOICES = [(d.value, label) for d, label in DECISION_LABELS.items()]
CATEGORY_CHOICES = [(c.code, c.full_label) for c in core_budget.CATEGORIES]


class UnauditedChange(Exception):
    """Changement d'un champ gardé (statut, montant) hors du chemin qui l'écrit au journal."""


def _refuse_guarded(model: Any, kwargs: dict[str, Any]) -> None:
    guarded = set(getattr(model, "GUARDED_FIELDS", ())) & set(kwargs)
    if guarded:
        raise UnauditedChange(
            f"modification en masse refusée pour {', '.join(sorted(guarded))} : "
            "passer par les services (journal d'audit)"
        )


class GuardedModel(models.Model):
    """Modèle dont certains champs ne changent qu'avec leur événement d'audit."""

    GUARDED_FIELDS: ClassVar[tuple[str, ...]] = ()
    _loaded: dict[str, Any]
    _audited: bool

    class Meta:
        abstract = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._remember()

    def _remember(self) -> None:
        self._loaded = {name: getattr(self, name) for name in self.GUARDED_FIELDS}
        self._audited = False

    def guarded_changes(self) -> dict[str, tuple[Any, Any]]:
        changes = {}
        for name in self.GUARDED_FIELDS:
            before, after = self._loaded.get(name), getattr(self, name)
            if self.pk is not None and before != after:
                changes[name] = (_plain(before), _plain(after))
        return changes

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.guarded_changes() and not self._audited:
            raise UnauditedChange(
                f"{', '.join(self.guarded_changes())} de « {self} » modifié(s) hors du journal "
                "d'audit : passer par les services de financement"
            )
        super().save(*args, **kwargs)
        self._remember()


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def audited_save(
    instance: GuardedModel,
    actor: User | str | None,
    action: str,
    reason: str = "",
    extra: dict[str, tuple[Any, Any]] | None = None,
    target: models.Model | None = None,
) -> None:
    """Enregistre l'objet et consigne ses changements gardés au journal, en une transaction."""
    with transaction.atomic():
        changes = {**instance.guarded_changes(), **(extra or {})}
        creating = instance.pk is None
        instance._audited = True
        try:
            instance.save()
        finally:
            instance._audited = False
        if changes or creating:
            audit.record(actor, action, target or instance, changes, reason)


class CityContract(models.Model):
    """Contrat de ville d'un EPCI (loi 2014-173, art. 6) : génération, quartiers, priorités."""

    class Generation(models.TextChoices):
        G2015 = "2015", "Contrat de ville 2015–2023"
        G2024 = "2024", "Engagements Quartiers 2030 (2024–2030)"

    name = models.CharField("nom", max_length=250)
    epci_siren = models.CharField("SIREN de l'EPCI", max_length=9)
    epci_name = models.CharField("nom de l'EPCI", max_length=250, blank=True)
    region_code = models.CharField("code de la région", max_length=3, blank=True)
    department_code = models.CharField("code du département", max_length=3)
    generation = models.CharField("génération", max_length=4, choices=Generation.choices)
    starts_on = models.DateField("début")
    ends_on = models.DateField("fin")
    qpv_codes = models.JSONField("quartiers couverts (codes QPV)", default=list)
    priorities = models.JSONField("priorités et objectifs", default=list)
    signatories = models.ManyToManyField(
        Organisation, verbose_name="signataires", related_name="city_contracts", blank=True
    )

    class Meta:
        verbose_name = "contrat de ville"
        verbose_name_plural = "contrats de ville"
        ordering: ClassVar[list[str]] = ["-starts_on", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def place(self) -> core_accounts.Place:
        return core_accounts.Place.of(self.region_code, self.department_code, self.epci_siren, "")


class CallForProjects(models.Model):
    """Appel à projets d'un contrat pour un exercice : thèmes, dates, financeurs, pièces, grille."""

    contract = models.ForeignKey(
        CityContract, on_delete=models.PROTECT, related_name="calls", verbose_name="contrat"
    )
    title = models.CharField("intitulé", max_length=250)
    year = models.PositiveSmallIntegerField("exercice")
    themes = models.JSONField("thèmes", default=list)
    preamble = models.TextField("préambule", blank=True)
    eligibility = models.TextField("critères d'éligibilité", blank=True)
    opens_on = models.DateField("ouverture")
    closes_on = models.DateField("clôture")
    funders = models.ManyToManyField(
        Organisation, verbose_name="financeurs", related_name="calls_for_projects"
    )
    required_documents = models.JSONField("pièces obligatoires", default=list)
    scoring_grid = models.JSONField(
        "grille de notation", default=list, help_text="[{code, label, max}]"
    )

    class Meta:
        verbose_name = "appel à projets"
        verbose_name_plural = "appels à projets"
        ordering: ClassVar[list[str]] = ["-year", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"

    def is_open(self, on: dt.date) -> bool:
        return self.opens_on <= on <= self.closes_on


class GrantApplicationQuerySet(models.QuerySet["GrantApplication"]):
    def update(self, **kwargs: Any) -> int:
        _refuse_guarded(self.model, kwargs)
        return super().update(**kwargs)


class GrantApplication(GuardedModel):
    """Une demande de subvention : une référence, ses actions numérotées, son statut, sa version."""

    GUARDED_FIELDS = ("status",)

    reference = models.CharField("référence", max_length=20, unique=True)
    call = models.ForeignKey(
        CallForProjects, on_delete=models.PROTECT, related_name="applications",
        verbose_name="appel à projets",
    )  # fmt: skip
    applicant = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="grant_applications",
        verbose_name="structure porteuse",
    )  # fmt: skip
    title = models.CharField("intitulé", max_length=250, blank=True)
    theme = models.CharField("thème", max_length=120, blank=True)
    status = models.CharField(
        "statut", max_length=24, choices=STATUS_CHOICES, default=Status.DRAFT.value
    )
    version = models.PositiveIntegerField("version", default=1)
    first_year = models.PositiveSmallIntegerField("premier exercice")
    years = models.PositiveSmallIntegerField("nombre d'exercices", default=1)
    step = models.CharField("dernière étape", max_length=20, default="preamble")
    # Copiés du contrat : la portée territoriale se filtre sans jointure.
    region_code = models.CharField(max_length=3, blank=True)
    department_code = models.CharField(max_length=3, blank=True)
    epci_siren = models.CharField(max_length=9, blank=True)
    requested_total = models.DecimalField(
        "total demandé", default=Decimal(0), max_digits=14, decimal_places=2
    )
    qpv_codes = models.JSONField("quartiers concernés", default=list)
    attested_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="attestée par",
    )  # fmt: skip
    attested_at = models.DateTimeField("attestée le", null=True, blank=True)
    submitted_at = models.DateTimeField("transmise le", null=True, blank=True)
    created_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="créée par"
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    updated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="modifiée par",
    )  # fmt: skip

    objects = GrantApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = "demande de subvention"
        verbose_name_plural = "demandes de subvention"
        ordering: ClassVar[list[str]] = ["-created_at"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["status", "department_code"]),
            models.Index(fields=["department_code", "-created_at"]),
            models.Index(fields=["epci_siren"]),
            models.Index(fields=["requested_total"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title or 'sans intitulé'}"

    @property
    def place(self) -> core_accounts.Place:
        return core_accounts.Place.of(self.region_code, self.department_code, self.epci_siren, "")

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[Status(self.status)]

    @property
    def multi_year(self) -> bool:
        return self.years > 1


class Action(models.Model):
    """Une action de la demande, numérotée sous sa référence (jamais une demande par action)."""

    application = models.ForeignKey(
        GrantApplication, on_delete=models.CASCADE, related_name="actions"
    )
    number = models.PositiveSmallIntegerField("numéro")
    title = models.CharField("intitulé", max_length=250, blank=True)
    objectives = models.TextField("objectifs", blank=True)
    public = models.TextField("public visé", blank=True)
    qpv_codes = models.JSONField("quartiers concernés", default=list)
    beneficiaries = models.PositiveIntegerField("bénéficiaires attendus", null=True, blank=True)
    qpv_share = models.DecimalField(
        "part habitant en QPV (%)", max_digits=5, decimal_places=2, null=True, blank=True
    )
    starts_on = models.DateField("début", null=True, blank=True)
    ends_on = models.DateField("fin", null=True, blank=True)
    address = models.CharField("lieu (adresse)", max_length=300, blank=True)
    located_qpv_code = models.CharField("QPV du lieu", max_length=12, blank=True)
    location_status = models.CharField("localisation", max_length=200, blank=True)

    class Meta:
        verbose_name = "action"
        ordering: ClassVar[list[str]] = ["application", "number"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["application", "number"], name="funding_action_number")
        ]

    def __str__(self) -> str:
        return f"{self.application.reference}-{self.number:02d} {self.title}"

    @property
    def code(self) -> str:
        return f"{self.application.reference}-{self.number:02d}"


class BudgetLine(models.Model):
    """Une ligne du budget prévisionnel de l'action (compte CERFA 12156)."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField("compte", max_length=2, choices=CATEGORY_CHOICES)
    label = models.CharField("libellé", max_length=200, blank=True)
    amount = models.DecimalField("montant", max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = "ligne de budget"
        ordering: ClassVar[list[str]] = ["action", "category", "id"]

    def __str__(self) -> str:
        return f"{self.category} {self.label} {self.amount}"


class FundingLineQuerySet(models.QuerySet["FundingLine"]):
    def update(self, **kwargs: Any) -> int:
        _refuse_guarded(self.model, kwargs)
        return super().update(**kwargs)


class FundingLine(GuardedModel):
    """Une ligne du plan de financement : financeur, exercice, demandé, décision, accordé."""

    GUARDED_FIELDS = ("requested", "decision", "granted")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="funding_lines")
    funder = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="funding_lines",
        verbose_name="financeur",
    )  # fmt: skip
    year = models.PositiveSmallIntegerField("exercice")
    requested = models.DecimalField("montant demandé", max_digits=14, decimal_places=2)
    decision = models.CharField(
        "décision", max_length=10, choices=DECISION_CHOICES, default=Decision.PENDING.value
    )
    granted = models.DecimalField(
        "montant accordé", null=True, blank=True, max_digits=14, decimal_places=2
    )
    justification = models.TextField("motivation de la décision", blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)

    objects = FundingLineQuerySet.as_manager()

    class Meta:
        verbose_name = "ligne du plan de financement"
        ordering: ClassVar[list[str]] = ["action", "year", "funder__name"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["action", "funder", "year"], name="funding_line_one_per_funder_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.funder.name} {self.year} : {self.requested} €"

    @property
    def decision_label(self) -> str:
        return DECISION_LABELS[Decision(self.decision)]


class Opinion(models.Model):
    """Avis d'un financeur sur une demande : notes selon la grille de l'appel, commentaire."""

    application = models.ForeignKey(
        GrantApplication, on_delete=models.CASCADE, related_name="opinions"
    )
    funder = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    favourable = models.BooleanField("avis favorable")
    scores = models.JSONField("notes par critère", default=dict)
    comment = models.TextField("commentaire", blank=True)
    given_at = models.DateTimeField("donné le", auto_now=True)

    class Meta:
        verbose_name = "avis"
        verbose_name_plural = "avis"
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["application", "funder"], name="funding_one_opinion")
        ]

    def __str__(self) -> str:
        return f"avis de {self.funder.name} sur {self.application.reference}"

    @property
    def total_score(self) -> int:
        return sum(int(v) for v in self.scores.values())


class ComplementRequest(models.Model):
    """Demande de compléments : message, pièces manquantes, échéance, réponse du porteur."""

    application = models.ForeignKey(
        GrantApplication, on_delete=models.CASCADE, related_name="complement_requests"
    )
    message = models.TextField("message")
    missing_items = models.JSONField("éléments manquants", default=list)
    due_on = models.DateField("à rendre avant le")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("demandée le", auto_now_add=True)
    answer = models.TextField("réponse", blank=True)
    answered_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField("répondue le", null=True, blank=True)
    reminded_at = models.DateTimeField("rappel envoyé le", null=True, blank=True)
    overdue_notified_at = models.DateTimeField("retard signalé le", null=True, blank=True)

    class Meta:
        verbose_name = "demande de compléments"
        verbose_name_plural = "demandes de compléments"
        ordering: ClassVar[list[str]] = ["requested_at"]

    def __str__(self) -> str:
        return f"compléments pour {self.application.reference} (avant le {self.due_on:%d/%m/%Y})"

    def overdue_on(self, on: dt.date) -> bool:
        """Sans réponse et l'échéance passée (le jour même reste dans les temps)."""
        return self.answered_at is None and on > self.due_on

    @property
    def overdue(self) -> bool:
        return self.overdue_on(timezone.localdate())


class Document(models.Model):
    """Pièce d'une structure (réutilisée d'une demande à l'autre) ou d'une demande.

    Le fichier vit sous `VAR_DIR/funding/documents/` (hors de la racine web) ; il n'est servi
    que par une vue qui vérifie `funding.view_document`.
    """

    class Kind(models.TextChoices):
        STATUTES = "statuts", "Statuts"
        RIB = "rib", "RIB"
        SIREN_NOTICE = "avis_siren", "Avis de situation SIREN"
        MINUTES = "proces_verbal", "Procès-verbal de l'assemblée générale"
        ACTIVITY_REPORT = "rapport_activite", "Rapport d'activité"
        ACCOUNTS = "comptes_annuels", "Comptes annuels"
        ATTESTATION = "attestation", "Attestation sur l'honneur"
        OTHER = "autre", "Autre pièce"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="funding_documents"
    )
    application = models.ForeignKey(
        GrantApplication, null=True, blank=True, on_delete=models.CASCADE,
        related_name="documents",
    )  # fmt: skip
    kind = models.CharField("nature", max_length=20, choices=Kind.choices)
    valid_from = models.DateField("valable du", null=True, blank=True)
    valid_until = models.DateField("valable jusqu'au", null=True, blank=True)
    original_name = models.CharField("nom du fichier", max_length=200)
    content_type = models.CharField("type", max_length=100)
    size = models.PositiveIntegerField("taille (octets)")
    sha256 = models.CharField(max_length=64)
    storage_path = models.CharField("chemin (sous VAR_DIR)", max_length=300)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("déposée le", auto_now_add=True)

    class Meta:
        verbose_name = "pièce"
        ordering: ClassVar[list[str]] = ["kind", "-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.original_name}"

    def valid_on(self, on: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_until is None or on <= self.valid_until
        )


class OrganisationProfile(models.Model):
    """Fiche « tiers » d'une structure porteuse : forme juridique, siège localisé, coordonnées.

    Le siège passe par la même vérification que « Mon adresse est-elle en QPV ? » ; le résultat
    (QPV, statut, date de la vérification) est gardé et affiché tel quel.
    """

    class LegalForm(models.TextChoices):
        ASSOCIATION = "association", "Association loi 1901"
        ASSOCIATION_LOCAL = "association_1908", "Association de droit local (Alsace-Moselle)"
        FOUNDATION = "fondation", "Fondation"
        COOPERATIVE = "cooperative", "Coopérative (SCOP, SCIC)"
        COMPANY = "entreprise", "Entreprise (SARL, SAS…)"
        LOCAL_AUTHORITY = "collectivite", "Collectivité territoriale"
        PUBLIC_BODY = "etablissement_public", "Établissement public"
        SOCIAL_LANDLORD = "bailleur_social", "Bailleur social"
        OTHER = "autre", "Autre"

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="funding_profile"
    )
    legal_form = models.CharField("forme juridique", max_length=24, choices=LegalForm.choices)
    head_office_address = models.CharField("adresse du siège", max_length=300, blank=True)
    head_office_qpv_code = models.CharField("QPV du siège", max_length=12, blank=True)
    head_office_status = models.CharField("localisation du siège", max_length=300, blank=True)
    head_office_checked_on = models.DateField("siège vérifié le", null=True, blank=True)
    email = models.EmailField("courriel de la structure", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    website = models.URLField("site", blank=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    class Meta:
        verbose_name = "fiche tiers"
        verbose_name_plural = "fiches tiers"

    def __str__(self) -> str:
        return f"fiche de {self.organisation.name}"


class OrganisationPerson(models.Model):
    """Une personne de la structure : contact, administrateur, signataire (attestation)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="funding_people"
    )
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="compte",
    )  # fmt: skip
    full_name = models.CharField("nom", max_length=200)
    function = models.CharField("fonction", max_length=120, blank=True)
    email = models.EmailField("courriel", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    is_contact = models.BooleanField("contact", default=False)
    is_administrator = models.BooleanField("administrateur", default=False)
    is_signatory = models.BooleanField("signataire", default=False)

    class Meta:
        verbose_name = "personne de la structure"
        verbose_name_plural = "personnes de la structure"
        ordering: ClassVar[list[str]] = ["organisation", "full_name", "id"]

    def __str__(self) -> str:
        return f"{self.full_name} ({', '.join(self.role_labels) or 'sans rôle'})"

    @property
    def role_labels(self) -> list[str]:
        pairs = (
            (self.is_contact, "contact"),
            (self.is_administrator, "administrateur"),
            (self.is_signatory, "signataire"),
        )
        return [label for held, label in pairs if held]
