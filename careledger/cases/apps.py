from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "careledger.cases"
