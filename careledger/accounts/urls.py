from django.urls import path

from careledger.accounts import views

app_name = "accounts"

urlpatterns = [
    path("users/", views.user_list, name="user-list"),
    path("users/new/", views.user_create, name="user-create"),
    path("users/<int:pk>/", views.user_edit, name="user-edit"),
    path("users/<int:pk>/active/", views.user_active, name="user-active"),
    path("users/<int:pk>/grants/new/", views.grant_add, name="grant-add"),
    path("grants/<int:pk>/delete/", views.grant_delete, name="grant-delete"),
    path("staff-import/", views.staff_import_page, name="staff-import"),
]
