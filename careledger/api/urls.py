from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from careledger.api import views

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
