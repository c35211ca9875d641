from django.urls import path

from careledger.roster import views

app_name = "roster"

urlpatterns = [
    path("import/", views.roster_import_page, name="import"),
]
