"""Le questionnaire du simulateur : quelles questions poser ensuite, d'après les réponses.

Trois publics (personne, employeur, structure) ; on ne pose que les faits qui manquent aux
dispositifs encore indécis, une question passée n'est pas reposée, des coordonnées valent
réponse à « habite en QPV ? ». La page n'en fait que l'affichage.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from quartiers.core.rules.facts import FACT_BY_NAME, FactError, FactKind, parse_date, parse_value
from quartiers.programmes import services

FIRST_STEP = {
    "person": ("birth_date", "resides_in_qpv", "employment_status"),
    "employer": ("hire_date", "contract_type", "organisation_type"),
    "structure": ("organisation_type", "premises_in_qpv"),
}
# Une étape = un thème (comme 1jeune1solution) : on ne montre que les questions encore utiles du
# premier thème qui en a. Un fait hors de ces listes va dans « Autres questions ».
THEMES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "person": (
        ("Vous", ("birth_date", "disability_recognised", "in_child_welfare")),
        ("Votre logement", ("resides_in_qpv", "lives_in_zrr", "qpv_has_cite_educative")),
        (
            "Votre situation",
            (
                "employment_status",
                "jobseeker_category",
                "diploma_level",
                "currently_in_cej",
                "ready_to_commit",
                "medically_fit",
                "recent_work_history",
                "receives_unemployment_benefit",
            ),
        ),
        (
            "Vos études",
            (
                "school_level",
                "school_in_priority_education",
                "school_rural_isolated",
                "vocational_or_technological_track",
                "higher_education_grant_holder",
                "prepares_civil_service_exam",
                "in_prepa_talents",
                "fragile_situation",
            ),
        ),
        (
            "Vos ressources",
            (
                "household_tax_situation",
                "receives_incompatible_benefit",
                "family_quotient",
                "income_below_grant_ceiling",
            ),
        ),
        ("Votre séjour de vacances", ("stay_nights", "stay_cost")),
    ),
    "employer": (
        (
            "Le contrat",
            (
                "hire_date",
                "contract_type",
                "contract_months",
                "working_time_percent",
                "contract_end_date",
                "apprentice_diploma_level",
            ),
        ),
        (
            "La personne embauchée",
            (
                "birth_date",
                "resides_in_qpv",
                "employment_status",
                "jobseeker_category",
                "diploma_level",
                "disability_recognised",
                "employee_on_staff_last_6_months",
                "other_state_aid_same_employee",
                "qpv_in_experiment_list",
            ),
        ),
        (
            "L'employeur",
            (
                "organisation_type",
                "company_staff",
                "employer_obligations_up_to_date",
                "economic_dismissal_last_6_months",
                "workstudy_quota_met",
                "state_convention_signed",
            ),
        ),
    ),
    "structure": (
        (
            "La structure",
            (
                "organisation_type",
                "serves_qpv_residents",
                "registered_rcs",
                "company_staff",
                "qualified_permanent_employee",
                "fonjep_half_post",
                "other_job_aid_same_post",
            ),
        ),
        (
            "Les locaux",
            (
                "premises_in_qpv",
                "establishment_date",
                "establishment_in_zfu_te",
                "social_rented_housing",
                "city_contract_signed",
            ),
        ),
        (
            "Les finances",
            (
                "tax_year",
                "tfpb_base",
                "turnover",
                "balance_sheet_total",
                "taxable_profit",
                "zfu_local_hiring_met",
                "zfu_new_local_hires",
            ),
        ),
    ),
}
OTHER_THEME = "Autres questions"


def theme_of(audience: str, name: str) -> str:
    for title, names in THEMES[audience]:
        if name in names:
            return title
    return OTHER_THEME


def theme_titles(audience: str) -> list[str]:
    return [title for title, _ in THEMES[audience]] + [OTHER_THEME]


COORDINATES = {
    "resides_in_qpv": ("lon", "lat"),
    "premises_in_qpv": ("premises_lon", "premises_lat"),
}
HIDDEN_WITH = {name for pair in COORDINATES.values() for name in pair}
# La question « en QPV ? » se pose par une adresse (géocodée sous la politique « à vérifier » de
# la vérification d'adresse) : champ de la page → question qu'il remplace.
ADDRESS_FIELDS = {"resides_in_qpv": "adresse", "premises_in_qpv": "adresse_locaux"}
ADDRESS_LABELS = {
    "resides_in_qpv": "Votre adresse",
    "premises_in_qpv": "Adresse des locaux de la structure",
}


@dataclass
class Step:
    """Où en est le questionnaire : réponses valides, questions à poser, résultats."""

    answers: dict[str, str]
    addresses: dict[str, str]
    field_errors: dict[str, str]
    skipped: list[str]
    pending: list[str]
    day_text: str
    ask_date: bool
    errors: list[str] = field(default_factory=list)
    simulation: services.Simulation | None = None
    show_results: bool = False
    theme: str = ""
    themes: list[str] = field(default_factory=list)

    @property
    def step_number(self) -> int:
        return self.themes.index(self.theme) + 1 if self.theme in self.themes else 1

    @property
    def next_theme(self) -> str:
        """Le thème de l'étape suivante, ou « Vos résultats »."""
        n = self.step_number
        return self.themes[n] if n < len(self.themes) else "Vos résultats"


PAST_DATES = frozenset({"birth_date"})


def plain_error(label: str, exc: Exception, kind: FactKind | None = None) -> str:
    """L'erreur d'une réponse, sans nom de fait interne ni liste de codes : « Date de naissance :
    date attendue… », « Situation professionnelle : choisissez une réponse de la liste »."""
    if kind is FactKind.BOOL:
        return f"{label} : répondez oui ou non (ou laissez vide si vous ne savez pas)"
    if kind is FactKind.CHOICE or "attendues :" in str(exc):
        return f"{label} : choisissez une réponse de la liste (ou « je ne sais pas »)"
    if kind is FactKind.DATE:
        return f"{label} : date attendue, par exemple 14/07/2004"
    message = str(exc)
    for prefix in ("« ", '"'):
        if message.startswith(prefix) and " : " in message:
            message = message.split(" : ", 1)[1]
    return f"{label} : {message}"


def is_coordinate_of(name: str, pending: list[str]) -> bool:
    return any(name in COORDINATES.get(p, ()) for p in pending)


def next_step(audience: str, query: Mapping[str, str]) -> Step:
    """Lit les réponses (texte brut de la page), les valide, simule, choisit les questions."""
    answers = {
        k: v.strip()
        for k, v in query.items()
        if k in FACT_BY_NAME and v.strip() and FACT_BY_NAME[k].kind is not FactKind.LIST
    }
    field_errors: dict[str, str] = {}
    addresses = _place_addresses(query, answers, field_errors)
    skipped = [s for s in query.get("_skipped", "").split(",") if s in FACT_BY_NAME]
    for name in query.get("_asked", "").split(","):
        if name in FACT_BY_NAME and name not in answers and name not in skipped:
            if name in COORDINATES and all(c in answers for c in COORDINATES[name]):
                continue
            if name in field_errors:
                continue  # adresse refusée : la question revient, avec son erreur
            skipped.append(name)
    day_text = query.get("date", "").strip() or dt.date.today().isoformat()
    errors: list[str] = []
    ask_date = "_asked" not in query
    try:
        parse_date("date", day_text)
    except FactError as exc:
        errors.append(f"Date de la simulation : {exc}")
        day_text, ask_date = dt.date.today().isoformat(), True
    for name in list(answers):
        try:
            value = parse_value(FACT_BY_NAME[name], answers[name])
        except FactError as exc:
            spec = FACT_BY_NAME[name]
            field_errors[name] = plain_error(spec.label, exc, spec.kind)
            del answers[name]
            continue
        if name in PAST_DATES and isinstance(value, dt.date) and value > dt.date.today():
            field_errors[name] = f"{FACT_BY_NAME[name].label} : une date passée est attendue"
            del answers[name]
    simulation = None
    try:
        simulation = services.simulate(answers, day_text, audience=audience)
    except services.EligibilityError as exc:
        errors.append(str(exc))
    started = "_asked" in query
    if simulation is None or not started:
        pending = [n for n in FIRST_STEP[audience] if n not in answers]
    else:
        pending = [n for n in simulation.missing_facts() if n not in skipped]
    pending = [n for n in pending if n not in HIDDEN_WITH]
    for question in field_errors:  # une réponse refusée est redemandée, sur son champ
        if question not in pending and question in FACT_BY_NAME and question not in HIDDEN_WITH:
            pending.insert(0, question)
    # Un thème par écran : celui de la première question refusée, sinon le premier qui a des
    # questions encore utiles. Les thèmes de l'indicateur d'étapes : déjà vus ou encore à voir.
    seen = set(answers) | set(skipped) | set(pending)
    if simulation is not None:
        seen |= {n for n in simulation.missing_facts() if n not in HIDDEN_WITH}
    seen |= {q for q, pair in COORDINATES.items() if all(c in answers for c in pair)}
    themes = [t for t in theme_titles(audience) if any(theme_of(audience, n) == t for n in seen)]
    refused = [q for q in field_errors if q in pending]
    waiting = {theme_of(audience, n) for n in pending}
    first = next((t for t in theme_titles(audience) if t in waiting), "")
    theme = theme_of(audience, refused[0]) if refused else first
    pending = [n for n in pending if theme_of(audience, n) == theme]
    show_results = (
        simulation is not None
        and not errors
        and not field_errors
        and (not pending or "resultats" in query)
    )
    return Step(
        answers,
        addresses,
        field_errors,
        skipped,
        pending,
        day_text,
        ask_date,
        errors,
        simulation,
        show_results,
        theme,
        themes,
    )


def _place_addresses(
    query: Mapping[str, str], answers: dict[str, str], field_errors: dict[str, str]
) -> dict[str, str]:
    """Chaque adresse saisie devient des coordonnées, ou une erreur en clair sur son champ."""
    addresses: dict[str, str] = {}
    for question, field_name in ADDRESS_FIELDS.items():
        text = " ".join((query.get(field_name) or "").split())
        if not text:
            continue
        addresses[field_name] = text
        lon_name, lat_name = COORDINATES[question]
        if lon_name in answers and lat_name in answers:
            continue  # déjà placée (lien depuis « Mon adresse est-elle en QPV ? »)
        try:
            lon, lat = services.position_of(text)
        except services.EligibilityError as exc:
            field_errors[question] = str(exc)
            continue
        answers[lon_name], answers[lat_name] = f"{lon:.6f}", f"{lat:.6f}"
    return addresses
