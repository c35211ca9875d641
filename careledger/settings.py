"""CareLedger settings: one file, driven by the environment (see README, "Configuration")."""

import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from careledger.core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(env_str("CARELEDGER_VAR_DIR", str(PROJECT_DIR / "var")))

DEBUG = env_bool("CARELEDGER_DEBUG", False)


def _secret_key() -> str:
    """The key comes from the environment; a development install keeps a generated one under var/."""
    key = env_str("CARELEDGER_SECRET_KEY")
    if key:
        return key
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("CARELEDGER_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CARELEDGER_CSRF_TRUSTED_ORIGINS", [])

# The school whose programme this is: it titles the 附件2 case file and every page.
SCHOOL_NAME = env_str("CARELEDGER_SCHOOL_NAME", "赣南师范大学")

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
    "careledger.core",
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
    "careledger.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "careledger.audit.middleware.RequestContextMiddleware",
    "careledger.accounts.middleware.PolicyMiddleware",
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
                "careledger.core.context_processors.site",
            ],
        },
    },
]


def _databases() -> dict:
    url = env_str("DATABASE_URL")
    if url:
        if not url.startswith(("sqlite:", "postgres:", "postgresql:")):
            raise ImproperlyConfigured("DATABASE_URL must start with sqlite:/// or postgres://")
        db = dj_database_url.parse(url, conn_max_age=env_int("CARELEDGER_DB_CONN_MAX_AGE", 60))
    else:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "careledger.sqlite3")}
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers go on while one writer commits; IMMEDIATE avoids upgrade deadlocks.
        db["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
            "transaction_mode": "IMMEDIATE",
        }
        db["CONN_MAX_AGE"] = 0
        db["TEST"] = {"NAME": env_str("CARELEDGER_TEST_SQLITE", "") or None}
    else:
        db.setdefault("TEST", {})
    return {"default": db}


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
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

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

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

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("CARELEDGER_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("CARELEDGER_HTTPS", False)
SESSION_COOKIE_SECURE = SECURE_SSL_REDIRECT
CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT
SECURE_HSTS_SECONDS = 31536000 if SECURE_SSL_REDIRECT else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("CARELEDGER_BEHIND_PROXY") else None

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # The one access policy decides every API call; there is no default-allow.
    "DEFAULT_PERMISSION_CLASSES": ["careledger.accounts.policy.PolicyPermission"],
    "DEFAULT_PAGINATION_CLASS": "careledger.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "careledger.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
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
}

# Demo data is clearly marked; `careledger demo` refuses to run over real data.
CARELEDGER_DEMO_PASSWORD = env_str("CARELEDGER_DEMO_PASSWORD", "Demo-CareLedger-2026")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("CARELEDGER_LOG_LEVEL", "WARNING")},
}

# Notifications
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
EMAIL_BACKEND = env_str("CARELEDGER_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("CARELEDGER_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("CARELEDGER_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("CARELEDGER_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("CARELEDGER_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("CARELEDGER_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("CARELEDGER_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("CARELEDGER_EMAIL_TIMEOUT_SECONDS", 10)
DEFAULT_FROM_EMAIL = env_str("CARELEDGER_EMAIL_FROM", "careledger@localhost")
