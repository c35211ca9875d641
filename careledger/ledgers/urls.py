"""The ledger app's pages. The downloads (``export``, ``school-export``, ``case-file``, ``case-files``) join
them under the same ``ledgers`` namespace in web/ledger_urls.py, which careledger/urls.py includes."""

from django.urls import path

from careledger.ledgers import survey_views, views

app_name = "ledgers"

urlpatterns = [
    path("survey/", survey_views.survey, name="survey"),
    path("survey/review/", survey_views.survey_review, name="survey-review"),
    path("survey/undo/", survey_views.survey_undo, name="survey-undo"),
    path("survey/rest/", survey_views.survey_rest, name="survey-rest"),
    path("survey/new-case/", survey_views.survey_new_case, name="survey-new-case"),
    path("ledgers/", views.ledger_index, name="index"),
    path("ledgers/open/", views.ledger_open, name="open"),
    path("ledgers/school/", views.school, name="school"),
    path("ledgers/compare/", views.compare, name="compare"),
    path("ledgers/<int:pk>/", views.ledger_detail, name="detail"),
    path("ledgers/<int:pk>/submit/", views.ledger_submit, name="submit"),
    path("ledgers/<int:pk>/accept/", views.ledger_accept, name="accept"),
    path("ledgers/<int:pk>/return/", views.ledger_return, name="return"),
]
