from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from careledger.home import views as home_views
from careledger.web import views as core_views

urlpatterns = [
    path("", home_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/login/", core_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", core_views.PasswordChangeView.as_view(), name="password_change"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("students/", include("careledger.roster.urls", namespace="students")),
    path("roster/", include("careledger.web.roster_import_urls", namespace="roster")),
    path("accounts/", include("careledger.accounts.urls", namespace="accounts")),
    path("", include("careledger.cases.urls", namespace="cases")),
    path("", include("careledger.web.ledger_urls", namespace="ledgers")),
    path("attachments/", include("careledger.cases.attachment_urls", namespace="attachments")),
    path("escalations/", include("careledger.web.escalation_urls", namespace="escalations")),
    path("evidence/", include("careledger.evidence.urls", namespace="evidence")),
    path("assessment/", include("careledger.assessment.urls", namespace="assessment")),
    path("", include("careledger.notify.urls", namespace="notify")),
    path("api/", include("careledger.api.urls", namespace="api")),
    path("jobs/", include("careledger.jobs.urls", namespace="jobs")),
    path("audit/", include("careledger.web.audit_urls", namespace="audit")),
]

# An audit row that cannot be written outside a view (e.g. while auditing a denial) is answered 503 too.
handler500 = "careledger.core.middleware.server_error"
