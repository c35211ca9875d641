from django.urls import path

from careledger.roster import views

app_name = "students"

urlpatterns = [
    path("", views.student_list, name="list"),
    path("<str:student_no>/", views.student_detail, name="detail"),
    path("<str:student_no>/status/", views.student_status, name="status"),
]
