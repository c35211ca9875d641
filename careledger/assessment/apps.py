from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "careledger.assessment"
