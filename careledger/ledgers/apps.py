from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "careledger.ledgers"
