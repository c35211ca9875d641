"""Every sign-in into a session stamps it (absolute lifetime, SEC-5) and forgets an earlier code (SEC-3)."""

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from careledger.accounts import login_security


@receiver(user_logged_in)
def _session_login(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    # The token endpoint sends user_logged_in too, with no session login: leave its session alone.
    if session is not None and session.get(SESSION_KEY) == str(user.pk):
        login_security.session_started(request)
