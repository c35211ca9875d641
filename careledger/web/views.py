from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from careledger.accounts import cas, lockout, login_security, services
from careledger.accounts.forms import LoginForm, OwnPasswordChangeForm


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class LoginView(auth_views.LoginView):
    """Password sign-in (failures counted and locked, SEC-2); the steps after it — a one-time code, a
    password change, two-factor enrolment — are asked by PolicyMiddleware (accounts/login_security.py)."""

    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        if login_security.Step.OTP not in login_security.pending_steps(self.request.user, session=self.request.session):
            # Signed in for good; with a code still to give, the count is cleared only once it is given.
            lockout.clear_failures(form.get_user().get_username(), lockout.client_address(self.request))
        return response

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "cas_enabled": cas.enabled()}


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "core/password_change.html"
    form_class = OwnPasswordChangeForm
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        services.password_change(
            user=self.request.user,
            old_password=form.cleaned_data["old_password"],
            new_password=form.cleaned_data["new_password1"],
        )
        update_session_auth_hash(self.request, self.request.user)  # this session stays; the others end
        messages.success(self.request, _("密码已修改。"))
        return redirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        user = self.request.user
        return {
            **super().get_context_data(**kwargs),
            "password_expired": not user.must_change_password and login_security.password_expired(user),
        }
