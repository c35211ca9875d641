"""Forms for the survey and ledger pages. They check shapes only; the rules live in ledgers.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from careledger.core.models import Semester
from careledger.ledgers.models import SurveyOutcome
from careledger.roster.models import College


class ReviewForm(forms.Form):
    """One tap of the survey: a student and what the reviewer found."""

    student = forms.CharField(max_length=20)
    outcome = forms.ChoiceField(choices=SurveyOutcome.choices)


class SurveyRestForm(forms.Form):
    """其余无需关注: a class and the number of students the user saw and confirmed."""

    school_class = forms.IntegerField(min_value=1)
    expected = forms.IntegerField(min_value=1)


class OpenForm(forms.Form):
    """开始填报: the college whose draft ledger for the current semester is created."""

    college = forms.IntegerField(min_value=1)


class SubmitForm(forms.Form):
    filled_by = forms.CharField(label=_("填表人"), max_length=50)
    # Only the college_admin signs as 负责人 (empty: their own name); a counselor's form leaves it out.
    responsible = forms.CharField(label=_("负责人"), max_length=50, required=False)
    confirm = forms.BooleanField(label=_("我已核对以上提示，仍然上报"), required=False)


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("退回意见"),
        widget=forms.Textarea(attrs={"rows": 2, "required": True}),
        help_text=_("写明需要学院更正的内容，学院更正后可重新上报。"),
    )


class CompareForm(forms.Form):
    """下学期对比 (``?college=&from=&to=``): a college and two semesters, from what the caller may compare."""

    college = forms.TypedChoiceField(label=_("学院"), coerce=int)

    def __init__(self, data, *, colleges: list[College], semesters: list[Semester], initial: dict | None = None):
        super().__init__(data, initial=initial)
        self.colleges = {c.pk: c for c in colleges}
        self.semesters = {s.pk: s for s in semesters}
        self.fields["college"].choices = [(c.pk, c.name) for c in colleges]
        # "from" is a Python keyword: these two fields are added by name.
        for name, label in (("from", _("前一学期")), ("to", _("后一学期"))):
            self.fields[name] = forms.TypedChoiceField(
                label=label, coerce=int, choices=[(s.pk, s.name) for s in semesters]
            )

    def clean(self):
        data = super().clean()
        if data.get("from") is not None and data.get("from") == data.get("to"):
            raise forms.ValidationError(_("请选择两个不同的学期。"))
        return data

    def chosen(self) -> tuple[College, Semester, Semester]:
        data = self.cleaned_data
        return self.colleges[data["college"]], self.semesters[data["from"]], self.semesters[data["to"]]
