"""API endpoints of the caller's own sign-in (api.md "Conventions"): logout, password change, two-factor
enrolment; and an admin's unlock of a locked account. The token endpoint is api/views.py TokenView."""

from django.contrib.auth import logout, update_session_auth_hash
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from careledger.accounts import login_security, policy, services, totp
from careledger.accounts.models import ApiToken
from careledger.audit.services import Action, record

_STEP_FLAGS = {
    "password_change_required": serializers.BooleanField(required=False),
    "otp_enrollment_required": serializers.BooleanField(required=False),
}


def _is_token(request) -> bool:
    return isinstance(request.auth, ApiToken)


class AuthLogoutView(APIView):
    """``POST /api/v1/auth/logout/``: deletes the caller's token (or ends the session). 204."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        user = request.user
        if _is_token(request):
            request.auth.delete()
            record(actor=user, action=Action.LOGOUT, object_type="user", object_id=user.pk, detail={"method": "token"})
        else:
            logout(request._request)  # deletes the server-side session; audited by the logout signal
        return Response(status=204)


class MePasswordView(APIView):
    """``POST /api/v1/me/password/`` ``{"old_password","new_password"}``: change one's own password."""

    @extend_schema(
        request=inline_serializer(
            "PasswordChange", {"old_password": serializers.CharField(), "new_password": serializers.CharField()}
        ),
        responses=inline_serializer("PasswordChanged", {"password_changed": serializers.BooleanField(), **_STEP_FLAGS}),
    )
    def post(self, request):
        services.password_change(
            user=request.user,
            old_password=str(request.data.get("old_password", "")),
            new_password=str(request.data.get("new_password", "")),
            via_token=request.auth if _is_token(request) else None,
        )
        if not _is_token(request):
            update_session_auth_hash(request._request, request.user)
        session = login_security.api_session(request)
        return Response({"password_changed": True, **login_security.flags(request.user, session=session)})


class MeTotpView(APIView):
    """``POST /api/v1/me/totp/`` → ``{"secret","otpauth_uri"}`` of the authenticator to enrol."""

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "TotpSecret", {"secret": serializers.CharField(), "otpauth_uri": serializers.CharField()}
        ),
    )
    def post(self, request):
        if totp.confirmed_device(request.user) is not None:
            return Response(
                {"errors": [_("动态口令已启用；如需更换请联系管理员重置。")]},
                status=400,
            )
        device = totp.pending_device(request.user)
        return Response({"secret": device.secret, "otpauth_uri": totp.otpauth_uri(device)})


class MeTotpConfirmView(APIView):
    """``POST /api/v1/me/totp/confirm/`` ``{"otp"}``: the first code confirms the authenticator; from then
    on every token request needs ``otp``."""

    @extend_schema(
        request=inline_serializer("TotpConfirm", {"otp": serializers.CharField()}),
        responses=inline_serializer("TotpConfirmed", {"otp_enabled": serializers.BooleanField(), **_STEP_FLAGS}),
    )
    def post(self, request):
        device = services.totp_confirm(user=request.user, code=str(request.data.get("otp", "")))
        if not _is_token(request):
            login_security.mark_verified(request._request, device)
        session = login_security.api_session(request)
        return Response({"otp_enabled": True, **login_security.flags(request.user, session=session)})


class UserUnlockView(APIView):
    """``POST /api/v1/users/{id}/unlock/``: lift the sign-in locks on an account in the caller's scope."""

    @extend_schema(request=None, responses=inline_serializer("Unlocked", {"unlocked": serializers.IntegerField()}))
    def post(self, request, pk: int):
        target = policy.get_user_for(request.user, pk)
        return Response({"unlocked": services.login_unlock(actor=request.user, user=target)})
