"""Les faits : ce que le moteur peut demander, avec leur question en français, leur type et
leurs valeurs permises. Le questionnaire web ne pose que les questions des faits manquants.

Un fait absent n'est jamais supposé : le moteur le nomme (`missing_facts`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any


class FactKind(StrEnum):
    BOOL = "bool"
    INT = "int"
    DECIMAL = "decimal"
    FLOAT = "float"
    DATE = "date"
    CHOICE = "choice"
    LIST = "list"


@dataclass(frozen=True)
class FactSpec:
    name: str
    label: str
    kind: FactKind
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""
    minimum: Decimal | None = None
    maximum: Decimal | None = None

    def choice_label(self, value: object) -> str:
        for key, label in self.choices:
            if key == value:
                return label
        return str(value)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "type": self.kind.value,
            "choices": [{"value": k, "label": v} for k, v in self.choices],
            "help": self.help,
            "minimum": None if self.minimum is None else str(self.minimum),
            "maximum": None if self.maximum is None else str(self.maximum),
        }


B, N, D, F, T, C = (
    FactKind.BOOL,
    FactKind.INT,
    FactKind.DECIMAL,
    FactKind.FLOAT,
    FactKind.DATE,
    FactKind.CHOICE,
)

EMPLOYMENT_STATUS = (
    ("jobseeker", "Demandeur d'emploi inscrit à France Travail"),
    ("csp", "En contrat de sécurisation professionnelle (CSP)"),
    ("mission_locale_youth", "Jeune suivi par une mission locale, non inscrit à France Travail"),
    ("unemployed_not_registered", "Sans emploi, non inscrit"),
    ("aided_contract", "En contrat aidé (CAE ou PEC)"),
    ("employed", "En emploi"),
    ("student", "Élève ou étudiant"),
    ("training", "En formation ou en stage"),
    ("inactive", "Sans activité"),
)
JOBLESS = frozenset(
    {"jobseeker", "csp", "mission_locale_youth", "unemployed_not_registered", "inactive"}
)
NEET = JOBLESS  # ni en emploi, ni en études, ni en formation

ORGANISATION_TYPES = (
    ("company", "Entreprise privée"),
    ("association", "Association"),
    ("geiq", "Groupement d'employeurs (GEIQ)"),
    ("sem", "Société d'économie mixte (SEM)"),
    ("hlm_body", "Organisme HLM (bailleur social)"),
    ("local_authority", "Collectivité territoriale"),
    ("public_institution", "Établissement public (EPLE, santé…)"),
    ("epa_epic", "Établissement public administratif ou industriel et commercial (EPA, EPIC)"),
    ("private_public_service", "Personne morale de droit privé chargée d'un service public"),
    ("household", "Particulier employeur"),
)

SCHOOL_LEVELS = (
    ("primary", "École primaire"),
    ("6e", "Sixième"),
    ("5e", "Cinquième"),
    ("4e", "Quatrième"),
    ("3e", "Troisième"),
    ("2nde", "Seconde"),
    ("1re", "Première"),
    ("terminale", "Terminale"),
    ("bac_plus_1", "Première année après le bac"),
    ("bac_plus_2_or_more", "Deuxième année après le bac ou au-delà"),
    ("not_in_school", "Pas scolarisé"),
)

FACTS: tuple[FactSpec, ...] = (
    # --- Personne
    FactSpec("birth_date", "Date de naissance", T, help="AAAA-MM-JJ"),
    FactSpec(
        "resides_in_qpv",
        "Habite dans un quartier prioritaire (QPV) à la date qui compte pour le dispositif ?",
        B,
        help="Ou indiquez la longitude et la latitude du domicile : le QPV est alors trouvé "
        "dans la liste en vigueur à cette date.",
    ),
    FactSpec(
        "lon", "Longitude du domicile (WGS84)", F, minimum=Decimal(-180), maximum=Decimal(180)
    ),
    FactSpec("lat", "Latitude du domicile (WGS84)", F, minimum=Decimal(-90), maximum=Decimal(90)),
    FactSpec(
        "residences",
        "Historique des domiciles",
        FactKind.LIST,
        help="Liste de {from: AAAA-MM-JJ, lon, lat} ou {from, resides_in_qpv} : "
        "le domicile à une date est la dernière entrée commencée à cette date.",
    ),
    FactSpec("employment_status", "Situation professionnelle", C, EMPLOYMENT_STATUS),
    FactSpec(
        "jobseeker_category",
        "Catégorie d'inscription à France Travail",
        N,
        tuple((str(k), f"Catégorie {k}") for k in range(1, 9)),
        minimum=Decimal(1),
        maximum=Decimal(8),
    ),
    FactSpec(
        "diploma_level",
        "Diplôme le plus élevé",
        C,
        (
            ("none", "Aucun diplôme"),
            ("brevet", "Brevet des collèges"),
            ("cap_bep", "CAP ou BEP"),
            ("bac_general", "Bac général ou technologique, sans qualification professionnelle"),
            ("bac_pro", "Bac professionnel"),
            ("higher", "Diplôme de l'enseignement supérieur"),
        ),
    ),
    FactSpec(
        "disability_recognised", "Handicap reconnu (RQTH, MDPH) ?", B, help="Personne concernée"
    ),
    FactSpec(
        "household_tax_situation",
        "Situation fiscale du foyer (avis d'impôt N-2)",
        C,
        (
            ("not_taxed", "Foyer non imposable"),
            ("first_band", "Imposé dans la première tranche"),
            ("higher_band", "Imposé au-delà de la première tranche"),
        ),
    ),
    FactSpec(
        "receives_incompatible_benefit",
        "Perçoit le RSA, la prime d'activité (3 derniers mois) ou l'indemnité de service civique ?",
        B,
    ),
    FactSpec("currently_in_cej", "Actuellement en contrat d'engagement jeune (CEJ) ?", B),
    FactSpec("ready_to_commit", "Prêt à s'engager dans un parcours d'accompagnement ?", B),
    FactSpec("medically_fit", "Apte médicalement (visite d'entrée EPIDE) ?", B),
    FactSpec(
        "recent_work_history",
        "A travaillé 6 mois sur les 12 derniers mois, ou 12 mois sur les 24 derniers ?",
        B,
    ),
    FactSpec(
        "receives_unemployment_benefit",
        "Perçoit l'allocation chômage (ARE) pendant le parcours ?",
        B,
    ),
    FactSpec("in_child_welfare", "Enfant confié à l'aide sociale à l'enfance (ASE) ?", B),
    FactSpec("lives_in_zrr", "Habite en zone de revitalisation rurale (ZRR) ?", B),
    FactSpec(
        "family_quotient",
        "Quotient familial CAF (€ par mois)",
        D,
        minimum=Decimal(0),
    ),
    FactSpec("stay_nights", "Nombre de nuits du séjour", N, minimum=Decimal(0)),
    FactSpec("stay_cost", "Coût du séjour (€)", D, minimum=Decimal(0)),
    FactSpec("school_level", "Niveau scolaire", C, SCHOOL_LEVELS),
    FactSpec("school_in_priority_education", "Scolarisé en éducation prioritaire (REP, REP+) ?", B),
    FactSpec("school_rural_isolated", "Scolarisé dans un collège ou lycée rural ou isolé ?", B),
    FactSpec("vocational_or_technological_track", "En lycée professionnel ou technologique ?", B),
    FactSpec(
        "higher_education_grant_holder",
        "Boursier de l'enseignement supérieur (critères sociaux) ?",
        B,
    ),
    FactSpec(
        "prepares_civil_service_exam", "Prépare un concours de la fonction publique (A+, A, B) ?", B
    ),
    FactSpec("in_prepa_talents", "Inscrit dans une Prépa Talents ?", B),
    FactSpec(
        "income_below_grant_ceiling",
        "Revenus sous le plafond de l'échelon 0 de la bourse sur critères sociaux ?",
        B,
    ),
    FactSpec(
        "qpv_has_cite_educative", "Le quartier fait-il partie d'une cité éducative labellisée ?", B
    ),
    FactSpec(
        "fragile_situation",
        "Enfant en situation de fragilité repérée (équipe éducative, école) ?",
        B,
    ),
    # --- Employeur, embauche
    FactSpec("hire_date", "Date de signature du contrat de travail", T, help="AAAA-MM-JJ"),
    FactSpec(
        "contract_type",
        "Type de contrat",
        C,
        (
            ("cdi", "CDI"),
            ("cdd", "CDD"),
            ("apprenticeship", "Contrat d'apprentissage"),
            ("professionalisation", "Contrat de professionnalisation"),
            ("other", "Autre"),
        ),
    ),
    FactSpec("contract_months", "Durée du CDD (mois)", N, minimum=Decimal(0)),
    FactSpec(
        "working_time_percent",
        "Temps de travail (% d'un temps plein)",
        D,
        minimum=Decimal(1),
        maximum=Decimal(100),
    ),
    FactSpec(
        "contract_end_date",
        "Date de fin anticipée du contrat (si le contrat a pris fin avant son terme)",
        T,
    ),
    FactSpec("organisation_type", "Type d'employeur ou de structure", C, ORGANISATION_TYPES),
    FactSpec(
        "employer_obligations_up_to_date",
        "L'employeur est-il à jour de ses obligations fiscales et sociales (ou plan d'apurement) ?",
        B,
    ),
    FactSpec(
        "economic_dismissal_last_6_months",
        "Licenciement économique sur le poste dans les 6 mois précédant l'embauche ?",
        B,
    ),
    FactSpec(
        "employee_on_staff_last_6_months",
        "Salarié déjà dans l'effectif dans les 6 mois précédents (hors intérim, alternance, "
        "contrat aidé) ?",
        B,
    ),
    FactSpec(
        "other_state_aid_same_employee",
        "Autre aide de l'État à l'insertion ou à l'embauche pour ce salarié ?",
        B,
    ),
    FactSpec(
        "qpv_in_experiment_list",
        "Le QPV figurait-il dans la liste de l'expérimentation (arrêtés de 2018 et 2019) ?",
        B,
    ),
    FactSpec(
        "state_convention_signed",
        "Convention adultes-relais signée avec l'État (préfet) pour ce poste ?",
        B,
    ),
    FactSpec("company_staff", "Effectif de l'entreprise (salariés)", N, minimum=Decimal(0)),
    FactSpec(
        "apprentice_diploma_level",
        "Niveau du diplôme préparé par l'apprenti (3 = CAP … 7 = master)",
        N,
        tuple((str(k), f"Niveau {k}") for k in range(3, 8)),
        minimum=Decimal(3),
        maximum=Decimal(7),
    ),
    FactSpec(
        "workstudy_quota_met",
        "Quota d'alternants atteint (≥ 5 % de l'effectif, ou ≥ 3 % et en progression) ?",
        B,
    ),
    # --- Structure
    FactSpec(
        "premises_in_qpv",
        "Le local, l'établissement ou le logement est-il situé en QPV ?",
        B,
        help="Ou indiquez ses coordonnées (longitude, latitude).",
    ),
    FactSpec(
        "premises_lon",
        "Longitude du local (WGS84)",
        F,
        minimum=Decimal(-180),
        maximum=Decimal(180),
    ),
    FactSpec(
        "premises_lat", "Latitude du local (WGS84)", F, minimum=Decimal(-90), maximum=Decimal(90)
    ),
    FactSpec(
        "serves_qpv_residents",
        "La structure mène-t-elle des projets pour les habitants des QPV ?",
        B,
    ),
    FactSpec(
        "qualified_permanent_employee",
        "Le poste est-il occupé par un salarié permanent qualifié ?",
        B,
    ),
    FactSpec("fonjep_half_post", "S'agit-il d'un demi-poste FONJEP ?", B),
    FactSpec("other_job_aid_same_post", "Autre aide à l'emploi sur le même poste ?", B),
    FactSpec("tax_year", "Année d'imposition", N, minimum=Decimal(2000), maximum=Decimal(2100)),
    FactSpec(
        "social_rented_housing",
        "Logements sociaux loués, à l'issue de leur longue exonération (ou antérieurs à 1998) ?",
        B,
    ),
    FactSpec(
        "city_contract_signed",
        "Contrat de ville et convention de gestion signés au 1er janvier de l'année ?",
        B,
    ),
    FactSpec("tfpb_base", "Base d'imposition à la TFPB des logements concernés (€)", D),
    FactSpec(
        "establishment_date",
        "Date de création ou d'extension de l'établissement",
        T,
        help="AAAA-MM-JJ",
    ),
    FactSpec(
        "registered_rcs", "Activité commerciale immatriculée au registre du commerce (RCS) ?", B
    ),
    FactSpec("turnover", "Chiffre d'affaires annuel (€)", D, minimum=Decimal(0)),
    FactSpec("establishment_in_zfu_te", "Établissement implanté dans une ZFU-TE ?", B),
    FactSpec("balance_sheet_total", "Total du bilan (€)", D, minimum=Decimal(0)),
    FactSpec(
        "zfu_local_hiring_met",
        "Au moins la moitié des salariés en CDI ou en CDD d'au moins 12 mois (ou des embauchés "
        "depuis l'implantation) habitent-ils une ZFU-TE ou un QPV de l'unité urbaine ?",
        B,
        help="Clause d'embauche locale : exigée à partir du deuxième salarié.",
    ),
    FactSpec(
        "zfu_new_local_hires",
        "Nombre de nouveaux salariés habitant une ZFU-TE ou un QPV, embauchés à temps plein "
        "pour au moins 6 mois",
        N,
        minimum=Decimal(0),
    ),
    FactSpec("taxable_profit", "Bénéfice imposable de l'exercice (€)", D),
)
FACT_BY_NAME: dict[str, FactSpec] = {f.name: f for f in FACTS}

QPV_FACTS = {
    "person": ("resides_in_qpv", "lon", "lat", "residences"),
    "premises": ("premises_in_qpv", "premises_lon", "premises_lat", ""),
}
KEY_DATE_FACTS = ("hire_date", "establishment_date")

_TRUE = {"true", "1", "oui", "o", "yes", "y", "vrai"}
_FALSE = {"false", "0", "non", "n", "no", "faux"}


class FactError(ValueError):
    """Un fait mal formé ; message en français qui nomme le fait et ce qui était attendu."""


def parse_date(name: str, value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if len(text) == 10 and text[4] == "-":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise FactError(f"« {name} » : date attendue (AAAA-MM-JJ), reçu « {value} »")


def parse_value(spec: FactSpec, value: object) -> Any:
    """Convertit une valeur (texte d'un formulaire ou d'un CSV, ou JSON) dans le type du fait."""
    name = spec.name
    kind = spec.kind
    if kind is FactKind.BOOL:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise FactError(f"« {name} » : oui ou non attendu, reçu « {value} »")
    if kind is FactKind.DATE:
        return parse_date(name, value)
    if kind is FactKind.CHOICE:
        text = str(value).strip()
        if any(text == k for k, _ in spec.choices):
            return text
        allowed = ", ".join(k for k, _ in spec.choices)
        raise FactError(f"« {name} » : valeur « {value} » inconnue ; attendues : {allowed}")
    if kind is FactKind.LIST:
        return _parse_residences(name, value)
    if kind is FactKind.INT:
        if isinstance(value, bool):
            raise FactError(f"« {name} » : nombre entier attendu, reçu « {value} »")
        try:
            number: Any = int(str(value).strip())
        except ValueError:
            raise FactError(f"« {name} » : nombre entier attendu, reçu « {value} »") from None
    elif kind is FactKind.FLOAT:
        try:
            number = float(str(value).strip().replace(",", "."))
        except ValueError:
            raise FactError(f"« {name} » : nombre attendu, reçu « {value} »") from None
        if number != number:  # NaN
            raise FactError(f"« {name} » : nombre attendu, reçu « {value} »")
    else:
        try:
            number = Decimal(str(value).strip().replace(",", ".").replace(" ", ""))
        except InvalidOperation:
            raise FactError(f"« {name} » : nombre attendu, reçu « {value} »") from None
        if not number.is_finite():
            raise FactError(f"« {name} » : nombre fini attendu, reçu « {value} »")
    if spec.minimum is not None and number < spec.minimum:
        raise FactError(f"« {name} » : au moins {spec.minimum} attendu, reçu « {value} »")
    if spec.maximum is not None and number > spec.maximum:
        raise FactError(f"« {name} » : au plus {spec.maximum} attendu, reçu « {value} »")
    if spec.choices and kind is FactKind.INT and str(number) not in {k for k, _ in spec.choices}:
        allowed = ", ".join(k for k, _ in spec.choices)
        raise FactError(f"« {name} » : valeur « {value} » inconnue ; attendues : {allowed}")
    return number


def _parse_residences(name: str, value: object) -> tuple[dict[str, Any], ...]:
    if not isinstance(value, list | tuple):
        raise FactError(f"« {name} » : liste de domiciles attendue")
    out = []
    for k, item in enumerate(value, 1):
        where = f"« {name} », domicile n° {k}"
        if not isinstance(item, Mapping) or "from" not in item:
            raise FactError(f"{where} : champ « from » (date d'emménagement) attendu")
        entry: dict[str, Any] = {"from": parse_date(f"{name}[{k}].from", item["from"])}
        if "lon" in item and "lat" in item:
            entry["lon"] = parse_value(FACT_BY_NAME["lon"], item["lon"])
            entry["lat"] = parse_value(FACT_BY_NAME["lat"], item["lat"])
        elif "resides_in_qpv" in item:
            entry["resides_in_qpv"] = parse_value(
                FACT_BY_NAME["resides_in_qpv"], item["resides_in_qpv"]
            )
        else:
            raise FactError(f"{where} : « lon » et « lat », ou « resides_in_qpv » attendus")
        out.append(entry)
    out.sort(key=lambda e: e["from"])
    return tuple(out)


def parse_facts(
    raw: Mapping[str, object], ignore_unknown: bool = False
) -> tuple[dict[str, Any], list[str]]:
    """Faits typés et liste d'erreurs en français ; les valeurs vides sont des faits absents."""
    facts: dict[str, Any] = {}
    errors: list[str] = []
    for name, value in raw.items():
        spec = FACT_BY_NAME.get(name)
        if spec is None:
            if not ignore_unknown:
                errors.append(f"fait inconnu « {name} » (voir GET /api/v1/programmes)")
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            facts[name] = parse_value(spec, value)
        except FactError as exc:
            errors.append(str(exc))
    return facts, errors


def display(name: str, value: object) -> str:
    """Une valeur de fait lisible en français (pour l'explication)."""
    spec = FACT_BY_NAME.get(name)
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if spec is not None and spec.choices:
        return spec.choice_label(str(value))
    return str(value)
