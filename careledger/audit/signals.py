"""Logins, failed logins and logouts go to the audit trail (the username tried, never the password)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from careledger.audit.services import Action, Outcome, record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record(actor=user, action=Action.LOGIN, object_type="user", object_id=user.pk)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(actor=user, action=Action.LOGOUT, object_type="user", object_id=user.pk)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    record(actor=username, action=Action.LOGIN_FAILED, object_type="user", outcome=Outcome.DENIED)
