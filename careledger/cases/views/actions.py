"""The inline forms of the case page: mentor, help group, effect, closure, reopening.

Each posts to its own URL; on bad input the case page is shown again with that form's errors (400),
on success the browser goes back to the case page.
"""

from collections.abc import Callable

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from careledger.accounts import policy
from careledger.cases import services
from careledger.cases.forms import (
    CloseRequestForm,
    DecisionForm,
    EffectForm,
    HelperActivityForm,
    HelperForm,
    MentorForm,
    ReopenForm,
)
from careledger.cases.models import Case
from careledger.cases.views.case_page import _case_page
from careledger.core import http


def _case_action(
    request: HttpRequest,
    pk: int,
    *,
    action: str,
    form_name: str,
    make_form: Callable[[Case], django_forms.Form],
    run: Callable[[Case, dict], str],
    anchor: str,
) -> HttpResponse:
    """An inline form of the case page: check the verb, validate, call the service, go back to the page."""
    case = policy.get_case_for(request.user, pk)
    services.require_action(request.user, action, case)
    form = make_form(case)
    if form.is_valid():
        try:
            message = run(case, form.cleaned_data)
        except ValidationError as exc:
            http.add_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect(reverse("cases:detail", args=[case.pk]) + f"#{anchor}")
    return _case_page(request, case, status=400, **{form_name: form})


@require_POST
def mentor_assign(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Case, data: dict) -> str:
        services.mentor_assign(actor=request.user, case=case, mentor=data["mentor"])
        return _("已与 %(name)s 结对。") % {"name": data["mentor"].name or data["mentor"].username}

    school_wide = policy.is_school_admin(request.user)
    return _case_action(
        request,
        pk,
        action="assign_mentor",
        form_name="mentor_form",
        make_form=lambda case: MentorForm(request.POST, case=case, school_wide=school_wide),
        run=run,
        anchor="mentor",
    )


@require_POST
def helper_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Case, data: dict) -> str:
        services.helper_add(actor=request.user, case=case, student=data["student_no"], role=data["role"])
        return _("已将 %(name)s 加入帮扶小组。") % {"name": data["student_no"].name}

    return _case_action(
        request,
        pk,
        action="add_helper",
        form_name="helper_form",
        make_form=lambda case: HelperForm(request.POST, case=case, user=request.user),
        run=run,
        anchor="helpers",
    )


@require_POST
def helper_activity(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Case, data: dict) -> str:
        services.helper_activity_record(actor=request.user, helper=data["helper"], on=data["on"], what=data["what"])
        return _("已记录帮扶小组活动。")

    return _case_action(
        request,
        pk,
        action="add_helper",
        form_name="activity_form",
        make_form=lambda case: HelperActivityForm(request.POST, case=case),
        run=run,
        anchor="helpers",
    )


@require_POST
def effect_record(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Case, data: dict) -> str:
        services.effect_record(
            actor=request.user, case=case, semester=data["semester"], text=data["text"], rating=data["rating"]
        )
        return _("已保存帮扶效果。")

    return _case_action(
        request,
        pk,
        action="record_effect",
        form_name="effect_form",
        make_form=lambda case: EffectForm(request.POST),
        run=run,
        anchor="effects",
    )


@require_POST
def close_request(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Case, data: dict) -> str:
        services.close_request(actor=request.user, case=case, reason=data["reason"], improved=data["improved"])
        return _("已提交撤销建档申请，待学院审批。")

    return _case_action(
        request,
        pk,
        action="request_close",
        form_name="close_form",
        make_form=lambda case: CloseRequestForm(request.POST),
        run=run,
        anchor="closure",
    )


def _decide(request: HttpRequest, pk: int, decide: Callable, message: str) -> HttpResponse:
    def run(case: Case, data: dict) -> str:
        decide(actor=request.user, case=case, note=data["note"])
        return message

    return _case_action(
        request,
        pk,
        action="approve_close",
        form_name="decision_form",
        make_form=lambda case: DecisionForm(request.POST),
        run=run,
        anchor="closure",
    )


@require_POST
def close_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, services.close_approve, _("已同意撤销建档。"))


@require_POST
def close_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, services.close_reject, _("已驳回撤销建档申请。"))


@require_POST
def case_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    def run(case: Case, data: dict) -> str:
        services.case_reopen(actor=request.user, case=case, mentor=data.get("mentor"))
        return _("已重新建档。")

    return _case_action(
        request,
        pk,
        action="reopen",
        form_name="reopen_form",
        make_form=lambda case: ReopenForm(request.POST, case=case, school_wide=policy.is_school_admin(request.user)),
        run=run,
        anchor="closure",
    )
