"""Réglages Django de Quartiers.

SQLite (fichier sous `var/`) par défaut ; toute base via `DATABASE_URL`
(`sqlite:///chemin.sqlite3`, `postgres://…`).

Sûr par défaut : `DEBUG` éteint sauf `QUARTIERS_DEBUG=1` ; `QUARTIERS_ENV=production` ajoute
cookies sécurisés et HSTS, et `quartiers serve` y refuse une clé secrète par défaut ou des hôtes
non déclarés (`quartiers.web.production`). Ces réglages ne créent aucun dossier : `VAR_DIR`
naît au premier usage (`quartiers.var.var_dir`, ouverture de la base SQLite).
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from csp.constants import NONCE

# Les génériques des types Django (`ModelAdmin[Modèle]`…) à l'exécution, pour mypy.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("QUARTIERS_VAR_DIR", PROJECT_DIR / "var"))

# Mode explicite : « production » durcit les réglages ci-dessous ; tout autre valeur = démo/dév.
QUARTIERS_ENV = os.environ.get("QUARTIERS_ENV", "development").strip().lower()
QUARTIERS_PRODUCTION = QUARTIERS_ENV == "production"
DEFAULT_SECRET_KEY = "quartiers-demo-insecure-key-change-me"
SECRET_KEY = os.environ.get("QUARTIERS_SECRET_KEY") or DEFAULT_SECRET_KEY
DEBUG = os.environ.get("QUARTIERS_DEBUG", "0") == "1"
# En production, aucun hôte par défaut : `quartiers serve` exige QUARTIERS_ALLOWED_HOSTS.
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get(
        "QUARTIERS_ALLOWED_HOSTS", "" if QUARTIERS_PRODUCTION else "127.0.0.1,localhost,testserver"
    ).split(",")
    if h.strip()
]

# Sécurité HTTP, en tout mode : pas de devinette de type, pas de cadre, référent limité,
# politique de sécurité du contenu (CSP, django-csp) ; en production, cookies sécurisés et HSTS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = QUARTIERS_PRODUCTION
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = (
    int(os.environ.get("QUARTIERS_HSTS_SECONDS", 31_536_000)) if QUARTIERS_PRODUCTION else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("QUARTIERS_HSTS_INCLUDE_SUBDOMAINS", "0") == "1"
# Derrière un mandataire HTTPS (nginx, Caddy…) qui pose X-Forwarded-Proto : QUARTIERS_BEHIND_HTTPS_PROXY=1.
# `quartiers serve` (waitress) n'accepte ces en-têtes que du mandataire QUARTIERS_TRUSTED_PROXY.
QUARTIERS_BEHIND_HTTPS_PROXY = os.environ.get("QUARTIERS_BEHIND_HTTPS_PROXY", "0") == "1"
QUARTIERS_TRUSTED_PROXY = os.environ.get("QUARTIERS_TRUSTED_PROXY", "127.0.0.1")
if QUARTIERS_BEHIND_HTTPS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("QUARTIERS_SSL_REDIRECT", "0") == "1"
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("QUARTIERS_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]


def _origin(url: str) -> list[str]:
    """`https://tuiles.exemple.fr/{z}/{x}/{y}.png` → `["https://tuiles.exemple.fr"]` (CSP)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{s}.", ""))
    return (
        [f"{parts.scheme}://{'*.' if '{s}.' in url else ''}{parts.netloc}"] if parts.netloc else []
    )


# Scripts : fichiers du site et balises portant le nonce de la requête, jamais de script en
# ligne ni d'attribut `on…`. Styles : fichiers du site seulement (aucun attribut `style=` dans
# les gabarits ; Leaflet, Swagger UI et le DSFR posent leurs styles par le CSSOM, que la CSP
# n'interdit pas). Images : site, `data:` (icônes du DSFR et de Swagger UI) et fond de carte.
CONTENT_SECURITY_POLICY: dict[str, dict[str, list[Any]]] = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],  # + l'hôte du fond de carte, plus bas
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Les erreurs (traceback) vont dans le journal, jamais dans la réponse.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s : %(message)s"}},
    "handlers": {"stderr": {"class": "quartiers.logs.StderrHandler", "formatter": "plain"}},
    "loggers": {
        "django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
        "quartiers": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "dsfr",
    "ninja",  # gabarits et fichiers de Swagger UI servis localement (documentation hors ligne)
    "csp",
    "quartiers.web",
    "quartiers.zoning",
    "quartiers.accounts",
    "quartiers.territories",
    "quartiers.addresses",
    "quartiers.identification",
    "quartiers.programmes",
    "quartiers.observatory",
    "quartiers.funding",
    "django_tasks",
    "django_tasks_db",
    "quartiers.jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "quartiers.web.csp.NonceCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "quartiers.web.api_errors.ApiErrorsMiddleware",
    "quartiers.web.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Après la session et le compte (la page de refus en a besoin), avant toute lecture du corps.
    "quartiers.addresses.upload.BatchUploadLimitMiddleware",
]

ROOT_URLCONF = "quartiers.urls"
WSGI_APPLICATION = "quartiers.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dsfr.context_processors.site_config",
                "quartiers.web.context_processors.map_settings",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'quartiers.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Moteur maison : crée le dossier du fichier à l'ouverture (pas à l'import des réglages).
    DATABASES["default"]["ENGINE"] = "quartiers.db.sqlite3"
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        # Attente du verrou (s) au lieu d'échouer ; WAL : les lectures ne bloquent pas
        # l'écrivain ; IMMEDIATE : un écrivain prend le verrou dès BEGIN, sans impasse au
        # passage lecture → écriture entre deux fils.
        timeout=30,
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )
    # Base de test dans un fichier (pas en mémoire partagée) : les traitements en arrière-plan
    # écrivent depuis leur propre fil, et SQLite attend alors le verrou au lieu d'échouer.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-quartiers.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "fr"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
WHITENOISE_USE_FINDERS = True
# Les fichiers viennent des paquets (finders) ; STATIC_ROOT n'existe qu'après collectstatic.
warnings.filterwarnings("ignore", message="No directory at: ", category=UserWarning)
WHITENOISE_AUTOREFRESH = DEBUG

DATA_UPLOAD_MAX_MEMORY_SIZE = 60 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Géocodeur : URL d'un serveur addok / de l'API nationale, ou fichier BAN local.
QUARTIERS_GEOCODER_URL = os.environ.get("QUARTIERS_GEOCODER_URL", "")
# Score minimal : vide = paramètre daté `geocoding_min_score` (0,6, core/geo/geocoding/parameters.yaml).
QUARTIERS_GEOCODER_MIN_SCORE = (
    float(os.environ["QUARTIERS_GEOCODER_MIN_SCORE"])
    if os.environ.get("QUARTIERS_GEOCODER_MIN_SCORE")
    else None
)
# Fichier BAN (adresses-<dep>.csv.gz) du géocodeur embarqué ; vide = adresses fictives de la démo.
QUARTIERS_BAN_FILE = os.environ.get("QUARTIERS_BAN_FILE", "")
# Lots envoyés en parallèle à /search/csv/ (un par processus addok, plus un d'avance).
QUARTIERS_GEOCODER_WORKERS = int(os.environ.get("QUARTIERS_GEOCODER_WORKERS", "3"))
QUARTIERS_GEOCODER_TIMEOUT = float(os.environ.get("QUARTIERS_GEOCODER_TIMEOUT", "10"))

# Pages publiques (adresse, lots, atlas) : fond de carte (Plan IGN par défaut, sinon fond neutre),
# taille maximale des fichiers de lot.
# Leaflet vient du paquet django-leaflet (fichiers statiques seulement : son application Django
# exigerait GDAL), servi par whitenoise, donc hors ligne.
STATICFILES_DIRS = [
    Path(p) / "static"
    for p in (importlib.util.find_spec("leaflet").submodule_search_locations or [])  # type: ignore[union-attr]
]
# Fond de carte par défaut : Plan IGN de la Géoplateforme (WMTS public, sans clé, Licence ouverte).
# QUARTIERS_MAP_TILES_URL=aucun (ou vide) l'éteint : les périmètres se dessinent sur fond neutre ;
# toute autre URL de tuiles `{z}/{x}/{y}` le remplace (avec QUARTIERS_MAP_ATTRIBUTION).
PLAN_IGN_TILES_URL = (
    "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&FORMAT=image/png"
    "&TILEMATRIXSET=PM&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
)
PLAN_IGN_ATTRIBUTION = (
    'Plan IGN — <a href="https://www.ign.fr/">© IGN</a> / Géoplateforme, Licence ouverte'
)
_tiles = os.environ.get("QUARTIERS_MAP_TILES_URL", PLAN_IGN_TILES_URL).strip()
QUARTIERS_MAP_TILES_URL = "" if _tiles.lower() in ("", "aucun", "none", "off", "0") else _tiles
QUARTIERS_MAP_ATTRIBUTION = os.environ.get(
    "QUARTIERS_MAP_ATTRIBUTION",
    PLAN_IGN_ATTRIBUTION if QUARTIERS_MAP_TILES_URL == PLAN_IGN_TILES_URL else "",
)
CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] += _origin(QUARTIERS_MAP_TILES_URL)
# Qui exploite cette instance (mentions légales, données personnelles), vide = à renseigner.
QUARTIERS_PUBLISHER = os.environ.get("QUARTIERS_PUBLISHER", "")
# Attestation : qui la délivre (vide = « Quartiers, … (hôte) »).
QUARTIERS_ATTESTATION_ISSUER = os.environ.get("QUARTIERS_ATTESTATION_ISSUER", "")
QUARTIERS_BATCH_MAX_BYTES = int(os.environ.get("QUARTIERS_BATCH_MAX_BYTES", 50 * 1024 * 1024))

# --- Traitements en arrière-plan (jobs) ---------------------------------------------------
# File de tâches de Django (rétroportage django-tasks) dans la base elle-même (django-tasks-db) :
# SQLite ou PostgreSQL selon DATABASE_URL, aucun serveur de plus. `quartiers worker` la vide ;
# `quartiers serve` en lance un.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Au plus N traitements en attente ou en cours par personne (compte ou session) et en tout.
QUARTIERS_JOBS_MAX_PER_OWNER = int(os.environ.get("QUARTIERS_JOBS_MAX_PER_OWNER", "3"))
QUARTIERS_JOBS_MAX_TOTAL = int(os.environ.get("QUARTIERS_JOBS_MAX_TOTAL", "50"))
# Tentatives d'un traitement interrompu (travailleur arrêté ou tué) avant de le dire échoué.
QUARTIERS_JOBS_MAX_ATTEMPTS = int(os.environ.get("QUARTIERS_JOBS_MAX_ATTEMPTS", "3"))
# Fichiers reçus et résultats gardés N jours après la fin, puis supprimés (la fiche reste).
QUARTIERS_JOBS_RETENTION_DAYS = float(os.environ.get("QUARTIERS_JOBS_RETENTION_DAYS", "7"))
# Pouls du travailleur (secondes) ; sans pouls depuis STALE secondes, il est tenu pour mort.
QUARTIERS_JOBS_HEARTBEAT_SECONDS = float(os.environ.get("QUARTIERS_JOBS_HEARTBEAT_SECONDS", "5"))
QUARTIERS_JOBS_STALE_SECONDS = float(os.environ.get("QUARTIERS_JOBS_STALE_SECONDS", "60"))
# Purge des fichiers expirés par le travailleur, toutes les N secondes.
QUARTIERS_JOBS_PURGE_SECONDS = float(os.environ.get("QUARTIERS_JOBS_PURGE_SECONDS", "3600"))
# Rappels des demandes de compléments (financements) : intervalle de la tâche périodique.
QUARTIERS_FUNDING_REMINDER_SECONDS = float(
    os.environ.get("QUARTIERS_FUNDING_REMINDER_SECONDS", "3600")
)
# Modules de sortes de traitements en plus (séparés par des virgules), ex. pour les tests.
QUARTIERS_JOB_EXTRA_MODULES = [
    m for m in os.environ.get("QUARTIERS_JOB_EXTRA_MODULES", "").split(",") if m.strip()
]
# --- Comptes et courriel (accounts) -------------------------------------------------------------
# Connexion par courriel, permissions d'objet (django-rules), courriel SMTP si configuré.
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:account"
LOGOUT_REDIRECT_URL = "/"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(
    os.environ.get("QUARTIERS_SESSION_SECONDS", 8 * 3600)
)  # une journée de travail
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
PASSWORD_RESET_TIMEOUT = 24 * 3600
# Connexion : au-delà de N échecs pour un même courriel en X secondes, on attend.
QUARTIERS_LOGIN_MAX_FAILURES = int(os.environ.get("QUARTIERS_LOGIN_MAX_FAILURES", "5"))
QUARTIERS_LOGIN_LOCKOUT_SECONDS = int(os.environ.get("QUARTIERS_LOGIN_LOCKOUT_SECONDS", "900"))
# Jetons d'API personnels : durée de validité par défaut (jours ; 0 = sans expiration).
QUARTIERS_API_TOKEN_DAYS = int(os.environ.get("QUARTIERS_API_TOKEN_DAYS", "365"))
# Démonstration : comptes de démonstration listés (avec mots de passe) sur la page de connexion.
# Jamais en production : `quartiers serve` y refuse QUARTIERS_DEMO=1 (quartiers.web.production).
QUARTIERS_DEMO_REQUESTED = os.environ.get("QUARTIERS_DEMO", "0") == "1"
QUARTIERS_DEMO = QUARTIERS_DEMO_REQUESTED and not QUARTIERS_PRODUCTION
QUARTIERS_DEMO_ACCOUNTS_FILE = VAR_DIR / "demo-accounts.json"  # écrit par `quartiers demo`

# Courriel : console par défaut ; SMTP dès que QUARTIERS_EMAIL_HOST est renseigné.
DEFAULT_FROM_EMAIL = os.environ.get(
    "QUARTIERS_DEFAULT_FROM_EMAIL", "Quartiers <ne-pas-repondre@quartiers.invalid>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Adresse publique du site, pour les liens des courriels envoyés hors requête (travailleur).
QUARTIERS_SITE_URL = os.environ.get("QUARTIERS_SITE_URL", "http://127.0.0.1:8000")
EMAIL_HOST = os.environ.get("QUARTIERS_EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("QUARTIERS_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("QUARTIERS_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("QUARTIERS_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = os.environ.get("QUARTIERS_EMAIL_TLS", "1") == "1"
    EMAIL_USE_SSL = os.environ.get("QUARTIERS_EMAIL_SSL", "0") == "1"
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# --- fin Comptes et courriel (accounts) ---------------------------------------------------------
