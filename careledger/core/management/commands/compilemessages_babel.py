"""``careledger compilemessages-babel``: build the .mo files with Babel, no GNU gettext needed."""

from pathlib import Path

from babel.core import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def locale_dirs() -> list[Path]:
    return [Path(p) for p in settings.LOCALE_PATHS]


def compile_po(po_path: Path) -> Path:
    """Compile one .po next to itself (written to a temporary file, then moved into place)."""
    name = po_path.parent.parent.name
    try:
        locale = Locale.parse(name)
    except (ValueError, UnknownLocaleError):
        locale = None
    with po_path.open("rb") as f:
        catalog = read_po(f, locale=locale, abort_invalid=True)
    mo_path = po_path.with_suffix(".mo")
    tmp = mo_path.with_suffix(".mo.tmp")
    with tmp.open("wb") as f:
        write_mo(f, catalog)
    tmp.replace(mo_path)
    return mo_path


class Command(BaseCommand):
    help = "用 Babel 编译翻译文件（.po → .mo）。 / Compile translations (.po → .mo) with Babel."
    requires_system_checks = []  # runs in `make install`, before a database or a finished project exists

    def handle(self, *args, **options):
        compiled = 0
        for base in locale_dirs():
            for po_path in sorted(base.glob("*/LC_MESSAGES/*.po")):
                try:
                    mo_path = compile_po(po_path)
                except Exception as exc:  # babel raises PoFileError and plain ValueErrors
                    raise CommandError(f"无法编译 / Cannot compile {po_path}: {exc}") from exc
                compiled += 1
                if options["verbosity"] >= 2:
                    self.stdout.write(f"{po_path} → {mo_path.name}")
        if options["verbosity"] >= 2:
            self.stdout.write(f"{compiled} 个文件 / file(s) compiled.")
