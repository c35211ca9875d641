"""Sign-in, passwords and two-factor (SEC-1 … SEC-8); sessions, cookies and web hardening (SEC-20 … SEC-23,
SEC-28, SEC-29); rate limits (SEC-40, SEC-52); 统一身份认证 (CAS). Part of careledger/settings.py."""

from careledger.core.env import env_bool, env_int, env_list, env_str
from careledger.core.net import TimeoutSession

# --- passwords, lockout and two-factor (accounts/login_security.py, lockout.py, totp.py) ---

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

# --- rate limits (SEC-40; the counters live in the shared cache, conf/jobs.py) ---

# Reads of case files and exports per user (failed logins are limited in accounts/): over the limit →
# 429 and an audited denial. Generous enough for a day's work.
CARELEDGER_RATE_CASE_READS_PER_HOUR = env_int("CARELEDGER_RATE_CASE_READS_PER_HOUR", 600)
CARELEDGER_RATE_EXPORTS_PER_DAY = env_int("CARELEDGER_RATE_EXPORTS_PER_DAY", 100)
# Other sensitive reads (lists, ledgers, timelines, attachment lists …; SEC-52) per user and hour.
CARELEDGER_RATE_SENSITIVE_READS_PER_HOUR = env_int("CARELEDGER_RATE_SENSITIVE_READS_PER_HOUR", 1200)
# Break-glass reveals (SEC-17) per user and hour.
REVEALS_PER_HOUR = env_int("CARELEDGER_REVEALS_PER_HOUR", 20)

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
# django-cas-ng makes each CAS client's HTTP session with this (python-cas sets no timeout of its own).
CAS_SESSION_FACTORY = TimeoutSession
