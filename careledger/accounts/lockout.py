"""Failed sign-ins and lockout (SEC-2, SEC-40; api.md "Failed logins"; decision 7).

Failures (wrong password, wrong one-time code) are counted per username + address. When a pair reaches
``LOGIN_FAILURE_LIMIT`` failures within ``LOGIN_FAILURE_WINDOW_SECONDS``, that username is locked from
that address for ``LOGIN_LOCKOUT_SECONDS``: sign-in is refused even with the right password, and the
answer is the one a wrong password gets, so a lock tells nothing. Unknown usernames are counted and
locked the same way. A lock never spreads to other addresses (a stranger cannot lock an account out
everywhere), and an admin can lift it. ``LOGIN_ADDRESS_FAILURE_LIMIT`` (off by default: behind NAT or
a proxy many people share one address) also locks an address for every username.

Successful sign-ins are not throttled; one clears the pair's count.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate as django_authenticate
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from careledger.accounts.models import LoginFailure, LoginLock
from careledger.audit import context as request_context
from careledger.audit.services import Action, Outcome, record


def client_address(request) -> str | None:
    """The address the audit trail records for this request (one notion of "address" everywhere)."""
    return request_context.current().remote_addr or (request.META.get("REMOTE_ADDR") if request else None)


def _username(username: str) -> str:
    return str(username or "").replace("\x00", "\ufffd")[:150]  # PostgreSQL text refuses NUL


def _active_locks(username: str, address: str | None):
    return LoginLock.objects.filter(
        Q(username=_username(username)) | Q(username=""),
        address=address,
        until__gt=timezone.now(),
        released_at__isnull=True,
    )


def is_locked(username: str, address: str | None) -> bool:
    return _active_locks(username, address).exists()


def locks_of(username: str):
    """The locks currently holding ``username`` (one per address)."""
    return LoginLock.objects.filter(username=_username(username), until__gt=timezone.now(), released_at__isnull=True)


def refuse_locked(username: str, address: str | None) -> None:
    """Audit a sign-in refused because the pair is locked (its password was not even checked)."""
    record(
        actor=_username(username),
        action=Action.LOGIN_FAILED,
        object_type="user",
        outcome=Outcome.DENIED,
        detail={"reason": "locked"},
    )


@transaction.atomic
def register_failure(username: str, address: str | None, *, reason: str = "password", attempt=None) -> bool:
    """Count one failure (``attempt``: the claimed row becomes it); lock the pair (and audit the lockout) when
    it reaches the limit. True if now locked."""
    username = _username(username)
    now = timezone.now()
    window = now - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    LoginFailure.objects.filter(at__lt=window).delete()  # nothing older than the window is ever counted
    if attempt is None or not LoginFailure.objects.filter(pk=attempt.pk).update(reason=reason, at=now):
        LoginFailure.objects.create(username=username, address=address, at=now, reason=reason)
    until = now + timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    locked = False
    limit = settings.LOGIN_FAILURE_LIMIT
    pair = LoginFailure.objects.filter(username=username, address=address)
    if limit and pair.filter(at__gte=window).count() >= limit:
        LoginLock.objects.create(username=username, address=address, locked_at=now, until=until)
        pair.delete()  # the lock has used them up: after it, the count starts again
        _audit_lockout(username, scope="username+address", count=limit)
        locked = True
    address_limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    if (
        address_limit
        and address
        and LoginFailure.objects.filter(address=address, at__gte=window).count() >= address_limit
        and not _active_locks("", address).filter(username="").exists()
    ):
        LoginLock.objects.create(username="", address=address, locked_at=now, until=until)
        _audit_lockout(username, scope="address", count=address_limit)
        locked = True
    return locked


def _audit_lockout(username: str, *, scope: str, count: int) -> None:
    record(
        actor=username,
        action=Action.LOCKOUT,  # security.md SEC-2: AuditEvent(action="lockout")
        object_type="user",
        outcome=Outcome.DENIED,
        detail={
            "reason": "lockout",
            "scope": scope,
            "failures": count,
            "minutes": settings.LOGIN_LOCKOUT_SECONDS // 60,
        },
    )


def clear_failures(username: str, address: str | None) -> None:
    """A successful sign-in starts the pair's count again."""
    LoginFailure.objects.filter(username=_username(username), address=address).delete()


def unlock(username: str, *, by: str) -> int:
    """Lift every lock on ``username`` and forget its failures; the number of locks lifted."""
    username = _username(username)
    lifted = locks_of(username).update(released_at=timezone.now(), released_by=by[:150])
    LoginFailure.objects.filter(username=username).delete()
    return lifted


PENDING = "pending"


def _serialise(username: str, address: str | None) -> None:
    """One claimer at a time per pair: a transaction-level advisory lock on PostgreSQL (SQLite serialises
    writers already)."""
    if connection.vendor == "postgresql":
        key = int.from_bytes(hashlib.sha256(f"{username}|{address}".encode()).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


@transaction.atomic
def claim_attempt(username: str, address: str | None) -> LoginFailure | None:
    """Reserve one password check for the pair, atomically (finding 13): the attempt is written before the
    password is checked, so parallel wrong passwords get exactly LOGIN_FAILURE_LIMIT real checks. None when
    the pair is locked or its checks are used up."""
    username = _username(username)
    _serialise(username, address)
    if is_locked(username, address):
        return None
    now = timezone.now()
    window = now - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    limit = settings.LOGIN_FAILURE_LIMIT
    if limit and LoginFailure.objects.filter(username=username, address=address, at__gte=window).count() >= limit:
        return None
    return LoginFailure.objects.create(username=username, address=address, at=now, reason=PENDING)


def authenticate(request, username: str, password: str):
    """Django's authenticate() behind the lock: the user, or None for a wrong password, an unknown or
    inactive user and a locked pair alike (each failure counted and audited)."""
    if "\x00" in str(username) or "\x00" in str(password):
        return None  # no account has one; PostgreSQL would refuse the lookup (SEC-49)
    address = client_address(request)
    attempt = claim_attempt(username, address)
    if attempt is None:
        refuse_locked(username, address)
        return None
    user = django_authenticate(request, username=username, password=password)
    # The claim becomes the real outcome, in one step: a counted failure, or nothing.
    if user is None:
        # user_login_failed has written the "login_failed" row (audit/signals.py).
        register_failure(username, address, attempt=attempt)
        return None
    LoginFailure.objects.filter(pk=attempt.pk).delete()
    return user


def otp_failed(user, request) -> bool:
    """A wrong one-time code after a right password: audited, and counted like a wrong password."""
    record(
        actor=user,
        action=Action.LOGIN_FAILED,
        object_type="user",
        object_id=user.pk,
        outcome=Outcome.DENIED,
        detail={"reason": "otp"},
    )
    return register_failure(user.get_username(), client_address(request), reason="otp")
