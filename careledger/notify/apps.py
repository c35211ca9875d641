from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "careledger.notify"

    def ready(self) -> None:
        from careledger.core import outbox
        from careledger.notify import events
        from careledger.notify.services import notify

        outbox.connect(notify)  # escalations send through core.outbox (notify sits above them)
        outbox.connect_events(events)  # so do ledgers, cases and escalations for the loop's events
