from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "careledger.notify"
