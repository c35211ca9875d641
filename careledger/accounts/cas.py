"""Single sign-on through the university's CAS (统一身份认证), with django-cas-ng (domain-facts §4.5).

Off unless ``CAS_SERVER_URL`` is set. The CAS ``user`` (工号) must be the username of an existing
account: accounts are never created here (``CAS_CREATE_USER = False``), so an unknown CAS user gets the
same "no access" as an account without a grant. Roles come only from grants made in CareLedger.
Two-factor, where it applies, is still asked after a CAS sign-in; a password change is not (the
password was not used).
"""

import logging

import requests
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django_cas_ng import views as cas_views
from django_cas_ng.backends import CASBackend as _CASBackend
from django_cas_ng.utils import RedirectException

from careledger.audit.services import Action, Outcome, record

logger = logging.getLogger(__name__)


def enabled() -> bool:
    return bool(getattr(settings, "CAS_SERVER_URL", None))


class CASBackend(_CASBackend):
    """django-cas-ng's backend, mapping the CAS user to an existing account only; failures audited."""

    _cas_username = ""

    def authenticate(self, request, ticket, service):
        if not enabled():
            return None
        try:
            user = super().authenticate(request, ticket=ticket, service=service)
        except (requests.RequestException, ValueError, SyntaxError) as exc:  # unreachable server, bad XML
            logger.warning("CAS ticket validation failed: %s", type(exc).__name__)
            user = None
            reason = "cas_unavailable"
        else:
            reason = "unknown_or_inactive" if self._cas_username else "invalid_ticket"
        if user is None:
            record(
                actor=self._cas_username,
                action=Action.LOGIN_FAILED,
                object_type="user",
                outcome=Outcome.DENIED,
                detail={"method": "cas", "reason": reason},
            )
        return user

    def clean_username(self, username: str) -> str:
        self._cas_username = str(super().clean_username(username))[:150]
        return self._cas_username


def _local(request, url: str) -> bool:
    return url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())


class CASLoginView(cas_views.LoginView):
    """``/accounts/cas/login/``: to the CAS server, and back with a ticket. 404 while CAS is off."""

    def dispatch(self, request, *args, **kwargs):
        if not enabled():
            raise Http404("CAS is not configured")
        wanted = request.GET.get("next") or request.POST.get("next")
        if wanted and not _local(request, wanted):
            # django-cas-ng's own check misses ?next= (CAS_LOGIN_NEXT_PAGE is None): no open redirect.
            return HttpResponseBadRequest("next")
        return super().dispatch(request, *args, **kwargs)

    def successful_login(self, request, next_page):
        return super().successful_login(request, next_page if _local(request, next_page) else "/")

    def get(self, request):
        try:
            return super().get(request)
        except RedirectException:  # ?next= pointing off-site
            return HttpResponseBadRequest("next")
        except PermissionDenied:
            raise PermissionDenied("统一身份认证登录失败，或该账号未在本系统开通。") from None
