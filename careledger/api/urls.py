from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from careledger.api import case_views, views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
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
]

urlpatterns += [
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
    path("v1/cases/<int:pk>/attachments/", case_views.CaseAttachmentsView.as_view(), name="case-attachments"),
    path("v1/attachments/<int:pk>/", case_views.AttachmentDownloadView.as_view(), name="attachment-download"),
]
