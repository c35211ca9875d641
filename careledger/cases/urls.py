from django.urls import path

from careledger.cases.views import actions, case_page, contacts, editing, semesters, work

app_name = "cases"

urlpatterns = [
    path("work/", work.work, name="work"),
    path("cases/", work.case_list, name="list"),
    path("cases/new/", editing.case_new, name="new"),
    path("cases/<int:pk>/", case_page.case_detail, name="detail"),
    path("cases/<int:pk>/reveal/", case_page.case_reveal, name="reveal"),
    path("cases/<int:pk>/edit/", editing.case_edit, name="edit"),
    path("cases/<int:pk>/contacts/new/", contacts.contact_new, name="contact-new"),
    path("cases/<int:pk>/mentor/", actions.mentor_assign, name="mentor"),
    path("cases/<int:pk>/helpers/", actions.helper_add, name="helper-add"),
    path("cases/<int:pk>/helper-activities/", actions.helper_activity, name="helper-activity"),
    path("cases/<int:pk>/effects/", actions.effect_record, name="effect"),
    path("cases/<int:pk>/close-request/", actions.close_request, name="close-request"),
    path("cases/<int:pk>/close-approve/", actions.close_approve, name="close-approve"),
    path("cases/<int:pk>/close-reject/", actions.close_reject, name="close-reject"),
    path("cases/<int:pk>/reopen/", actions.case_reopen, name="reopen"),
    path("semesters/", semesters.semester_list, name="semesters"),
]
