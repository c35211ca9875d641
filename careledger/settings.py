"""CareLedger settings: driven by the environment (see README, "Configuration").

This module is DJANGO_SETTINGS_MODULE. It declares Django's core itself and reads the other groups from
careledger/conf/, one module per group. Every setting is declared once, in exactly one of these files, in
this order: paths (conf/paths.py) and keys; apps, middleware and URLs; the database; sign-in; passwords,
two-factor, sessions, web hardening, rate limits and CAS (conf/security.py); language; files; the API; the
shared cache and background jobs (conf/jobs.py); the log and the audit trail (conf/audit.py);
notifications (conf/notify.py); demo data; 考核 (conf/assessment.py); evidence for the survey
(conf/evidence.py). Every setting the code reads is declared (careledger/core/tests/test_settings.py checks
it). The settings import no domain app: only careledger.core (`lint-imports`, contract "floor").
"""

from pathlib import Path

from careledger.conf.assessment import *  # noqa: F403
from careledger.conf.audit import *  # noqa: F403
from careledger.conf.evidence import *  # noqa: F403
from careledger.conf.jobs import *  # noqa: F403
from careledger.conf.jobs import CARELEDGER_TASKS_BACKEND
from careledger.conf.notify import *  # noqa: F403
from careledger.conf.paths import *  # noqa: F403
from careledger.conf.paths import BASE_DIR, DEV_KEYS, VAR_DIR
from careledger.conf.security import *  # noqa: F403
from careledger.core.crypto import check_key, development_key
from careledger.core.env import env_bool, env_database, env_int, env_list, env_str

# --- paths (conf/paths.py: BASE_DIR, PROJECT_DIR, VAR_DIR) and keys ---

DEBUG = env_bool("CARELEDGER_DEBUG", False)

# The keys come from the environment: CARELEDGER_SECRET_KEY, and CARELEDGER_ENCRYPTION_KEYS for SEC-27
# (comma-separated; the first encrypts, all decrypt; never the repository or the database). Nothing is
# generated unless CARELEDGER_DEV_KEYS is on — `make run` turns it on and keeps development keys in var/;
# the tests set their own. `careledger serve` refuses to start without them (core/management/commands/serve.py).
# DEV_KEYS is declared in conf/paths.py (the audit key of conf/audit.py follows it too).


def _secret_key() -> str:
    key = env_str("CARELEDGER_SECRET_KEY")
    if key or not DEV_KEYS:
        return key
    return development_key(VAR_DIR / "secret_key")


def _encryption_keys() -> list[str]:
    keys = env_list("CARELEDGER_ENCRYPTION_KEYS")
    if not keys and DEV_KEYS:
        keys = [development_key(VAR_DIR / "encryption_key")]
    return [check_key(k) for k in keys]


SECRET_KEY = _secret_key()
ENCRYPTION_KEYS = _encryption_keys()

ALLOWED_HOSTS = env_list("CARELEDGER_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CARELEDGER_CSRF_TRUSTED_ORIGINS", [])

# The school whose programme this is: it titles the 附件2 case file and every page.
SCHOOL_NAME = env_str("CARELEDGER_SCHOOL_NAME", "赣南师范大学")

# --- apps, middleware, URLs ---

# The background jobs' backend (CARELEDGER_TASKS_BACKEND, conf/jobs.py) decides whether django_rq is installed.
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our own static files: campus intranets block CDNs
    "django_htmx",
    "csp",
    "django_cas_ng",
    "django_tasks",
    "django_tasks_db",
    *(["django_rq"] if CARELEDGER_TASKS_BACKEND == "rq" else []),
    "careledger.core",
    "careledger.web",
    "careledger.accounts",
    "careledger.roster",
    "careledger.audit",
    "careledger.escalations",
    "careledger.cases",
    "careledger.contacts",
    "careledger.ledgers",
    "careledger.exports",
    "careledger.notify",
    "careledger.assessment",
    "careledger.jobs",
    "careledger.home",
    "careledger.evidence",
    "careledger.api",
]

MIDDLEWARE = [
    # SEC-55: the client's address (X-Forwarded-For only from trusted proxies) and the body cap, first.
    "careledger.core.net.ClientMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # CSP headers on everything but static files (whitenoise answers those first).
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Pushes the idle expiry back once a minute (the session is saved only when changed; see "sessions").
    "careledger.core.middleware.SessionActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "careledger.audit.middleware.RequestContextMiddleware",
    "careledger.accounts.middleware.PolicyMiddleware",
    # Last: sees the user and the policy's decision; adds Permissions-Policy and no-store, applies the rate
    # limits to pages, and answers 503 when an audit row cannot be written (core/middleware.py).
    "careledger.core.middleware.HardeningMiddleware",
]

ROOT_URLCONF = "careledger.urls"
WSGI_APPLICATION = "careledger.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "careledger.web.context_processors.site",
            ],
        },
    },
]

# --- database ---

DATABASES = {"default": env_database(VAR_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- sign-in (passwords, lockout and two-factor: conf/security.py) ---

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend", "careledger.accounts.cas.CASBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- language and time ---

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static files, uploads, attachments ---

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Upload caps: a roster of 40,000 rows is a few MB; anything over the cap is refused before parsing.
UPLOAD_MAX_BYTES = env_int("CARELEDGER_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
# 过程材料 (photos of signed talk records, scanned certificates) live outside every web root.
ATTACHMENTS_DIR = Path(env_str("CARELEDGER_ATTACHMENTS_DIR", str(VAR_DIR / "attachments")))
ATTACHMENT_MAX_BYTES = env_int("CARELEDGER_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# 学号 as the roster import accepts it (the school's own numbering may be narrower).
STUDENT_NO_PATTERN = env_str("CARELEDGER_STUDENT_NO_PATTERN", r"^\d{8,13}$")

# --- the API ---

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "careledger.accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # The one access policy decides every API call; there is no default-allow.
    "DEFAULT_PERMISSION_CLASSES": ["careledger.api.permissions.PolicyPermission"],
    "DEFAULT_THROTTLE_CLASSES": ["careledger.core.middleware.RateLimitThrottle"],
    "DEFAULT_PAGINATION_CLASS": "careledger.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "careledger.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # SEC-49: a JSON body that is not an object is a 400 everywhere; OPTIONS never introspects serializers.
    "DEFAULT_PARSER_CLASSES": [
        "careledger.api.parsers.ObjectJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_METADATA_CLASS": "careledger.api.parsers.PlainMetadata",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CareLedger API",
    "DESCRIPTION": "精准关爱台账系统 HTTP API v1",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # `check --deploy` is the security check (SEC-28, CI): drf-spectacular's schema-quality warnings are
    # not security findings and would make it fail; tests/test_schemathesis.py exercises the schema.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
}

# --- demo data: clearly marked; `careledger demo` refuses to run over real data ---

CARELEDGER_DEMO_PASSWORD = env_str("CARELEDGER_DEMO_PASSWORD", "Demo-CareLedger-2026")
