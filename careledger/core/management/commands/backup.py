"""``careledger backup PATH``: an encrypted backup of the database and the attachments (SEC-30, SEC-32)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from careledger.audit.services import Action, record
from careledger.core import backup


class Command(BaseCommand):
    help = (
        "Write an encrypted backup of the database DATABASE_URL names and of the attachments to PATH. "
        "Restoring it needs the keys of CARELEDGER_ENCRYPTION_KEYS in force now."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup file to write (replaced if it exists)")

    def handle(self, *args, path: str, **options):
        try:
            result = backup.backup(Path(path))
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        record(
            actor="cli",
            action=Action.UPDATE,
            object_type="backup",
            detail={
                "operation": "backup",
                "file": result.path.name[-100:],
                "sha256": result.sha256,
                "bytes": result.size,
                "vendor": manifest["vendor"],
                "tables": len(manifest["tables"]),
                "rows": result.rows,
                "attachments": manifest["attachments"],
            },
        )
        self.stdout.write(
            f"backup {result.path}: {result.size} bytes, sha256 {result.sha256}\n"
            f"{manifest['vendor']}, {len(manifest['tables'])} tables, {result.rows} rows, "
            f"{manifest['attachments']} attachment file(s); encrypted with the first key of CARELEDGER_ENCRYPTION_KEYS"
        )
