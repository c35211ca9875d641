"""SEC-27: the migrations that made columns encrypted encrypt the rows and files already there, and
decrypt them again when unapplied."""

import pytest
from django.db import connection

from careledger.core import crypto
from careledger.core.tests.markers import encrypted_columns

# The migrations that turn each app's columns into encrypted ones and encrypt the rows already there.
ENCRYPTING_MIGRATIONS = {
    "roster": "0002_encrypt_sensitive_columns",
    "cases": "0004_encrypt_sensitive_columns",
    "contacts": "0002_encrypt_sensitive_columns",
    "escalations": "0003_encrypt_sensitive_columns",
    "ledgers": "0002_encrypt_sensitive_columns",
    "notify": "0002_encrypt_sensitive_columns",
}


@pytest.mark.django_db(transaction=True)
def test_sec_27_migrations_encrypt_existing_rows_and_files_and_can_be_reversed(settings):
    """Rows and files stored in plaintext before the encrypting migrations are encrypted by them (and
    decrypted again when they are unapplied). An empty database is covered by every test run's set-up."""
    import hashlib
    import secrets
    from datetime import date

    from django.db.migrations.executor import MigrationExecutor
    from django.utils import timezone

    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    before = [
        next(p.key for p in graph.node_map[(app, name)].parents if p.key[0] == app)
        for app, name in ENCRYPTING_MIGRATIONS.items()
    ]
    latest = graph.leaf_nodes()
    settings.ATTACHMENTS_DIR.mkdir(parents=True, exist_ok=True)
    pdf = b"%PDF-1.7\nPLAIN-FILE\n%%EOF\n"
    storage_name = secrets.token_hex(16)
    try:
        executor.migrate(before)
        # Apps without an encrypting migration stay at their latest state (core: the semester without is_current).
        old = executor.loader.project_state(before + [n for n in latest if n[0] == "core"]).apps
        # The accounts app stays at its latest state: its current model makes the user (referred to by id).
        from careledger.accounts.models import User

        user = User.objects.create_user(username="m", name="m").pk
        college = old.get_model("roster", "College").objects.create(name="文学院")
        klass = old.get_model("roster", "SchoolClass").objects.create(college=college, grade="2023", name="1班")
        student = old.get_model("roster", "Student").objects.create(
            student_no="202301010001", name="张三", gender="M", college=college, grade="2023", school_class=klass,
            id_number="PLAIN-ID", parent_name="PLAIN-PARENT", parent_phone="",
        )  # fmt: skip
        case = old.get_model("cases", "Case").objects.create(
            student=student, opened_on=date(2026, 9, 1), opened_by_id=user, problem="PLAIN-PROBLEM"
        )
        old.get_model("cases", "CategoryEntry").objects.create(
            case=case, category="psych", detail="PLAIN-DETAIL", data={"k": "PLAIN-DATA"}, added_on=date(2026, 9, 1)
        )
        old.get_model("cases", "CaseEvent").objects.create(
            case=case, kind="updated", actor_id=user, changes=[{"old": "PLAIN-OLD"}], summary="PLAIN-SUMMARY"
        )
        now = timezone.now()
        old.get_model("contacts", "Contact").objects.create(
            case=case, kind="talk", occurred_at=now, local_date=now.date(), content="PLAIN-CONTENT", recorded_by_id=user
        )
        semester = old.get_model("core", "Semester").objects.create(
            name="s", start=date(2026, 9, 1), end=date(2027, 1, 15), ledger_due=date(2026, 9, 19)
        )
        old.get_model("ledgers", "Ledger").objects.create(
            semester=semester,
            college=college,
            created_by_id=user,
            snapshot={"rows": {"psych": [{"情况": "PLAIN-ROW"}]}},
        )
        old.get_model("notify", "Channel").objects.create(
            user_id=user, kind="wecom", address="https://qyapi.weixin.qq.com/send?key=PLAIN-KEY", secret=""
        )
        old.get_model("cases", "Attachment").objects.create(
            case=case, original_name="PLAIN-NAME.pdf", content_type="application/pdf", size=len(pdf),
            sha256=hashlib.sha256(pdf).hexdigest(), storage_name=storage_name, uploaded_by_id=user,
        )  # fmt: skip
        (settings.ATTACHMENTS_DIR / storage_name).write_bytes(pdf)

        executor = MigrationExecutor(connection)
        executor.migrate(latest)

        checked = 0
        for model, field in encrypted_columns():
            qn = connection.ops.quote_name
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {qn(field.column)} FROM {qn(model._meta.db_table)}")  # noqa: S608  # nosec B608 - identifiers from the model/schema, values bound as parameters
                for (raw,) in cursor.fetchall():
                    assert raw is None or "PLAIN" not in raw, (model, field.name)
                    checked += 1 if raw else 0
        assert checked >= 11  # every non-empty value written above
        from careledger.cases.attachments import attachment_read
        from careledger.cases.models import Attachment, Case, CategoryEntry
        from careledger.notify.models import Channel
        from careledger.roster.models import Student

        assert Student.objects.get().id_number == "PLAIN-ID"
        assert Case.objects.get().problem == "PLAIN-PROBLEM"
        assert CategoryEntry.objects.get().data == {"k": "PLAIN-DATA"}
        channel = Channel.objects.get()
        assert channel.address_digest == crypto.digest(channel.address)
        assert b"PLAIN" not in (settings.ATTACHMENTS_DIR / storage_name).read_bytes()
        attachment = Attachment.objects.get()
        assert attachment.original_name == "PLAIN-NAME.pdf"
        assert attachment_read(actor=attachment.uploaded_by, attachment=attachment) == pdf

        executor = MigrationExecutor(connection)
        executor.migrate(before)  # unapplied: plaintext again
        with connection.cursor() as cursor:
            cursor.execute("SELECT id_number FROM roster_student")
            assert cursor.fetchone()[0] == "PLAIN-ID"
        assert (settings.ATTACHMENTS_DIR / storage_name).read_bytes() == pdf
    finally:
        MigrationExecutor(connection).migrate(latest)
