"""Notifications: the outbox's retries, the robots' limits and e-mail. Part of careledger/settings.py."""

from careledger.core.env import env_bool, env_int, env_list, env_str

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
