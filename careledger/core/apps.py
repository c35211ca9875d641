from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "careledger.core"

    def ready(self):
        from django.db.backends.signals import connection_created

        from careledger.core.files import on_connection_created

        connection_created.connect(on_connection_created, dispatch_uid="careledger-sqlite-0600")
