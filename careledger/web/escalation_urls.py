from django.urls import path

from careledger.web import escalation_views as views

app_name = "escalations"

urlpatterns = [
    path("", views.escalation_list, name="list"),
    path("new/", views.escalation_new, name="new"),
    path("<int:pk>/", views.escalation_detail, name="detail"),
    path("<int:pk>/acknowledge/", views.escalation_act, {"action": "acknowledge"}, name="acknowledge"),
    path("<int:pk>/note/", views.escalation_act, {"action": "note"}, name="note"),
    path("<int:pk>/resolve/", views.escalation_act, {"action": "resolve"}, name="resolve"),
]
