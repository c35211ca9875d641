from django.urls import path

from careledger.accounts import views
from careledger.accounts.cas import CASLoginView

app_name = "accounts"

urlpatterns = [
    path("users/", views.user_list, name="user-list"),
    path("users/new/", views.user_create, name="user-create"),
    path("users/<int:pk>/", views.user_edit, name="user-edit"),
    path("users/<int:pk>/active/", views.user_active, name="user-active"),
    path("users/<int:pk>/grants/new/", views.grant_add, name="grant-add"),
    path("grants/<int:pk>/delete/", views.grant_delete, name="grant-delete"),
    path("staff-import/", views.staff_import_page, name="staff-import"),
    # Login security
    path("users/<int:pk>/unlock/", views.user_unlock, name="user-unlock"),
    path("users/<int:pk>/otp-reset/", views.user_otp_reset, name="user-otp-reset"),
    path("2fa/", views.otp_verify, name="otp-verify"),
    path("2fa/setup/", views.otp_setup, name="otp-setup"),
    path("cas/login/", CASLoginView.as_view(), name="cas-login"),
]
