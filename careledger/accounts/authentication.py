"""API tokens (SEC-5, SEC-50, SEC-54): kept as their SHA-256 only, expiring API_TOKEN_MAX_AGE_SECONDS after
issue, and ended — with every other session of the account — when its password is set, a grant is
removed or the account is disabled (``end_credentials``)."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from careledger.accounts.models import ApiToken, User


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def token_expired(token) -> bool:
    max_age = settings.API_TOKEN_MAX_AGE_SECONDS
    return bool(max_age) and token.created <= timezone.now() - timedelta(seconds=max_age)


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``: the key's SHA-256 is looked up; the key itself is never stored."""

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(digest=digest(key)).first()
        if token is None:
            raise AuthenticationFailed(_("令牌无效。"))
        if token_expired(token):
            token.delete()
            raise AuthenticationFailed(_("令牌已过期，请重新登录。"))
        if not token.user.is_active:
            raise AuthenticationFailed(_("账号已停用。"))
        return token.user, token


class IssuedToken:
    """A freshly issued token: ``key`` is the secret handed to the client, once."""

    def __init__(self, key: str, token: ApiToken):
        self.key = key
        self.token = token


def issue_token(user) -> IssuedToken:
    """A new token for ``user`` (each sign-in its own); expired ones of the user are removed."""
    max_age = settings.API_TOKEN_MAX_AGE_SECONDS
    if max_age:
        ApiToken.objects.filter(user=user, created__lte=timezone.now() - timedelta(seconds=max_age)).delete()
    key = secrets.token_hex(20)
    return IssuedToken(key, ApiToken.objects.create(user=user, digest=digest(key)))


def end_credentials(user, *, keep_token: ApiToken | None = None) -> None:
    """End every API token (but ``keep_token``, the one making the change) and every session of ``user``
    (SEC-50). A caller that keeps its own session re-signs it afterwards with ``update_session_auth_hash``."""
    tokens = ApiToken.objects.filter(user=user)
    if keep_token is not None:
        tokens = tokens.exclude(pk=keep_token.pk)
    tokens.delete()
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
