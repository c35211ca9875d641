from django.urls import path

from careledger.cases import attachment_views

app_name = "attachments"

urlpatterns = [
    path("<int:pk>/", attachment_views.download, name="download"),
    path("case/<int:case_pk>/upload/", attachment_views.upload, name="upload"),
]
