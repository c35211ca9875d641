"""Forms for the case pages. They check shapes only; every rule lives in the services they feed."""

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from careledger.accounts import policy
from careledger.accounts.models import Role, User
from careledger.cases.categories import CHOICES, STRUCTURED_FIELDS, SUB_TABLES, Category
from careledger.cases.models import Case, Helper, HelperRole, RiskLevel
from careledger.cases.services import CategoryInput
from careledger.contacts.models import ContactKind
from careledger.core import clock
from careledger.core.models import Semester
from careledger.core.services import PeriodInput
from careledger.roster.models import Student

# Labels of the structured fields of categories.STRUCTURED_FIELDS.
FIELD_LABELS = {
    "hardship_level": _("困难等级"),
    "gpa": _("学位课平均绩点"),
    "failed_credits": _("不及格课程学分"),
    "academic_status": _("留级、休学情况"),
    "problem_type": _("问题类型"),
    "risk_judgement": _("危害性判断"),
    "history": _("主要病史"),
    "occurred_on": _("违纪时间"),
    "what": _("违纪行为"),
    "kind": _("情况类别"),
}
FIELD_HELP = {"kind": _("如：思想过于偏激、行为怪异、人际交流困难、就业困难")}

# Ask once: where a category has structured fields, its free text asks only for what they do not hold
# (the ledger column is composed from both; see categories.compose_text).
DETAIL_LABELS = {
    "economic": (_("家庭经济状况和存在问题"), _("困难等级已在下方选择，这里不必再写。")),
    "academic": (_("补考、缺课等其他学业情况"), _("绩点、不及格学分、留级休学已在下方填写，这里不必再写。")),
    "psych": (_("行为异常描述"), _("问题类型和危害性判断已在下方填写，这里不必再写。")),
    "physical": (_("对学习生活的影响"), _("病史已在下方填写，这里不必再写。")),
    "discipline": (_("存在问题"), _("违纪时间和违纪行为已在下方填写，这里不必再写。")),
    "other": (_("存在问题"), _("情况类别已在下方填写，这里不必再写。")),
}

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _structured_field(name: str, kind: str) -> forms.Field:
    label, help_text = FIELD_LABELS[name], FIELD_HELP.get(name, "")
    if kind.startswith("choice:"):
        choices = CHOICES[kind.split(":", 1)[1]].choices
        if not any(value == "" for value, _label in choices):
            choices = [("", "—"), *choices]
        return forms.ChoiceField(label=label, choices=choices, required=False)
    if kind == "decimal":
        return forms.DecimalField(label=label, required=False, min_value=0, max_digits=6, decimal_places=2)
    if kind == "date":
        return forms.DateField(label=label, required=False, widget=DATE_WIDGET)
    return forms.CharField(label=label, required=False, max_length=500, help_text=help_text)


class CategoryForm(forms.Form):
    """One of the seven categories: ticked or not, its ledger column, and its structured fields."""

    selected = forms.BooleanField(required=False, widget=forms.CheckboxInput(attrs={"class": "category-toggle"}))
    detail = forms.CharField(required=False, widget=_textarea())

    def __init__(self, *args, category: str, can_verify: bool, verification: str = "", **kwargs):
        super().__init__(*args, prefix=category, **kwargs)
        self.category = category
        self.fields["selected"].label = Category(category).label
        # The form keeps the notice's column header as the label (what the ledger prints); the help says
        # what the structured fields below already hold, so that no fact is asked twice.
        self.fields["detail"].label = SUB_TABLES[category].columns[0]
        self.fields["detail"].help_text = DETAIL_LABELS.get(category, ("", ""))[1]
        for name, kind in STRUCTURED_FIELDS[category].items():
            self.fields[name] = _structured_field(name, kind)
        # 班主任核实情况 is written by the class teacher (or counselor); others see it read-only.
        self.existing_verification = verification
        if category == Category.PHYSICAL and can_verify:
            self.fields["verification"] = forms.CharField(
                label=SUB_TABLES[category].columns[1], required=False, widget=_textarea(2), initial=verification
            )

    @property
    def structured(self) -> list:
        return [self[name] for name in STRUCTURED_FIELDS[self.category]]

    def to_input(self) -> CategoryInput:
        data = {}
        for name in STRUCTURED_FIELDS[self.category]:
            value = self.cleaned_data.get(name)
            if value not in (None, ""):
                data[name] = value.isoformat() if isinstance(value, date) else str(value)
        return CategoryInput(
            category=self.category,
            detail=self.cleaned_data["detail"],
            verification=self.cleaned_data.get("verification"),
            data=data,
        )


class CaseForm(forms.Form):
    risk_level = forms.ChoiceField(label=_("风险等级"), choices=RiskLevel.choices, initial=RiskLevel.LOW)
    opened_on = forms.DateField(label=_("建档日期"), widget=DATE_WIDGET)
    problem = forms.CharField(
        label=_("问题类型及问题描述"),
        required=False,
        widget=_textarea(4),
        help_text=_("各类别的情况已在上方填写，这里只写类别之外的问题。"),
    )
    life_history = forms.CharField(label=_("既往生活史与当前生活情景"), required=False, widget=_textarea(4))
    plan = forms.CharField(label=_("辅导方案 / 帮扶措施"), required=False, widget=_textarea(4))
    note = forms.CharField(label=_("备注"), required=False, widget=_textarea(2))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, editing: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["opened_on"]  # the opening date is history, not an editable field
        else:
            del self.fields["version"]


class CaseFileForm:
    """The case file as one form: the case's own fields plus one sub-form per category."""

    def __init__(self, data=None, *, can_verify: bool, case: Case | None = None):
        entries = {e.category: e for e in case.categories.all()} if case else {}
        if case is None:
            initial = {"opened_on": clock.today(), "risk_level": RiskLevel.LOW}
        else:
            initial = {name: getattr(case, name) for name in ("risk_level", "problem", "life_history", "plan", "note")}
            initial["version"] = case.version
        self.main = CaseForm(data, initial=initial, editing=case is not None)
        self.categories = []
        for code in Category.values:
            entry = entries.get(code)
            cat_initial = {"selected": True, "detail": entry.detail, **entry.data} if entry else {}
            self.categories.append(
                CategoryForm(
                    data,
                    category=code,
                    can_verify=can_verify,
                    verification=entry.verification if entry else "",
                    initial=cat_initial,
                )
            )
        self.category_errors: list[str] = []

    def is_valid(self) -> bool:
        return all([self.main.is_valid(), *(f.is_valid() for f in self.categories)])

    @property
    def has_errors(self) -> bool:
        return bool(self.category_errors or self.main.errors or any(f.errors for f in self.categories))

    def category_inputs(self) -> list[CategoryInput]:
        return [f.to_input() for f in self.categories if f.cleaned_data["selected"]]

    def open_fields(self) -> dict:
        """What ``services.case_open`` takes from a valid form (the case page and the survey open cases alike)."""
        data = self.main.cleaned_data
        fields = {name: data[name] for name in ("opened_on", "risk_level", "problem", "life_history", "plan", "note")}
        return {"categories": self.category_inputs(), **fields}

    def add_service_errors(self, exc: ValidationError) -> None:
        for name, messages in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
            if name == "categories":
                self.category_errors += messages
            else:
                self.main.add_error(name if name in self.main.fields else None, messages)


class ContactForm(forms.Form):
    """A 辅导记录 as entered in a dorm corridor: kind, time (now), place (the dorm), one text."""

    kind = forms.ChoiceField(label=_("方式"), choices=ContactKind.choices, widget=forms.RadioSelect)
    occurred_at = forms.DateTimeField(
        label=_("辅导时间"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    location = forms.CharField(label=_("辅导地点"), required=False, max_length=100)
    content = forms.CharField(label=_("辅导内容"), widget=_textarea(4))
    effect = forms.CharField(label=_("效果评估"), required=False, max_length=200)

    def __init__(self, *args, dorm: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.dorm = dorm
        self.fields["occurred_at"].initial = timezone.localtime(clock.now()).replace(second=0, microsecond=0)
        if dorm:
            self.fields["location"].help_text = _("下寝室交流默认为学生寝室：%(dorm)s") % {"dorm": dorm}

    def clean(self):
        data = super().clean()
        if data.get("kind") == ContactKind.DORM_VISIT and not data.get("location"):
            data["location"] = self.dorm
        return data


class MentorForm(forms.Form):
    mentor = forms.ModelChoiceField(label=_("帮扶导师"), queryset=User.objects.none(), empty_label=_("请选择"))

    def __init__(self, *args, case: Case, school_wide: bool, **kwargs):
        super().__init__(*args, **kwargs)
        # Mentors of the case's college; the school office may pair any mentor. One filter() call, so
        # that the role and the college are those of the same grant.
        grant = {"grants__role": Role.MENTOR}
        if not school_wide:
            grant["grants__college_id"] = case.student.college_id
        mentors = User.objects.filter(is_active=True, **grant)
        self.fields["mentor"].queryset = mentors.distinct().order_by("name", "username")
        self.fields["mentor"].label_from_instance = lambda u: f"{u.name or u.username}（{u.username}）"


class ReopenForm(MentorForm):
    """重新建档, offering the last mentor back (pre-selected while still a mentor one may pick)."""

    def __init__(self, *args, case: Case, school_wide: bool, last_mentor: User | None = None, **kwargs):
        super().__init__(*args, case=case, school_wide=school_wide, **kwargs)
        field = self.fields["mentor"]
        field.required = False
        field.empty_label = _("暂不结对")
        field.label = _("结对导师")
        if last_mentor is not None and not self.is_bound and field.queryset.filter(pk=last_mentor.pk).exists():
            self.initial["mentor"] = last_mentor.pk
            field.help_text = _("已预选上次的帮扶导师 %(name)s。") % {"name": last_mentor.name or last_mentor.username}


class HelperForm(forms.Form):
    student_no = forms.CharField(label=_("学号"), max_length=20)
    role = forms.ChoiceField(label=_("角色"), choices=HelperRole.choices)

    def __init__(self, *args, case: Case, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.user = user

    def clean_student_no(self) -> Student:
        # Only students the caller may see in the case's college (SEC finding 13): a number elsewhere
        # or out of scope reads the same as a missing one.
        number = self.cleaned_data["student_no"].strip()
        if self.user is not None:
            candidates = policy.helper_candidates_for(self.user, self.case)
        else:
            candidates = Student.objects.filter(college_id=self.case.student.college_id, is_active=True)
        student = candidates.filter(student_no=number).first()
        if student is None:
            raise ValidationError(_("本学院在册学生中没有该学号。"))
        return student


class HelperActivityForm(forms.Form):
    helper = forms.ModelChoiceField(label=_("帮扶小组成员"), queryset=Helper.objects.none(), empty_label=_("请选择"))
    on = forms.DateField(label=_("日期"), widget=DATE_WIDGET)
    what = forms.CharField(label=_("活动内容"), widget=_textarea(2))

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = clock.today()
        helpers = case.helpers.filter(removed_on__isnull=True).select_related("student")
        self.fields["helper"].queryset = helpers
        self.fields["helper"].label_from_instance = lambda h: f"{h.student.name}（{h.get_role_display()}）"


# What each 帮扶效果 score means (1–5); shown in the effect form and on the case page.
EFFECT_LEVELS = {
    1: _("无改善"),
    2: _("略有改善"),
    3: _("有所改善"),
    4: _("明显改善"),
    5: _("问题基本解决"),
}


class EffectForm(forms.Form):
    semester = forms.ModelChoiceField(label=_("学期"), queryset=Semester.objects.order_by("-start"), empty_label=None)
    text = forms.CharField(label=_("帮扶效果"), widget=_textarea(3))
    rating = forms.TypedChoiceField(
        label=_("评分"),
        choices=[("", "—")] + [(str(i), format_lazy("{} {}", i, EFFECT_LEVELS[i])) for i in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("1 无改善，2 略有改善，3 有所改善，4 明显改善，5 问题基本解决"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = Semester.objects.current()
        if current is not None:
            self.fields["semester"].initial = current.pk


class CloseRequestForm(forms.Form):
    reason = forms.CharField(label=_("理由"), widget=_textarea(3))
    # No default: the person must say whether the student improved (it feeds 改善撤档).
    improved = forms.TypedChoiceField(
        label=_("帮扶后有改善"),
        choices=[("yes", _("是，帮扶后有改善")), ("no", _("否，没有明显改善"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择帮扶后是否有改善。")},
    )


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("审批意见"), required=False, widget=_textarea(2))


# --- semesters ---

_PERIOD_SPLIT = re.compile(r"[\s,，~～至–—]+")


def parse_periods(text: str) -> list[PeriodInput]:
    """Lines such as "寒假 2027-01-16 2027-02-28" → periods; one error per bad line."""
    periods, errors = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = _PERIOD_SPLIT.split(line.strip())
        try:
            name, start, end = parts
            periods.append(PeriodInput(name=name[:50], start=date.fromisoformat(start), end=date.fromisoformat(end)))
        except ValueError:
            errors.append(_("第 %(n)d 行应为“名称 开始日期 结束日期”，如：寒假 2027-01-16 2027-02-28") % {"n": number})
    if errors:
        raise ValidationError(errors)
    return periods


class SemesterForm(forms.Form):
    name = forms.CharField(label=_("学期名称"), max_length=50, help_text=_("如：2026-2027学年第一学期"))
    start = forms.DateField(label=_("开始日期"), widget=DATE_WIDGET)
    end = forms.DateField(label=_("结束日期"), widget=DATE_WIDGET)
    ledger_due = forms.DateField(label=_("台账截止日期"), widget=DATE_WIDGET)
    holidays = forms.CharField(
        label=_("假期（寒假 / 暑假）"),
        required=False,
        widget=_textarea(2),
        help_text=_("每行一个：名称 开始日期 结束日期，如：寒假 2027-01-16 2027-02-28"),
    )
    key_periods = forms.CharField(
        label=_("重点时段（考前、放假前后、开学初）"),
        required=False,
        widget=_textarea(3),
        help_text=_("每行一个：名称 开始日期 结束日期，如：考前 2027-01-04 2027-01-10"),
    )

    def clean_holidays(self) -> list[PeriodInput]:
        return parse_periods(self.cleaned_data["holidays"])

    def clean_key_periods(self) -> list[PeriodInput]:
        return parse_periods(self.cleaned_data["key_periods"])
