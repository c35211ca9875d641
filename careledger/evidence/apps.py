from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "careledger.evidence"
    label = "evidence"
    verbose_name = "摸排证据"
