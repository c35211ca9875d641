"""CareLedger settings: one file, driven by the environment (see README, "Configuration").

Each setting is declared once, in this order: paths and keys; apps, middleware and URLs; the database;
sign-in and passwords; language; files; sessions and web hardening; the API; cache and rate limits;
logging; notifications; the audit trail; 统一身份认证 (CAS); demo data; assessment; background jobs. Every
setting the code reads is declared here (careledger/core/tests/test_settings.py checks it).
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from careledger.core.crypto import check_key, development_key
from careledger.core.env import env_bool, env_database, env_fraction, env_fractions, env_int, env_list, env_str

# --- paths and keys ---

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(env_str("CARELEDGER_VAR_DIR", str(PROJECT_DIR / "var")))

DEBUG = env_bool("CARELEDGER_DEBUG", False)

# The keys come from the environment: CARELEDGER_SECRET_KEY, and CARELEDGER_ENCRYPTION_KEYS for SEC-27
# (comma-separated; the first encrypts, all decrypt; never the repository or the database). Nothing is
# generated unless CARELEDGER_DEV_KEYS is on — `make run` turns it on and keeps development keys in var/;
# the tests set their own. `careledger serve` refuses to start without both (core/management/commands/serve.py).
DEV_KEYS = env_bool("CARELEDGER_DEV_KEYS", False)


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

# Background jobs (api.md "Long work"; careledger/jobs/) run on Django's tasks framework (the django-tasks
# backport): "database" (the default) keeps the queue in the database and `careledger worker` (started beside
# gunicorn by `careledger serve`) runs it; "rq" puts the same tasks on Redis (RQ, CARELEDGER_TASKS_REDIS_URL)
# for workers on several machines (`careledger worker` runs `rqworker`); "immediate" runs each job inside the
# request (tests and one-off scripts). The queue itself is configured under "background jobs" below.
CARELEDGER_TASKS_BACKEND = env_str("CARELEDGER_TASKS_BACKEND", "database")
if CARELEDGER_TASKS_BACKEND not in ("database", "rq", "immediate"):
    raise ImproperlyConfigured(
        f"CARELEDGER_TASKS_BACKEND must be database, rq or immediate, not {CARELEDGER_TASKS_BACKEND!r}"
    )

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

# --- sign-in and passwords (SEC-1 … SEC-8; accounts/login_security.py, lockout.py, totp.py, cas.py) ---

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend", "careledger.accounts.cas.CASBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
PASSWORD_MIN_LENGTH = env_int("CARELEDGER_PASSWORD_MIN_LENGTH", 12)
PASSWORD_MIN_CLASSES = env_int("CARELEDGER_PASSWORD_MIN_CLASSES", 3)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "careledger.accounts.validators.CharacterClassValidator",
        "OPTIONS": {"min_classes": PASSWORD_MIN_CLASSES},
    },
]
# Passwords expire after this many days and must then be changed like an admin-set one (0: never).
PASSWORD_MAX_AGE_DAYS = env_int("CARELEDGER_PASSWORD_MAX_AGE_DAYS", 90)
# Failed sign-ins per username + address: LIMIT within WINDOW locks the pair for LOCKOUT (api.md).
LOGIN_FAILURE_LIMIT = env_int("CARELEDGER_LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("CARELEDGER_LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)
LOGIN_LOCKOUT_SECONDS = env_int("CARELEDGER_LOGIN_LOCKOUT_SECONDS", 15 * 60)
# Failures from one address over all usernames that lock the address (0: off; NAT and proxies share one).
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("CARELEDGER_LOGIN_ADDRESS_FAILURE_LIMIT", 0)
# Two-factor (TOTP): required of these roles (CARELEDGER_2FA_ROLES adds more, comma-separated), optional
# for the rest. CARELEDGER_OTP_REQUIRED=false turns it off everywhere (development and demos only).
OTP_REQUIRED = env_bool("CARELEDGER_OTP_REQUIRED", True)
OTP_ROLES = sorted({"school_admin", "college_admin", "auditor", *env_list("CARELEDGER_2FA_ROLES")})
OTP_ISSUER = env_str("CARELEDGER_OTP_ISSUER", "CareLedger")

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

# --- sessions, cookies and web hardening (SEC-20 … SEC-23, SEC-28, SEC-29) ---

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("CARELEDGER_SESSION_IDLE_SECONDS", 30 * 60)
# Saved when changed only; core.middleware.SessionActivityMiddleware pushes the idle expiry back once a minute.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Sessions end this long after sign-in whatever the activity (the idle timeout is SESSION_COOKIE_AGE);
# API tokens this long after they were issued.
SESSION_ABSOLUTE_SECONDS = env_int("CARELEDGER_SESSION_ABSOLUTE_SECONDS", 12 * 3600)
API_TOKEN_MAX_AGE_SECONDS = env_int("CARELEDGER_API_TOKEN_MAX_AGE_SECONDS", 12 * 3600)
# The page hands htmx the CSRF token (base.html hx-headers); no script needs to read the cookie.
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("CARELEDGER_HTTPS", False)
SESSION_COOKIE_SECURE = SECURE_SSL_REDIRECT
CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("CARELEDGER_BEHIND_PROXY") else None
# SEC-55: the reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated);
# with CARELEDGER_BEHIND_PROXY alone, a proxy on the same machine (the loopback).
TRUSTED_PROXIES = env_list("CARELEDGER_TRUSTED_PROXIES") or (
    ["127.0.0.1", "::1"] if env_bool("CARELEDGER_BEHIND_PROXY") else []
)
SECURE_HSTS_SECONDS = 31536000 if SECURE_SSL_REDIRECT else 0
# HSTS covers the school's sub-domains unless told otherwise; preloading is a commitment the school makes
# to the browsers' list, so it is off unless asked for.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("CARELEDGER_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("CARELEDGER_HSTS_PRELOAD", False)
# W021 says "preload not set": not setting it is the school's choice.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)

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

# --- cache and rate limits (SEC-40) ---

# A shared cache holds the rate-limit counters, one store for every worker process (SEC-52): Redis when
# CARELEDGER_REDIS_URL is set (e.g. redis://127.0.0.1:6379/0), otherwise the database
# (table careledger_cache, made by core's migration 0003).
CARELEDGER_REDIS_URL = env_str("CARELEDGER_REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CARELEDGER_REDIS_URL}
        if CARELEDGER_REDIS_URL
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "careledger_cache"}
    )
}
# Reads of case files and exports per user (failed logins are limited in accounts/): over the limit →
# 429 and an audited denial. Generous enough for a day's work.
CARELEDGER_RATE_CASE_READS_PER_HOUR = env_int("CARELEDGER_RATE_CASE_READS_PER_HOUR", 600)
CARELEDGER_RATE_EXPORTS_PER_DAY = env_int("CARELEDGER_RATE_EXPORTS_PER_DAY", 100)
# Other sensitive reads (lists, ledgers, timelines, attachment lists …; SEC-52) per user and hour.
CARELEDGER_RATE_SENSITIVE_READS_PER_HOUR = env_int("CARELEDGER_RATE_SENSITIVE_READS_PER_HOUR", 1200)
# Break-glass reveals (SEC-17) per user and hour.
REVEALS_PER_HOUR = env_int("CARELEDGER_REVEALS_PER_HOUR", 20)

# --- logging: one line per entry, so user input cannot forge entries (SEC-20; audit/logsafe.py) ---

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line": {"()": "careledger.audit.logsafe.OneLineFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["one_line"]}},
    "root": {"handlers": ["console"], "level": env_str("CARELEDGER_LOG_LEVEL", "WARNING")},
}

# --- notifications ---

# Links in e-mails and robot messages point here (no trailing slash).
CARELEDGER_BASE_URL = env_str("CARELEDGER_BASE_URL", "http://127.0.0.1:8000")
NOTIFY_MAX_ATTEMPTS = env_int("CARELEDGER_NOTIFY_MAX_ATTEMPTS", 12)
# Retry after 1, 2, 4, 8 … minutes, never more than an hour apart.
NOTIFY_BACKOFF_BASE_SECONDS = env_int("CARELEDGER_NOTIFY_BACKOFF_BASE_SECONDS", 60)
NOTIFY_BACKOFF_MAX_SECONDS = env_int("CARELEDGER_NOTIFY_BACKOFF_MAX_SECONDS", 3600)
# A claimed delivery is left alone this long; if its runner dies, another one retries it afterwards.
NOTIFY_CLAIM_SECONDS = env_int("CARELEDGER_NOTIFY_CLAIM_SECONDS", 300)
NOTIFY_HTTP_TIMEOUT_SECONDS = env_int("CARELEDGER_NOTIFY_HTTP_TIMEOUT_SECONDS", 10)
# 企业微信 and 钉钉 robots accept 20 messages a minute each (domain-facts §4.7–4.8).
NOTIFY_WEBHOOK_PER_MINUTE = env_int("CARELEDGER_NOTIFY_WEBHOOK_PER_MINUTE", 20)
# Robot webhooks must be https, except on 127.0.0.1/localhost; an intranet relay over http needs this on.
NOTIFY_ALLOW_HTTP_WEBHOOKS = env_bool("CARELEDGER_NOTIFY_ALLOW_HTTP_WEBHOOKS", False)
# SEC-51: webhooks go to public addresses only; these host names (an intranet relay, comma-separated) are
# exempt. Loopback and private addresses are refused unless named here.
NOTIFY_WEBHOOK_ALLOWED_HOSTS = env_list("CARELEDGER_NOTIFY_WEBHOOK_ALLOWED_HOSTS")
EMAIL_BACKEND = env_str("CARELEDGER_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("CARELEDGER_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("CARELEDGER_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("CARELEDGER_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("CARELEDGER_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("CARELEDGER_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("CARELEDGER_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("CARELEDGER_EMAIL_TIMEOUT_SECONDS", 10)
DEFAULT_FROM_EMAIL = env_str("CARELEDGER_EMAIL_FROM", "careledger@localhost")

# --- the audit trail ---

# Kept at least 180 days (CSL Art. 21(3)); 3 years by default (PIPL Art. 56).
CARELEDGER_AUDIT_RETENTION_DAYS = env_int("CARELEDGER_AUDIT_RETENTION_DAYS", 1095)
# SEC-54: the audit chain is keyed (HMAC-SHA256) with these secrets (comma-separated; the first signs, all
# verify). Keep them with the encryption keys, outside the database. A development install generates one
# into var/audit_key.
AUDIT_CHAIN_KEYS = env_list("CARELEDGER_AUDIT_KEYS")
if not AUDIT_CHAIN_KEYS:
    from careledger.core.crypto import development_key

    AUDIT_CHAIN_KEYS = [development_key(VAR_DIR / "audit_key")]
# SEC-54: the chain's last row (id and hash) is also kept in this 0600 file, out of the database's reach:
# deleting rows from the end and rewriting audit_chainhead in SQL then fails `careledger audit verify`.
# Empty turns it off (tests do; the database head alone remains).
AUDIT_HEAD_FILE = env_str("CARELEDGER_AUDIT_HEAD_FILE", str(VAR_DIR / "audit_head"))
if CARELEDGER_AUDIT_RETENTION_DAYS < 180:
    raise ImproperlyConfigured(
        f"CARELEDGER_AUDIT_RETENTION_DAYS must be at least 180 (the law asks six months), "
        f"not {CARELEDGER_AUDIT_RETENTION_DAYS}"
    )

# --- 统一身份认证 (CAS) single sign-on: off unless CARELEDGER_CAS_SERVER_URL is set ---

# e.g. https://cas.example.edu.cn/cas/
CAS_SERVER_URL = env_str("CARELEDGER_CAS_SERVER_URL") or None
CAS_VERSION = env_str("CARELEDGER_CAS_VERSION", "2")
CAS_CREATE_USER = False  # never create accounts: an unknown CAS user has no access
CAS_IGNORE_REFERER = True
CAS_REDIRECT_URL = "/"
CAS_LOGIN_MSG = None
CAS_LOGGED_MSG = None
CAS_FORCE_SSL_SERVICE_URL = SECURE_SSL_REDIRECT
CAS_TIMEOUT_SECONDS = env_int("CARELEDGER_CAS_TIMEOUT_SECONDS", 10)


def CAS_SESSION_FACTORY():  # a setting: django-cas-ng calls it for each CAS client
    from careledger.accounts.cas import TimeoutSession  # the app is loaded after the settings

    return TimeoutSession()


# --- demo data: clearly marked; `careledger demo` refuses to run over real data ---

CARELEDGER_DEMO_PASSWORD = env_str("CARELEDGER_DEMO_PASSWORD", "Demo-CareLedger-2026")

# --- assessment ---

# 考核: the ranking score, the commendation rule and the dashboard's targets
# (assessment/rules.py). Weights and thresholds are "indicator=value" pairs separated by commas.
_ASSESSMENT_SCORED = ("survey_coverage", "mentor_coverage", "compliance_rate", "ledger_on_time", "ack_speed")


ASSESSMENT_WEIGHTS = env_fractions(
    "CARELEDGER_ASSESSMENT_WEIGHTS",
    _ASSESSMENT_SCORED,
    {"survey_coverage": 0.2, "mentor_coverage": 0.2, "compliance_rate": 0.3, "ledger_on_time": 0.15, "ack_speed": 0.15},
)
if not any(ASSESSMENT_WEIGHTS.values()):
    raise ImproperlyConfigured("CARELEDGER_ASSESSMENT_WEIGHTS needs at least one weight above 0")
# A median time to acknowledge within this many minutes scores 1 (the urgent deadline is one hour).
ASSESSMENT_ACK_TARGET_MINUTES = env_int("CARELEDGER_ASSESSMENT_ACK_TARGET_MINUTES", 60)
if ASSESSMENT_ACK_TARGET_MINUTES < 1:
    raise ImproperlyConfigured("CARELEDGER_ASSESSMENT_ACK_TARGET_MINUTES must be at least 1")
# The compliance target drawn on the dashboard's compliance chart.
ASSESSMENT_COMPLIANCE_TARGET = env_fraction("CARELEDGER_ASSESSMENT_COMPLIANCE_TARGET", 0.9)
# Commendation candidates: the best N by score among the units meeting every threshold.
ASSESSMENT_COMMEND_TOP = env_int("CARELEDGER_ASSESSMENT_COMMEND_TOP", 3)
ASSESSMENT_COMMEND_THRESHOLDS = env_fractions(
    "CARELEDGER_ASSESSMENT_COMMEND_THRESHOLDS",
    _ASSESSMENT_SCORED,
    {"survey_coverage": 0.95, "mentor_coverage": 0.9, "compliance_rate": 0.9, "ledger_on_time": 1.0},
)
# How many semesters (up to the one shown) the dashboard's trend lines cover.
ASSESSMENT_TREND_SEMESTERS = env_int("CARELEDGER_ASSESSMENT_TREND_SEMESTERS", 6)
if not 1 <= ASSESSMENT_TREND_SEMESTERS <= 12:
    raise ImproperlyConfigured("CARELEDGER_ASSESSMENT_TREND_SEMESTERS must be 1–12")

# --- background jobs (api.md "Long work"; careledger/jobs/; the backend is chosen under "apps") ---

RQ_QUEUES = {
    "default": {
        "URL": env_str("CARELEDGER_TASKS_REDIS_URL") or CARELEDGER_REDIS_URL or "redis://127.0.0.1:6379/0",
        "DEFAULT_TIMEOUT": 3600,
    }
}
TASKS = {
    "default": {
        "database": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
        "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
        "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    }[CARELEDGER_TASKS_BACKEND]
}
# A running job whose worker has said nothing for this long is taken to be dead and runs again.
JOBS_STALE_SECONDS = env_int("CARELEDGER_JOBS_STALE_SECONDS", 120)
JOBS_MAX_ATTEMPTS = env_int("CARELEDGER_JOBS_MAX_ATTEMPTS", 3)
# Result files of jobs (zips, workbooks) live outside every web root and are removed after this many days.
JOBS_DIR = Path(env_str("CARELEDGER_JOBS_DIR", str(VAR_DIR / "jobs")))
JOBS_KEEP_DAYS = env_int("CARELEDGER_JOBS_KEEP_DAYS", 7)
# Imports of more rows than this run as a job (the endpoint answers 202 {"job": id}).
JOBS_IMPORT_ROWS = env_int("CARELEDGER_JOBS_IMPORT_ROWS", 5000)
# The worker's schedule (local time): `tick` every minute, `remind` once a day at this hour.
JOBS_REMIND_HOUR = env_int("CARELEDGER_JOBS_REMIND_HOUR", 7)
# Exports done at once up to these sizes, as a job beyond: the 附件2 zip (open cases of the college) and
# the school-wide book (open cases of the school).
JOBS_INLINE_CASE_FILES = env_int("CARELEDGER_JOBS_INLINE_CASE_FILES", 20)
JOBS_INLINE_LEDGER_CASES = env_int("CARELEDGER_JOBS_INLINE_LEDGER_CASES", 1000)

# --- evidence for the survey (issue 16; domain-facts.md §1.5, §2.3, §3) ---
# The psychological centre's department code: its users import screenings and read item answers.
CARELEDGER_PSYCH_DEPARTMENT = env_str("CARELEDGER_PSYCH_DEPARTMENT", "psych_center")
# Who holds each office list (kind → department code); the school office may upload any of them.
CARELEDGER_SIGNAL_DEPARTMENTS = {
    "aid": env_str("CARELEDGER_AID_DEPARTMENT", "aid_center"),
    "academic": env_str("CARELEDGER_ACADEMIC_DEPARTMENT", "academic_affairs"),
    "discipline": env_str("CARELEDGER_DISCIPLINE_DEPARTMENT", "security"),
    "health": env_str("CARELEDGER_HEALTH_DEPARTMENT", "hospital"),  # 校医院
    "card": env_str("CARELEDGER_CARD_DEPARTMENT", "logistics"),
    "dorm": env_str("CARELEDGER_DORM_DEPARTMENT", "dorm"),
}
# The scales' disputed rules (evidence/scales.py ScaleSettings; defaults as domain-facts.md §1.5).
CARELEDGER_SCALE_SETTINGS = {
    "upi_class1_third": env_str("CARELEDGER_UPI_CLASS1_THIRD", "wenzhou"),  # or "counselling"
    "upi_class2_combination": env_str("CARELEDGER_UPI_CLASS2_COMBINATION", "or"),  # or "and"
    "upi_lie_all_yes": env_str("CARELEDGER_UPI_LIE_ALL_YES", "ignore"),  # or "invalid"
    "scl90_base": env_int("CARELEDGER_SCL90_BASE", 1),  # 1 = 1–5 scale, 0 = 0–4
    "scl90_total_cutoff": env_str("CARELEDGER_SCL90_TOTAL_CUTOFF", "gt"),  # >160, or "ge" ≥160
    "scl90_factor_cutoff": env_str("CARELEDGER_SCL90_FACTOR_CUTOFF", "ge"),  # ≥2, or "gt" >2
    "scl90_combination": env_str("CARELEDGER_SCL90_COMBINATION", "or"),  # or "and"
    "phq9_cutoff": env_int("CARELEDGER_PHQ9_CUTOFF", 10),
    "gad7_cutoff": env_int("CARELEDGER_GAD7_CUTOFF", 10),
}
# 学业预警 (§3): cumulative failed credits ≥10 黄, ≥15 橙, ≥20 红; a GPA below the floor (if set) is 黄 at least.
CARELEDGER_ACADEMIC_FAILED_CREDITS = {
    "yellow": env_int("CARELEDGER_ACADEMIC_YELLOW", 10),
    "orange": env_int("CARELEDGER_ACADEMIC_ORANGE", 15),
    "red": env_int("CARELEDGER_ACADEMIC_RED", 20),
}
CARELEDGER_ACADEMIC_GPA_FLOOR = env_str("CARELEDGER_ACADEMIC_GPA_FLOOR", "")  # e.g. "1.5"; empty: no GPA rule
# 暖心饭卡 (§2.3, 南京理工大学): ≥60 canteen meals a month AND canteen spending ≤ ¥750 that month.
CARELEDGER_CARD_MIN_MEALS = env_int("CARELEDGER_CARD_MIN_MEALS", 60)
CARELEDGER_CARD_MAX_SPEND = env_int("CARELEDGER_CARD_MAX_SPEND", 750)
# 宿管: a row with at least this many late returns / nights away is flagged.
CARELEDGER_DORM_MIN_COUNT = env_int("CARELEDGER_DORM_MIN_COUNT", 2)
