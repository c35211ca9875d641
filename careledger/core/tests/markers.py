"""Rows holding the marker ``XYZ-SECRET-42`` in every encrypted column (SEC-27, SEC-30 tests)."""

from datetime import date

from django.apps import apps
from django.utils import timezone

from careledger.core.fields import encrypted_fields
from tests.support.testing import make_attachment, make_case, make_semester

MARKER = "XYZ-SECRET-42"


def encrypted_columns() -> list[tuple[type, object]]:
    return [(m, f) for m in apps.get_models() for f in encrypted_fields(m)]


def written(field_name: str, model_label: str):
    """What the fixture wrote into a column: the marker, inside JSON or a URL where the column needs it."""
    if model_label == "evidence.ScreeningResult" and field_name == "detail":
        return {"answers": {"25": MARKER}}
    if model_label == "notify.Channel" and field_name == "address":
        return f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={MARKER}"
    return {
        "data": {"note": MARKER},
        "changes": [{"field": "problem", "old": MARKER, "new": MARKER + "!"}],
        "snapshot": {"rows": {"psych": [{"情况": MARKER}]}},
        "row": {"情况": MARKER},
    }.get(field_name, MARKER)


def make_marked(school) -> dict:
    """One row of every model that has encrypted columns, each column holding the marker."""
    from careledger.accounts.models import TOTPDevice
    from careledger.cases.models import CaseEffect, CaseEvent, CloseRequest, Helper, HelperActivity
    from careledger.contacts.models import Contact
    from careledger.escalations.models import Escalation, EscalationNote
    from careledger.evidence.models import ScreeningResult, Signal, Suggestion
    from careledger.ledgers.models import Addendum, Ledger
    from careledger.notify.models import Channel

    def fill(obj):
        for field in encrypted_fields(type(obj)):
            setattr(obj, field.attname, written(field.name, obj._meta.label))
        obj.save()
        return obj

    now = timezone.now()
    student = fill(school.students["li"])
    case = fill(make_case(school, "li", mentor=school.erin))
    semester = make_semester(school)
    helper = Helper.objects.create(
        case=case, student=school.students["zhang"], role="psych_committee", added_on=date(2026, 9, 2)
    )
    escalation = fill(
        Escalation(case=case, severity="urgent", created_by=school.erin, created_at=now, due_at=now, description="-")
    )
    ledger = fill(Ledger(semester=semester, college=school.wenxue, created_by=school.carol))
    rows = [
        student,
        case,
        fill(case.categories.get()),
        fill(HelperActivity(helper=helper, on=date(2026, 9, 3), what="-", recorded_by=school.erin)),
        fill(CaseEffect(case=case, semester=semester, text="-")),
        fill(CloseRequest(case=case, reason="-", requested_by=school.erin)),
        fill(CaseEvent(case=case, kind="updated", actor=school.carol)),
        fill(Contact(case=case, kind="talk", occurred_at=now, local_date=now.date(), recorded_by=school.erin)),
        escalation,
        fill(EscalationNote(escalation=escalation, author=school.frank, text="-")),
        ledger,
        fill(Addendum(ledger=ledger, case=case, category="psych", kind="new_case", reported_by=school.carol)),
        fill(Channel(user=school.carol, kind="wecom", address="-")),
        fill(make_attachment(case)),
        fill(TOTPDevice(user=school.alice)),  # a two-factor secret is a credential (accounts, SEC-3)
        # evidence (issue 16): item answers, an office list's row, a decline reason
        fill(
            ScreeningResult(
                student=student,
                semester=semester,
                scale="upi",
                total=1,
                level="class1",
                reason="-",
                imported_by=school.frank,
                imported_at=now,
            )
        ),
        fill(
            Signal(
                student=student, semester=semester, kind="health", reason="-", imported_by=school.alice, imported_at=now
            )
        ),
        fill(
            Suggestion(student=student, semester=semester, category="psych", source="upi", reason="-", evidence_at=now)
        ),
    ]
    return {type(obj)._meta.label: obj for obj in rows}
