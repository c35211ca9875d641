"""`careledger compliance rebuild [--semester ID]`: recompute the maintained compliance table exactly.

Run it after an upgrade that introduced the table, after a restore from an older backup, or whenever one
wants to check that nothing drifted (the table is kept in step by every write; this rebuilds it from the
contacts, open periods, 学籍状态 and semester calendars).
"""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compliance windows: `rebuild [--semester ID]` recomputes them from contacts, periods and statuses."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild = sub.add_parser("rebuild", help="recompute every window (or one semester's)")
        rebuild.add_argument("--semester", type=int, help="the semester id (default: every semester)")

    def handle(self, *args, **options):
        from careledger.contacts.compliance import rebuild
        from careledger.core.models import Semester

        semester = options.get("semester")
        if semester is not None and not Semester.objects.filter(pk=semester).exists():
            raise CommandError(f"no semester with id {semester}")
        written = rebuild(None if semester is None else [semester])
        self.stdout.write(f"compliance rebuilt: {written} windows")
