"""The case page: the file, its compliance, contacts and history, and the inline forms it offers.

``_case_page`` renders it for a GET, after a break-glass reveal, and again with a bound form's errors
when an inline form (views/actions.py) fails.
"""

from collections.abc import Callable
from datetime import date

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from careledger.accounts import policy
from careledger.cases import selectors, services
from careledger.cases.forms import (
    CloseRequestForm,
    DecisionForm,
    EffectForm,
    HelperActivityForm,
    HelperForm,
    MentorForm,
    ReopenForm,
)
from careledger.cases.models import (
    Case,
    CaseEffect,
    CaseStatus,
    CloseRequest,
    CloseStatus,
    Helper,
    HelperActivity,
    Mentorship,
)
from careledger.core import clock, http
from careledger.core.errors import RateLimited
from careledger.roster import rules as roster_rules
from careledger.roster.selectors import status_entry_on

CONTACTS_SHOWN = 50
EVENTS_SHOWN = 100


def _audit_read(user, case: Case) -> None:
    """Every page showing the case file is a read of it (有据可查)."""
    http.audited_read(user, object_type="case", object_id=case.pk, student_no=case.student.student_no)


def _age(born: date | None) -> int | None:
    return roster_rules.age_on(born, clock.today())


def _case_page(request: HttpRequest, case: Case, *, status: int = 200, **bound) -> HttpResponse:
    """The case file. ``bound`` holds a submitted form with errors, shown in place of the empty one."""
    user = request.user
    _audit_read(user, case)
    roles = policy.case_roles(user, case)
    may = policy.case_actions_for(user, case, roles=roles)
    text_access = policy.case_text_access(user, case, roles)
    prefetch_related_objects(
        [case],
        "student__college",
        "student__school_class",
        "student__dorm",
        "categories",
        "attachments",
        Prefetch("mentorships", queryset=Mentorship.objects.select_related("mentor", "assigned_by")),
        Prefetch(
            "helpers",
            queryset=Helper.objects.select_related("student").prefetch_related(
                Prefetch("activities", queryset=HelperActivity.objects.select_related("recorded_by"))
            ),
        ),
        Prefetch("effects", queryset=CaseEffect.objects.select_related("semester").order_by("-semester__start")),
        Prefetch("close_requests", queryset=CloseRequest.objects.select_related("requested_by", "decided_by")),
    )
    is_open = case.status == CaseStatus.OPEN
    mentorships = list(case.mentorships.all())
    close_requests = list(case.close_requests.all())
    calendar = selectors.current_calendar()
    windows = selectors.case_compliance(case, date_from=calendar.start, date_to=calendar.end) if calendar else []

    def offer(name: str, action: str, make: Callable[[], django_forms.Form], *, when: bool = True):
        return bound.get(name) or (make() if may[action] and when else None)

    pending = next((r for r in close_requests if r.status == CloseStatus.PENDING), None)
    contacts_page = Paginator(case.contacts.select_related("recorded_by"), CONTACTS_SHOWN).get_page(
        request.GET.get("page")
    )
    has_helpers = any(h.removed_on is None for h in case.helpers.all())
    context = {
        "case": case,
        "text_access": text_access,
        "student": case.student,
        "status_entry": status_entry_on(case.student, clock.today()),
        "age": _age(case.student.birth_date),
        "may": may,
        "is_open": is_open,
        "mentor": next((m for m in mentorships if m.is_current), None),
        "mentorships": mentorships,
        "close_requests": close_requests,
        "pending": pending,
        "windows": windows,
        "periods": list(case.open_periods.all()),  # every open period: closing and reopening erase nothing
        # Paginated (perf, issue 13): the page costs one page of contacts however long the case's history.
        "contacts": contacts_page.object_list,
        "contact_count": contacts_page.paginator.count,
        "contacts_page": contacts_page,
        "events": policy.timeline_for(user, case, case.events.select_related("actor")[:EVENTS_SHOWN], text_access),
        "mentor_form": offer(
            "mentor_form",
            "assign_mentor",
            lambda: MentorForm(case=case, school_wide=policy.is_school_admin(user)),
            when=is_open,
        ),
        "helper_form": offer("helper_form", "add_helper", lambda: HelperForm(case=case), when=is_open),
        "activity_form": offer(
            "activity_form", "add_helper", lambda: HelperActivityForm(case=case), when=is_open and has_helpers
        ),
        "effect_form": offer("effect_form", "record_effect", EffectForm, when=calendar is not None),
        "close_form": offer("close_form", "request_close", CloseRequestForm, when=is_open and pending is None),
        "decision_form": offer("decision_form", "approve_close", DecisionForm, when=pending is not None),
        "reopen_form": offer(
            "reopen_form",
            "reopen",
            lambda: ReopenForm(
                case=case, school_wide=policy.is_school_admin(user), last_mentor=services.last_mentor(case)
            ),
            when=not is_open,
        ),
    }
    return render(request, "cases/case_detail.html", context, status=status)


@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, policy.get_case_for(request.user, pk))


@require_POST
def case_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Break-glass: an admin not on the case states why they open its sensitive text (audited)."""
    case = policy.get_case_for(request.user, pk)
    try:
        services.case_reveal(actor=request.user, case=case, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except RateLimited as exc:
        messages.error(request, str(exc))
        return _case_page(request, case, status=429)
    return redirect("cases:detail", pk=case.pk)
