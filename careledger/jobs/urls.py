from django.urls import path

from careledger.jobs import views

app_name = "jobs"

urlpatterns = [
    path("<str:pk>/", views.detail, name="detail"),
    path("<str:pk>/download/", views.download, name="download"),
]
