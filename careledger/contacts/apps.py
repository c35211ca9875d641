from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "careledger.contacts"

    def ready(self) -> None:
        """The single call sites that keep the compliance table in step with writes made in lower layers
        (core's semesters, roster's 学籍状态), which may not import this app: each runs in the sender's
        transaction."""
        from django.db.models.signals import post_delete, post_migrate, post_save

        from careledger.core.signals import semester_changed
        from careledger.roster.models import StudentStatus

        def on_semester_changed(sender, semester, **kwargs) -> None:
            from careledger.contacts.compliance import compliance_refresh_for_semester

            compliance_refresh_for_semester(semester)

        def on_status_changed(sender, instance, raw=False, **kwargs) -> None:
            if raw:  # loaddata / restore: the rebuild command follows
                return
            from careledger.contacts.compliance import compliance_refresh_for_students

            compliance_refresh_for_students([instance.student_id])

        def on_migrated(sender, using="default", **kwargs) -> None:
            """The first migrate after upgrading to the maintained table fills it (an empty table beside
            existing cases); afterwards every write keeps it, and `careledger compliance rebuild` redoes it."""
            from django.db import DatabaseError

            from careledger.cases.models import Case
            from careledger.contacts.compliance import rebuild
            from careledger.contacts.models import ComplianceWindow

            try:
                if not ComplianceWindow.objects.using(using).exists() and Case.objects.using(using).exists():
                    rebuild()
            except DatabaseError:  # migrated only part of the way: the rebuild command will do it
                return

        semester_changed.connect(on_semester_changed, dispatch_uid="compliance_semester_changed", weak=False)
        post_migrate.connect(on_migrated, sender=self, dispatch_uid="compliance_post_migrate", weak=False)
        post_save.connect(on_status_changed, sender=StudentStatus, dispatch_uid="compliance_status_saved", weak=False)
        post_delete.connect(
            on_status_changed, sender=StudentStatus, dispatch_uid="compliance_status_deleted", weak=False
        )
