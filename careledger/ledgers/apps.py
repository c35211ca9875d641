from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "careledger.ledgers"

    def ready(self) -> None:
        from careledger.cases import signals
        from careledger.ledgers.services import report_added_categories

        # 随时上报: after a college has reported its ledger, new cases and categories go to 学工处 at once.
        signals.categories_added.connect(report_added_categories, dispatch_uid="ledgers.addenda")
