"""The log and the audit trail. Part of careledger/settings.py."""

from django.core.exceptions import ImproperlyConfigured

from careledger.conf.paths import DEV_KEYS, VAR_DIR
from careledger.core.crypto import development_key
from careledger.core.env import env_int, env_list, env_str

# --- logging: one line per entry, so user input cannot forge entries (SEC-20; audit/logsafe.py) ---

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line": {"()": "careledger.audit.logsafe.OneLineFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["one_line"]}},
    "root": {"handlers": ["console"], "level": env_str("CARELEDGER_LOG_LEVEL", "WARNING")},
}

# --- the audit trail ---

# Kept at least 180 days (CSL Art. 21(3)); 3 years by default (PIPL Art. 56).
CARELEDGER_AUDIT_RETENTION_DAYS = env_int("CARELEDGER_AUDIT_RETENTION_DAYS", 1095)
# SEC-54: the audit chain is keyed (HMAC-SHA256) with these secrets (comma-separated; the first signs, all
# verify). Keep them with the encryption keys, outside the database. Only a development install
# (CARELEDGER_DEV_KEYS) generates one, into var/audit_key; `careledger serve` refuses to start without them.
AUDIT_CHAIN_KEYS = env_list("CARELEDGER_AUDIT_KEYS") or ([development_key(VAR_DIR / "audit_key")] if DEV_KEYS else [])
# SEC-54: the chain's last row (id and hash) is also kept in this 0600 file, out of the database's reach:
# deleting rows from the end and rewriting audit_chainhead in SQL then fails `careledger audit verify`.
# Empty turns it off (tests do; the database head alone remains).
AUDIT_HEAD_FILE = env_str("CARELEDGER_AUDIT_HEAD_FILE", str(VAR_DIR / "audit_head"))
if CARELEDGER_AUDIT_RETENTION_DAYS < 180:
    raise ImproperlyConfigured(
        f"CARELEDGER_AUDIT_RETENTION_DAYS must be at least 180 (the law asks six months), "
        f"not {CARELEDGER_AUDIT_RETENTION_DAYS}"
    )
