from django.urls import path

from careledger.notify import views

app_name = "notify"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/bell/", views.bell, name="bell"),
    path("inbox/read/", views.mark_read, name="mark-read"),
]
