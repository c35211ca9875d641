"""Where CareLedger lives and keeps its files (read by settings.py and the other groups)."""

from pathlib import Path

from careledger.core.env import env_str

BASE_DIR = Path(__file__).resolve().parent.parent  # the careledger package
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(env_str("CARELEDGER_VAR_DIR", str(PROJECT_DIR / "var")))
