from django.contrib.auth import views as auth_views
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse_lazy

from careledger.accounts import policy
from careledger.accounts.forms import LoginForm
from careledger.cases.views import work_context
from careledger.roster.selectors import student_counts_for


def home(request: HttpRequest) -> HttpResponse:
    """The start page: what the user's grants cover, and where to go next."""
    grants = policy.grants_of(request.user)
    context = {"grants": grants, "counts": student_counts_for(request.user)}
    if policy.has_role(request.user, *policy.CASE_READERS):
        # Users with case roles land on their work view (我的工作台), shown above the grants.
        context["work"] = work_context(request.user)
    return render(request, "core/home.html", context)


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "core/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        if self.request.user.must_change_password:
            self.request.user.must_change_password = False
            self.request.user.save(update_fields=["must_change_password"])
        return response
