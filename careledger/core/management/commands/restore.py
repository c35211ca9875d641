"""``careledger restore PATH [--force]``: restore a backup into the database DATABASE_URL names (SEC-30)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from careledger.audit.services import Action, record
from careledger.core import backup


class Command(BaseCommand):
    help = (
        "Restore an encrypted backup into the database DATABASE_URL names (created if it does not exist) "
        "and the attachments folder. Refuses a database or folder that holds data unless --force. "
        "Stop the application first."
    )
    requires_system_checks = []  # the database may not exist yet

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup file")
        parser.add_argument("--force", action="store_true", help="replace a database that already holds data")

    def handle(self, *args, path: str, force: bool, **options):
        connections.close_all()
        try:
            result = backup.restore(Path(path), force=force)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        connections.close_all()  # Django reconnects to the restored database for the audit row
        manifest = result.manifest
        # The restore drill's evidence, in the restored database's own audit trail.
        record(
            actor="cli",
            action=Action.UPDATE,
            object_type="backup",
            detail={
                "operation": "restore",
                "file": result.path.name[-100:],
                "sha256": result.sha256,
                "backup_created_at": manifest["created_at"],
                "vendor": manifest["vendor"],
                "tables": len(manifest["tables"]),
                "rows": result.rows,
                "attachments": manifest["attachments"],
                "counts_match": True,
                "force": force,
            },
        )
        for line in result.log:
            self.stdout.write(line)
        self.stdout.write("restore complete; run `careledger migrate` if this version of CareLedger is newer")
