from django import forms
from django.utils.translation import gettext_lazy as _

from careledger.escalations.models import Department, Severity


class EscalationForm(forms.Form):
    severity = forms.ChoiceField(
        label=_("紧急程度"), choices=Severity.choices, initial=Severity.URGENT, widget=forms.RadioSelect
    )
    description = forms.CharField(label=_("情况说明"), widget=forms.Textarea(attrs={"rows": 4}))
    departments = forms.ModelMultipleChoiceField(
        label=_("通知职能部门"),
        queryset=Department.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("学院负责人总会收到；不选部门则只报学院。"),
    )


class NoteForm(forms.Form):
    text = forms.CharField(label=_("处置记录"), widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("处置结果"), widget=forms.Textarea(attrs={"rows": 2}))
