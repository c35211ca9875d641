from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "careledger.web"
    label = "web"
