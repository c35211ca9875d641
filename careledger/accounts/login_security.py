"""What a signed-in account must do before anything else, and how long a session lives.

The one rule for "this login may only reach X" (SEC-1, SEC-3), read from the account's state on every
request, for pages (``PolicyMiddleware``) and the API (``api.permissions.PolicyPermission``) alike:

1. ``otp``: the account has a confirmed authenticator (and two-factor applies) but this browser
   session has not yet given a code. Only web sessions: API tokens are issued after the code is checked.
2. ``password_change``: a password someone else set (``must_change_password``) or one older than
   ``PASSWORD_MAX_AGE_DAYS``. Not for a session signed in through CAS, which never used the password.
3. ``otp_enrollment``: two-factor is required for one of the account's roles (``OTP_ROLES``) and it
   has no confirmed authenticator yet. api.md: enrolment comes after the password change.

Until the first pending step is done, the login reaches only that step's page or endpoints, ``/me/``
and logout. ``OTP_REQUIRED = False`` turns two-factor off everywhere (development and most tests).

Sessions (SEC-5): the idle timeout is Django's (``SESSION_COOKIE_AGE``, pushed back at most once a minute by a
request other than the bell's poll: core.middleware.SessionActivityMiddleware); the absolute lifetime counts from the sign-in time stored in the session.
"""

from enum import StrEnum

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy
from rest_framework.exceptions import APIException

from careledger.accounts import policy, totp
from careledger.audit.services import Action, record

SESSION_LOGIN_AT = "_careledger_login_at"
SESSION_OTP_DEVICE = "_careledger_otp_device"
CAS_BACKEND = "careledger.accounts.cas.CASBackend"


class Step(StrEnum):
    OTP = "otp"
    PASSWORD_CHANGE = "password_change"  # noqa: S105 (a step name, not a password)
    OTP_ENROLLMENT = "otp_enrollment"


# URL names each step still lets the login call: its own page or endpoints, /me/ and logout.
ALLOWED: dict[Step, frozenset[str]] = {
    Step.OTP: frozenset({"accounts:otp-verify", "logout", "api:me", "api:auth-logout"}),
    Step.PASSWORD_CHANGE: frozenset({"password_change", "logout", "api:me", "api:me-password", "api:auth-logout"}),
    Step.OTP_ENROLLMENT: frozenset(
        {"accounts:otp-setup", "logout", "api:me", "api:me-totp", "api:me-totp-confirm", "api:auth-logout"}
    ),
}
PAGES: dict[Step, str] = {
    Step.OTP: "accounts:otp-verify",
    Step.PASSWORD_CHANGE: "password_change",
    Step.OTP_ENROLLMENT: "accounts:otp-setup",
}
# The flag each step sets in API answers (token response, 403 bodies, /me/).
FLAGS: dict[Step, str] = {
    Step.OTP: "otp_required",
    Step.PASSWORD_CHANGE: "password_change_required",
    Step.OTP_ENROLLMENT: "otp_enrollment_required",
}
MESSAGES: dict[Step, str] = {
    Step.OTP: _lazy("请先输入动态口令。"),
    Step.PASSWORD_CHANGE: _lazy("请先修改密码。"),
    Step.OTP_ENROLLMENT: _lazy("请先绑定动态口令。"),
}


class StepRequired(APIException):
    """403 with ``{"detail", "<flag>": true}``: this login must finish a step first."""

    status_code = 403
    default_code = "step_required"

    def __init__(self, step: Step):
        self.step = step
        # Set directly (not through APIException's text coercion) so that the flag stays a JSON boolean.
        self.detail = {"detail": MESSAGES[step], FLAGS[step]: True}


# --- two-factor ---


def otp_role_applies(user) -> bool:
    """Two-factor is required of this account by one of its roles (OTP_ROLES)."""

    return bool(settings.OTP_REQUIRED) and bool(policy.otp_roles_of(user))


def otp_applies(user) -> bool:
    """Sign-in needs a code: required by a role, or the account enrolled an authenticator itself."""
    if not settings.OTP_REQUIRED:
        return False
    return otp_role_applies(user) or totp.confirmed_device(user) is not None


def session_verified(session, device) -> bool:
    return device is not None and session is not None and session.get(SESSION_OTP_DEVICE) == device.pk


def mark_verified(request, device) -> None:
    """The session has given a good code: a new session key for the raised privilege (ASVS 3.2.1)."""
    request.session.cycle_key()
    request.session[SESSION_OTP_DEVICE] = device.pk


# --- passwords ---


def password_expired(user) -> bool:
    days = settings.PASSWORD_MAX_AGE_DAYS
    changed = getattr(user, "password_changed_at", None)
    return bool(days) and changed is not None and (timezone.now() - changed).days >= days


def signed_in_with_cas(session) -> bool:
    return session is not None and session.get(BACKEND_SESSION_KEY) == CAS_BACKEND


def password_change_due(user, session=None) -> bool:
    if signed_in_with_cas(session):
        return False
    return bool(user.must_change_password) or password_expired(user)


# --- the gate ---


def pending_steps(user, *, session=None) -> list[Step]:
    """The steps this login still owes, in order. ``session=None`` for an API token."""
    if not getattr(user, "is_authenticated", False):
        return []
    steps = []
    device = totp.confirmed_device(user) if settings.OTP_REQUIRED else None
    if session is not None and device is not None and otp_applies(user) and not session_verified(session, device):
        steps.append(Step.OTP)
    if password_change_due(user, session):
        steps.append(Step.PASSWORD_CHANGE)
    if device is None and otp_role_applies(user):
        steps.append(Step.OTP_ENROLLMENT)
    return steps


def blocking_step(user, url_name: str | None, *, session=None) -> Step | None:
    """The step that keeps this login from ``url_name``, or None if it may go on to the policy."""
    steps = pending_steps(user, session=session)
    if not steps or url_name in ALLOWED[steps[0]]:
        return None
    return steps[0]


def api_session(request):
    """The session to judge an API request by: None when it came with a token."""
    return None if request.auth is not None else getattr(request, "session", None)


def flags(user, *, session=None) -> dict[str, bool]:
    """``{"password_change_required": true, …}`` for every pending step (token response, /me/)."""
    return {FLAGS[step]: True for step in pending_steps(user, session=session)}


# --- session lifetime ---


def session_started(request) -> None:
    """At every sign-in: the absolute lifetime starts, and any earlier code no longer counts."""
    request.session[SESSION_LOGIN_AT] = int(timezone.now().timestamp())
    request.session["_seen"] = request.session[SESSION_LOGIN_AT]  # core.middleware.SessionActivityMiddleware
    request.session.pop(SESSION_OTP_DEVICE, None)


def session_too_old(session) -> bool:
    login_at = session.get(SESSION_LOGIN_AT)
    if not isinstance(login_at, int):
        return True  # a session from before this rule, or one not made by a sign-in
    return timezone.now().timestamp() - login_at > settings.SESSION_ABSOLUTE_SECONDS


def end_session(request, *, reason: str) -> None:
    """Delete the server-side session and carry on as anonymous; audited as a logout with the reason."""
    user = request.user
    request.session.flush()
    request.user = AnonymousUser()
    record(actor=user, action=Action.LOGOUT, object_type="user", object_id=user.pk, detail={"reason": reason})
