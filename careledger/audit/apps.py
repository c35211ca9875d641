from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "careledger.audit"
    verbose_name = "审计"

    def ready(self) -> None:
        from careledger.audit import logsafe, signals  # noqa: F401

        logsafe.install()
