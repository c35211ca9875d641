"""API tokens that expire (SEC-5): a token older than API_TOKEN_MAX_AGE_SECONDS is deleted and refused."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


def token_expired(token) -> bool:
    max_age = settings.API_TOKEN_MAX_AGE_SECONDS
    return bool(max_age) and token.created <= timezone.now() - timedelta(seconds=max_age)


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            token.delete()
            raise AuthenticationFailed(_("令牌已过期，请重新登录。"))
        return user, token


def issue_token(user):
    """The user's token, replaced by a new one if it has expired."""
    token, _created = Token.objects.get_or_create(user=user)
    if token_expired(token):
        token.delete()
        token = Token.objects.create(user=user)
    return token
