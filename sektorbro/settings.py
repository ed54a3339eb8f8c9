"""Django settings for Sektorbro.

Everything that differs between a laptop, CI and production comes from environment variables, parsed
strictly by :mod:`sektorbro.env`. SQLite is the embedded default; ``DATABASE_URL`` selects PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP  # type: ignore[attr-defined,unused-ignore]

from sektorbro.env import env_bool, env_int, env_list, env_str
from sektorbro.runmode import UnusableSecretKey, secret_key_optional

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(env_str("SEKTORBRO_VAR_DIR", str(PROJECT_DIR / "var")) or PROJECT_DIR / "var")

DEBUG = env_bool("DEBUG", default=False)
DEMO_MODE = env_bool("SEKTORBRO_DEMO", default=False)
TESTING = env_bool("SEKTORBRO_TESTING", default=False)

_secret = env_str("SECRET_KEY")
if _secret is None:
    if DEBUG or DEMO_MODE or TESTING:
        _secret = "insecure-local-only-" + "x" * 40
    elif secret_key_optional():
        # A console command that signs nothing (sektorbro.runmode): a random key, never stored, that refuses to sign.
        _secret = UnusableSecretKey()
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set (or run with DEBUG=1, SEKTORBRO_DEMO=1 or SEKTORBRO_TESTING=1 for a "
            "local, non-production key)"
        )
elif len(_secret) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long")
SECRET_KEY: str = _secret

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "sektorbro.core.admin_site.SektorbroAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # its Swagger UI assets as static files (served under the site's CSP, no CDN)
    "axes",
    "sektorbro.core",
    "sektorbro.organisations",
    "sektorbro.accounts",
    "sektorbro.citizens",
    "sektorbro.courses",
    "sektorbro.flowchart",
    "sektorbro.messaging",
    "sektorbro.workspace",
    "sektorbro.indicators",
    "sektorbro.overview",
    "sektorbro.demo",
    "sektorbro.governance",
    "sektorbro.followup",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "sektorbro.core.middleware.RequestIdMiddleware",
    "sektorbro.core.middleware.RefuseNulCharactersMiddleware",
    "sektorbro.core.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sektorbro.urls"
WSGI_APPLICATION = "sektorbro.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sektorbro.core.context_processors.platform",
                "sektorbro.messaging.context_processors.unread",
            ],
        },
    }
]

_default_db = f"sqlite:///{VAR_DIR / 'sektorbro.sqlite3'}"
try:
    DATABASES = {
        "default": dj_database_url.parse(
            env_str("DATABASE_URL", _default_db) or _default_db,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if str(DATABASES["default"]["NAME"]).startswith(str(VAR_DIR)):
        VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "sektorbro.accounts.backends.SektorbroModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Fast hashing in tests only; argon2 is tested explicitly.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock-out after repeated failed logins (django-axes, plus sektorbro.accounts.lockout).
# Hospital and municipal staff share a few NAT addresses, so an address-wide lock at a handful of failures would
# lock out whole departments, and a lock per username alone lets anyone lock anyone. So: a username is locked
# from one address after AXES_FAILURE_LIMIT failures (its owner can still log in from their own device); one
# address is refused for every username after SEKTORBRO_LOGIN_ADDRESS_LIMIT failures (spraying); and a username is
# locked from every address after SEKTORBRO_LOGIN_USERNAME_CEILING failures in all.
AXES_FAILURE_LIMIT = env_int("SEKTORBRO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("SEKTORBRO_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "sektorbro.accounts.lockout.lockout_response"
AXES_VERBOSE = False
SEKTORBRO_LOGIN_ADDRESS_LIMIT = env_int("SEKTORBRO_LOGIN_ADDRESS_LIMIT", 30)
SEKTORBRO_LOGIN_USERNAME_CEILING = env_int("SEKTORBRO_LOGIN_USERNAME_CEILING", 20)
# Aftalen 2.1: the time a patient is registered færdigbehandlet cannot as a rule be changed; a registration may be
# cancelled only as the correction of an error, at most this many hours after it (docs/agreement-rules.md).
SEKTORBRO_READY_CORRECTION_HOURS = env_int("SEKTORBRO_READY_CORRECTION_HOURS", 24)
# How long a one-time survey link for a citizen or relative can be used (docs/followup.md, "Surveys").
SEKTORBRO_SURVEY_LINK_DAYS = env_int("SEKTORBRO_SURVEY_LINK_DAYS", 30)
# models.W040: the worklist indexes include the course status as a non-key column so PostgreSQL can count
# from the index alone; SQLite (the embedded default) builds them without it, which is correct, only slower.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "models.W040"]

SESSION_COOKIE_AGE = env_int("SEKTORBRO_SESSION_MINUTES", 8 * 60) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

_secure = not (DEBUG or DEMO_MODE or TESTING) or env_bool("SEKTORBRO_FORCE_SECURE", False)
SESSION_COOKIE_SECURE = _secure
CSRF_COOKIE_SECURE = _secure
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=_secure)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _secure else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _secure
SECURE_HSTS_PRELOAD = _secure
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Strict Content Security Policy: no inline scripts or styles, everything from our own origin.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

LANGUAGE_CODE = "da"
LANGUAGES = [("da", "Dansk"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Copenhagen"
USE_TZ = True
FORMAT_MODULE_PATH = ["sektorbro.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING or DEMO_MODE
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING or DEMO_MODE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "sektorbro.core.logging.RequestIdFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

NINJA_PAGINATION_PER_PAGE = 50

# Sektorbro's own settings.
SEKTORBRO_API_TOKEN_BYTES = 32
# The largest file a committee secretary may attach to an agenda item (bilag), checked by governance.services.
SEKTORBRO_GOVERNANCE_ATTACHMENT_MAX_BYTES = env_int("SEKTORBRO_ATTACHMENT_MAX_MB", 20) * 1024 * 1024
