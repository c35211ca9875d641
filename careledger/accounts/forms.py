import re

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from careledger.accounts import lockout, policy, services
from careledger.accounts.models import Role
from careledger.escalations.models import Department
from careledger.roster.models import College


class LoginForm(AuthenticationForm):
    # One message for an unknown user, a wrong password and a locked account: never hint which it was.
    error_messages = {
        "invalid_login": _("用户名或密码错误。"),
        "inactive": _("用户名或密码错误。"),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            # Counted per username + address and locked past the limit (SEC-2, accounts/lockout.py).
            self.user_cache = lockout.authenticate(self.request, username, password)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class OTPForm(forms.Form):
    otp = forms.CharField(
        label=_("动态口令"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*", "autofocus": True}
        ),
        help_text=_("身份验证器（如 Microsoft Authenticator、Google Authenticator）上显示的 6 位数字。"),
    )


class OwnPasswordChangeForm(PasswordChangeForm):
    """Django's form, plus: the new password must differ from the old one (periodic change, MLPS 8.1.4.1a)."""

    def clean_new_password1(self):
        new = self.cleaned_data.get("new_password1")
        if new and self.user.check_password(new):
            raise ValidationError(_("新密码不能与原密码相同。"), code="password_unchanged")
        return new


class GrantForm(forms.Form):
    """A grant as a person fills it in: role, college, grades and classes as written (comma-separated)."""

    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    college = forms.ModelChoiceField(label=_("学院"), queryset=College.objects.none(), required=False)
    grades = forms.CharField(label=_("年级"), required=False, help_text=_("如 2023,2024"))
    classes = forms.CharField(label=_("班级"), required=False, help_text=_("班级名称，多个用逗号分隔"))
    department = forms.ModelChoiceField(label=_("职能部门"), queryset=Department.objects.all(), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["college"].queryset = policy.administered_colleges(actor)
        if not policy.is_school_admin(actor):
            self.fields["role"].choices = [c for c in Role.choices if c[0] in policy.COLLEGE_GRANTABLE]
            self.fields["department"].queryset = Department.objects.none()

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["spec"] = services.grant_spec_resolve(
                role=data["role"],
                college=data["college"].name if data.get("college") else None,
                grades=split_list(data.get("grades", "")),
                classes=split_list(data.get("classes", "")),
                department=data["department"].code if data.get("department") else None,
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        return data


class UserCreateForm(GrantForm):
    username = forms.RegexField(label=_("用户名（工号）"), regex=r"^[A-Za-z0-9_.@-]{2,150}$", max_length=150)
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机"), max_length=20, required=False)
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput, help_text=_("对方首次登录时须修改。"))
    field_order = ["username", "name", "phone", "password", "role", "college", "grades", "classes", "department"]


class UserEditForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机"), max_length=20, required=False)
    password = forms.CharField(
        label=_("重置密码"),
        widget=forms.PasswordInput,
        required=False,
        help_text=_("留空则不修改；对方须在下次登录时修改。"),
    )


def split_list(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,，、;；\s]+", value or "") if part.strip()]
