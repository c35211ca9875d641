"""`careledger audit verify` and `careledger audit purge`.

verify: walks the hash chain; exit 0 when intact, 1 naming the first bad row by its id.
purge:  deletes rows older than CARELEDGER_AUDIT_RETENTION_DAYS (≥ 180; default 1095) and re-anchors
        the chain; run it from cron (daily is plenty).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from careledger.audit import services


class Command(BaseCommand):
    help = "Audit trail: verify the hash chain, or purge rows past the retention period."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify,purge}")
        sub.add_parser("verify", help="check the hash chain; exit 1 naming the first bad row")
        purge = sub.add_parser("purge", help="delete rows older than the retention period")
        purge.add_argument(
            "--days",
            type=int,
            default=None,
            help="retention in days (default: CARELEDGER_AUDIT_RETENTION_DAYS; never below 180)",
        )

    def handle(self, *args, subcommand: str, **options):
        if subcommand == "verify":
            report = services.verify()
            if not report.ok:
                # CommandError exits with status 1 and prints the message on stderr.
                raise CommandError(str(report))
            self.stdout.write(str(report))
        elif subcommand == "purge":
            days = options["days"] if options["days"] is not None else settings.CARELEDGER_AUDIT_RETENTION_DAYS
            try:
                count = services.purge(retention_days=days)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"audit purge: {count} rows older than {days} days deleted")
