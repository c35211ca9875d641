"""`careledger tick`: everything time-driven, meant for cron or a systemd timer every minute.

Safe to run twice at once or late: each step is idempotent (escalations are raised once, messages
carry dedupe keys, deliveries are claimed before they are sent).
"""

from django.core.management.base import BaseCommand

from careledger.core import clock
from careledger.escalations.services import raise_overdue
from careledger.notify.services import deliver_due


class Command(BaseCommand):
    help = "Raise escalations past their deadline and deliver pending notifications (every minute)."

    def handle(self, *args, **options):
        now = clock.now()
        raised = raise_overdue(now=now)
        sent = deliver_due(now=now)
        if options["verbosity"] > 1 or raised or sent:
            self.stdout.write(f"tick {clock.local_time(now):%Y-%m-%d %H:%M:%S}: raised {raised}, delivered {sent}")
