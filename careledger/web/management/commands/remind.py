"""`careledger remind`: the daily reminders (cron once a morning). Running it twice sends nothing twice."""

from django.core.management.base import BaseCommand

from careledger.notify.reminders import remind_digests, remind_ledgers


class Command(BaseCommand):
    help = "Send the daily digests and the ledger due-date reminders."

    def handle(self, *args, **options):
        digests = remind_digests()
        ledgers = remind_ledgers()
        self.stdout.write(f"remind: {digests} digest(s), {ledgers} ledger reminder(s) queued")
