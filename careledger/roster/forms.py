"""The student page's 学籍状态 form (cal, issue 12)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from careledger.core import clock
from careledger.core.uploads import UploadForm
from careledger.roster.models import EnrolmentStatus

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StudentStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("学籍状态"), choices=EnrolmentStatus.choices)
    since = forms.DateField(
        label=_("状态日期"), widget=DATE_WIDGET, required=False, help_text=_("自该日起生效；不填为今天，不能晚于今天。")
    )

    def clean_since(self):
        return self.cleaned_data["since"] or clock.today()


class RosterUploadForm(UploadForm):
    """The roster import page: the shared upload form plus the mode, and for a full-roster (sync) import the
    confirmation — the file's SHA-256 as shown with the list of who would leave the roster."""

    mode = forms.ChoiceField(
        label=_("导入方式"),
        choices=[
            ("upsert", _("新增和更新（默认）：不使任何学生离册")),
            ("sync", _("完整名单：文件中各学院未列出的在册学生标记为离册")),
        ],
        initial="upsert",
        required=False,
        widget=forms.RadioSelect,
    )
    confirm = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_mode(self) -> str:
        return self.cleaned_data["mode"] or "upsert"
