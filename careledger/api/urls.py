from django.http import HttpResponse
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from careledger.api import (
    assessment_views,
    attachment_views,
    auth_views,
    case_views,
    channel_views,
    escalation_views,
    evidence_views,
    inbox_views,
    job_views,
    ledger_views,
    views,
)

app_name = "api"


class SwaggerView(SpectacularSwaggerSplitView):
    """The Swagger UI page: its HTML renderer has no template for an OPTIONS answer (SEC-49)."""

    def options(self, request, *args, **kwargs):
        response = HttpResponse(status=200)
        response["Allow"] = "GET, HEAD, OPTIONS"
        return response


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file, so the page needs no inline script (CSP).
    path("docs/", SwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("v1/auth/token/", views.TokenView.as_view(), name="token"),
    path("v1/me/", views.MeView.as_view(), name="me"),
    path("v1/users/", views.UserListView.as_view(), name="user-list"),
    path("v1/users/<int:pk>/", views.UserDetailView.as_view(), name="user-detail"),
    path("v1/imports/roster/", views.RosterImportView.as_view(), name="roster-import"),
    path("v1/imports/staff/", views.StaffImportView.as_view(), name="staff-import"),
    path("v1/students/", views.StudentListView.as_view(), name="student-list"),
    path("v1/students/<str:student_no>/", views.StudentDetailView.as_view(), name="student-detail"),
    path("v1/departments/", views.DepartmentListView.as_view(), name="department-list"),
    path("v1/audit/", views.AuditListView.as_view(), name="audit-list"),
    # Evidence for the survey (issue 16)
    path("v1/screenings/", evidence_views.ScreeningView.as_view(), name="screenings"),
    path("v1/signals/", evidence_views.SignalView.as_view(), name="signals"),
    path("v1/suggestions/", evidence_views.SuggestionListView.as_view(), name="suggestion-list"),
    path("v1/suggestions/<int:pk>/confirm/", evidence_views.SuggestionConfirmView.as_view(), name="suggestion-confirm"),
    path("v1/suggestions/<int:pk>/decline/", evidence_views.SuggestionDeclineView.as_view(), name="suggestion-decline"),
    # Semesters, cases, contacts, compliance, attachments
    path("v1/semesters/", case_views.SemesterListView.as_view(), name="semester-list"),
    path("v1/semesters/current/", case_views.SemesterCurrentView.as_view(), name="semester-current"),
    path("v1/cases/", case_views.CaseListView.as_view(), name="case-list"),
    path("v1/cases/<int:pk>/", case_views.CaseDetailView.as_view(), name="case-detail"),
    path("v1/cases/<int:pk>/mentor/", case_views.CaseMentorView.as_view(), name="case-mentor"),
    path("v1/cases/<int:pk>/helpers/", case_views.CaseHelpersView.as_view(), name="case-helpers"),
    path("v1/cases/<int:pk>/contacts/", case_views.CaseContactsView.as_view(), name="case-contacts"),
    path("v1/cases/<int:pk>/compliance/", case_views.CaseComplianceView.as_view(), name="case-compliance"),
    path("v1/cases/<int:pk>/timeline/", case_views.CaseTimelineView.as_view(), name="case-timeline"),
    path("v1/cases/<int:pk>/close-request/", case_views.CloseRequestView.as_view(), name="case-close-request"),
    path("v1/cases/<int:pk>/close-approve/", case_views.CloseApproveView.as_view(), name="case-close-approve"),
    path("v1/cases/<int:pk>/close-reject/", case_views.CloseRejectView.as_view(), name="case-close-reject"),
    path("v1/cases/<int:pk>/reopen/", case_views.ReopenView.as_view(), name="case-reopen"),
    path("v1/compliance/overdue/", case_views.OverdueView.as_view(), name="compliance-overdue"),
    path("v1/cases/<int:pk>/attachments/", attachment_views.CaseAttachmentsView.as_view(), name="case-attachments"),
    path("v1/attachments/<int:pk>/", attachment_views.AttachmentDownloadView.as_view(), name="attachment-download"),
    # Survey, ledgers, exports
    path("v1/ledgers/", ledger_views.LedgerListView.as_view(), name="ledger-list"),
    path("v1/ledgers/overview/", ledger_views.OverviewView.as_view(), name="ledger-overview"),
    path("v1/ledgers/school-export/", ledger_views.SchoolExportView.as_view(), name="ledger-school-export"),
    path("v1/ledgers/compare/", ledger_views.CompareView.as_view(), name="ledger-compare"),
    path("v1/ledgers/<int:pk>/", ledger_views.LedgerDetailView.as_view(), name="ledger-detail"),
    path("v1/ledgers/<int:pk>/submit/", ledger_views.LedgerSubmitView.as_view(), name="ledger-submit"),
    path("v1/ledgers/<int:pk>/accept/", ledger_views.LedgerAcceptView.as_view(), name="ledger-accept"),
    path("v1/ledgers/<int:pk>/return/", ledger_views.LedgerReturnView.as_view(), name="ledger-return"),
    path("v1/ledgers/<int:pk>/export/", ledger_views.LedgerExportView.as_view(), name="ledger-export"),
    path("v1/ledgers/<int:pk>/case-files/", ledger_views.LedgerCaseFilesView.as_view(), name="ledger-case-files"),
    path("v1/addenda/", ledger_views.AddendaView.as_view(), name="addenda"),
    path("v1/survey/", ledger_views.SurveyView.as_view(), name="survey"),
    path("v1/sections/", ledger_views.SectionListView.as_view(), name="section-list"),
    path("v1/cases/<int:pk>/export/", ledger_views.CaseExportView.as_view(), name="case-export"),
    # Escalations
    path("v1/escalations/", escalation_views.EscalationListView.as_view(), name="escalation-list"),
    path("v1/escalations/figures/", escalation_views.FiguresView.as_view(), name="escalation-figures"),
    path("v1/escalations/<int:pk>/", escalation_views.EscalationDetailView.as_view(), name="escalation-detail"),
    path(
        "v1/escalations/<int:pk>/acknowledge/",
        escalation_views.AcknowledgeView.as_view(),
        name="escalation-acknowledge",
    ),
    path("v1/escalations/<int:pk>/resolve/", escalation_views.ResolveView.as_view(), name="escalation-resolve"),
    path("v1/escalations/<int:pk>/notes/", escalation_views.NotesView.as_view(), name="escalation-notes"),
    # Assessment
    path("v1/assessment/", assessment_views.AssessmentView.as_view(), name="assessment"),
    # Break-glass reveals
    path("v1/cases/<int:pk>/reveal/", case_views.CaseRevealView.as_view(), name="case-reveal"),
    path("v1/students/<str:student_no>/reveal/", views.StudentRevealView.as_view(), name="student-reveal"),
    # The caller's in-app messages
    path("v1/inbox/", inbox_views.InboxView.as_view(), name="inbox"),
    path("v1/inbox/read/", inbox_views.InboxReadView.as_view(), name="inbox-read"),
    # Notification channels
    path("v1/channels/", channel_views.ChannelListView.as_view(), name="channel-list"),
    path("v1/channels/<int:pk>/deactivate/", channel_views.ChannelDeactivateView.as_view(), name="channel-deactivate"),
    # Login security: logout, own password and two-factor (restricted tokens may call these), admin unlock
    path("v1/jobs/<str:pk>/", job_views.JobDetailView.as_view(), name="job-detail"),
    path("v1/jobs/<str:pk>/download/", job_views.JobDownloadView.as_view(), name="job-download"),
    path("v1/auth/logout/", auth_views.AuthLogoutView.as_view(), name="auth-logout"),
    path("v1/me/password/", auth_views.MePasswordView.as_view(), name="me-password"),
    path("v1/me/totp/", auth_views.MeTotpView.as_view(), name="me-totp"),
    path("v1/me/totp/confirm/", auth_views.MeTotpConfirmView.as_view(), name="me-totp-confirm"),
    path("v1/users/<int:pk>/unlock/", auth_views.UserUnlockView.as_view(), name="user-unlock"),
]
