"""The ``careledger`` console command: Django's manage.py with the project's settings preset.

``careledger serve``, ``createadmin``, ``import-roster``, ``import-staff``, ``demo`` … are management
commands (``careledger/*/management/commands``); hyphenated names map to underscored modules.
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careledger.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args and "-" in args[0] and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["careledger", *args])
    return 0
