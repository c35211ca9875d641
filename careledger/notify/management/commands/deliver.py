"""``careledger deliver``: send the notifications that are due, once. ``careledger tick`` does the same as
part of its run; this command is for a manual push or a separate timer."""

from django.core.management.base import BaseCommand

from careledger.notify.services import deliver_due


class Command(BaseCommand):
    help = "发送到期的通知（一次）。 / Send the notifications that are due, once."

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit", type=int, default=200, help="本次最多尝试的条数 / at most this many attempts in this run"
        )

    def handle(self, *args, limit: int, **options):
        sent = deliver_due(limit=limit)
        if options["verbosity"] >= 1:
            self.stdout.write(f"已发送 {sent} 条通知。 / {sent} notification(s) sent.")
