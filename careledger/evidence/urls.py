from django.urls import path

from careledger.evidence import views

app_name = "evidence"

urlpatterns = [
    path("upload/", views.upload, name="upload"),
    path("pending/", views.pending, name="pending"),
    path("suggestions/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("suggestions/<int:pk>/decline/", views.decline, name="decline"),
]
