"""Closing a case (request, approve, reject) and reopening it: each open period is kept."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from careledger.accounts.models import User
from careledger.audit.services import Action
from careledger.cases import signals
from careledger.cases.models import Case, CaseEvent, CasePeriod, CaseStatus, CloseRequest, CloseStatus, Mentorship
from careledger.cases.services.common import _events, audit_case, require_action, timeline_add
from careledger.cases.services.support import mentor_assign
from careledger.contacts.compliance import compliance_refresh_for_case
from careledger.core import clock
from careledger.core.text import clean_text


def close_request(*, actor: User, case: Case, reason: str, improved: bool | None = None) -> CloseRequest:
    require_action(actor, "request_close", case)
    reason = clean_text(reason)  # SEC-48
    with transaction.atomic():
        if case.status != CaseStatus.OPEN:
            raise ValidationError({"status": [_("档案未在档。")]})
        if not reason.strip():
            raise ValidationError({"reason": [_("请填写理由。")]})
        if CloseRequest.objects.filter(case=case, status=CloseStatus.PENDING).exists():
            raise ValidationError({"reason": [_("已有待审批的撤销建档申请。")]})
        request = CloseRequest.objects.create(case=case, reason=reason, improved=improved, requested_by=actor)
        # No excerpt of the reason: summaries are shown to readers who may not read case text (SEC-45).
        timeline_add(case, actor, CaseEvent.Kind.CLOSE_REQUESTED)
        audit_case(actor, Action.UPDATE, case, fields=["close_request"])
        _events().closure_requested(request)
        return request


def _pending_request(case: Case) -> CloseRequest:
    pending = CloseRequest.objects.select_for_update().filter(case=case, status=CloseStatus.PENDING).first()
    if pending is None:
        raise ValidationError({"status": [_("没有待审批的撤销建档申请。")]})
    return pending


def close_approve(*, actor: User, case: Case, note: str = "") -> Case:
    require_action(actor, "approve_close", case)
    with transaction.atomic():
        pending = _pending_request(case)
        now = clock.now()
        pending.status, pending.decided_by, pending.decided_at, pending.decision_note = (
            CloseStatus.APPROVED,
            actor,
            now,
            note,
        )
        pending.save()
        case.status, case.closed_on = CaseStatus.CLOSED, clock.today()
        case.version += 1
        case.save(update_fields=["status", "closed_on", "version", "updated_at"])
        _close_period(case, case.closed_on)
        Mentorship.objects.current().filter(case=case).update(ended_at=now)
        timeline_add(case, actor, CaseEvent.Kind.CLOSED, changes=[{"field": "status", "old": "open", "new": "closed"}])
        compliance_refresh_for_case(case)  # before the audit row: the chain lock is held from it to the commit
        audit_case(actor, Action.UPDATE, case, fields=["status"], status="closed")
        _events().closure_decided(pending, approved=True)
        return case


def close_reject(*, actor: User, case: Case, note: str = "") -> Case:
    require_action(actor, "approve_close", case)
    with transaction.atomic():
        pending = _pending_request(case)
        pending.status, pending.decided_by, pending.decided_at, pending.decision_note = (
            CloseStatus.REJECTED,
            actor,
            clock.now(),
            note,
        )
        pending.save()
        timeline_add(case, actor, CaseEvent.Kind.CLOSE_REJECTED)
        audit_case(actor, Action.UPDATE, case, fields=["close_request"], status="rejected")
        _events().closure_decided(pending, approved=False)
        return case


def _close_period(case: Case, closed_on: date) -> None:
    """End the case's open period (one is made from the case's own dates if none was recorded)."""
    period = CasePeriod.objects.select_for_update().filter(case=case, closed_on__isnull=True).first()
    if period is None:
        period = CasePeriod(case=case, opened_on=min(case.open_since, closed_on))
    period.closed_on = max(closed_on, period.opened_on)
    period.save()


def case_reopen(*, actor: User, case: Case, mentor: User | None = None) -> Case:
    """Reopen a closed case: a new open period (the earlier ones are kept and keep counting), an addendum when
    the college's ledger was already submitted (随时上报), and — when given — the mentor paired again."""
    require_action(actor, "reopen", case)
    with transaction.atomic():
        if case.status != CaseStatus.CLOSED:
            raise ValidationError({"status": [_("档案未撤销建档，无需重新建档。")]})
        if Case.objects.filter(student_id=case.student_id, status=CaseStatus.OPEN).exists():
            raise ValidationError({"student": [_("该学生已有在档的关爱档案。")]})
        today = clock.today()
        if not CasePeriod.objects.filter(case=case).exists():  # a case from before periods were kept
            CasePeriod.objects.create(
                case=case, opened_on=case.open_since, closed_on=max(case.closed_on or today, case.open_since)
            )
        case.status, case.closed_on, case.reopened_on = CaseStatus.OPEN, None, today
        case.version += 1
        case.save(update_fields=["status", "closed_on", "reopened_on", "version", "updated_at"])
        CasePeriod.objects.create(case=case, opened_on=today)
        timeline_add(
            case, actor, CaseEvent.Kind.REOPENED, changes=[{"field": "status", "old": "closed", "new": "open"}]
        )
        compliance_refresh_for_case(case)  # before the audit row: the chain lock is held from it to the commit
        audit_case(actor, Action.UPDATE, case, fields=["status"], status="open")
        # 随时上报: a case reopened after the college reported its ledger goes to 学工处 at once.
        signals.categories_added.send(
            sender=Case,
            actor=actor,
            case=case,
            categories=list(case.categories.values_list("category", flat=True)),
            new_case=True,
        )
        if mentor is not None:
            mentor_assign(actor=actor, case=case, mentor=mentor)
        return case
