from django.urls import path

from careledger.assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("ranking/", views.ranking, name="ranking"),
    path("cadres/", views.cadres, name="cadres"),
    path("cadres/export/", views.cadres_export, name="cadres-export"),
    path("export/", views.export, name="export"),
]
