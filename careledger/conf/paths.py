"""Where CareLedger lives and keeps its files (read by settings.py and the other groups)."""

from pathlib import Path

from careledger.core.env import env_bool, env_str

BASE_DIR = Path(__file__).resolve().parent.parent  # the careledger package
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(env_str("CARELEDGER_VAR_DIR", str(PROJECT_DIR / "var")))

# Development keys (secret, encryption and audit keys made once into VAR_DIR) only when this is on: `make run`
# and the benches turn it on; a real install sets CARELEDGER_SECRET_KEY, CARELEDGER_ENCRYPTION_KEYS and
# CARELEDGER_AUDIT_KEYS, and `careledger serve` refuses to start without them.
DEV_KEYS = env_bool("CARELEDGER_DEV_KEYS", False)
