"""Recording a 辅导记录 (talk, dorm visit, parent contact)."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from careledger.accounts.models import User
from careledger.audit.services import Action
from careledger.cases import services as case_services
from careledger.cases.models import Case, CaseEvent, CaseStatus
from careledger.contacts.compliance import compliance_refresh_for_case
from careledger.contacts.models import Contact, ContactKind
from careledger.core import clock
from careledger.core.text import clean_text

# Phones and servers disagree by a few seconds; a contact "now" must not be refused as future.
CLOCK_SKEW = timedelta(minutes=5)


def contact_record(
    *,
    actor: User,
    case: Case,
    kind: str,
    occurred_at: datetime,
    location: str = "",
    content: str = "",
    effect: str = "",
) -> Contact:
    case_services.require_action(actor, "record_contact", case)
    location, content, effect = map(clean_text, (location, content, effect))  # SEC-48
    with transaction.atomic():
        if kind not in ContactKind.values:
            raise ValidationError({"kind": [_("方式应为 talk、dorm_visit、parent 或 other。")]})
        if timezone.is_naive(occurred_at):
            occurred_at = timezone.make_aware(occurred_at)  # a local (Asia/Shanghai) time as typed
        if occurred_at > clock.now() + CLOCK_SKEW:
            raise ValidationError({"occurred_at": [_("辅导时间不能晚于现在。")]})
        if case.status != CaseStatus.OPEN:
            raise ValidationError({"case": [_("已撤销建档的档案不能再记录。")]})
        local = clock.local_date(occurred_at)
        if local < case.open_since:
            raise ValidationError({"occurred_at": [_("辅导时间早于建档日期。")]})
        contact = Contact.objects.create(
            case=case,
            kind=kind,
            occurred_at=occurred_at,
            local_date=local,
            location=location[:100],
            content=content,
            effect=effect[:200],
            recorded_by=actor,
        )
        case_services.timeline_add(case, actor, CaseEvent.Kind.CONTACT, f"{ContactKind(kind).label} {local}")
        compliance_refresh_for_case(case, day=local)  # the windows of that day's semester, in this transaction
        # Last: the audit row takes the chain lock (every writer and audited read waits on it) until commit.
        case_services.audit_case(actor, Action.CREATE, case, object="contact", contact=contact.pk)
        return contact
