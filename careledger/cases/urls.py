from django.urls import path

from careledger.cases import views

app_name = "cases"

urlpatterns = [
    path("work/", views.work, name="work"),
    path("cases/", views.case_list, name="list"),
    path("cases/new/", views.case_new, name="new"),
    path("cases/<int:pk>/", views.case_detail, name="detail"),
    path("cases/<int:pk>/reveal/", views.case_reveal, name="reveal"),
    path("cases/<int:pk>/edit/", views.case_edit, name="edit"),
    path("cases/<int:pk>/contacts/new/", views.contact_new, name="contact-new"),
    path("cases/<int:pk>/mentor/", views.mentor_assign, name="mentor"),
    path("cases/<int:pk>/helpers/", views.helper_add, name="helper-add"),
    path("cases/<int:pk>/helper-activities/", views.helper_activity, name="helper-activity"),
    path("cases/<int:pk>/effects/", views.effect_record, name="effect"),
    path("cases/<int:pk>/close-request/", views.close_request, name="close-request"),
    path("cases/<int:pk>/close-approve/", views.close_approve, name="close-approve"),
    path("cases/<int:pk>/close-reject/", views.close_reject, name="close-reject"),
    path("cases/<int:pk>/reopen/", views.case_reopen, name="reopen"),
    path("semesters/", views.semester_list, name="semesters"),
]
