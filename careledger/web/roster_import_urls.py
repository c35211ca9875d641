from django.urls import path

from careledger.web import roster_import_views

app_name = "roster"

urlpatterns = [
    path("import/", roster_import_views.roster_import_page, name="import"),
]
