from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse
from rest_framework.views import APIView

from careledger.accounts import login_security, policy
from careledger.accounts.login_security import Step


class PolicyMiddleware:
    """Applies the access policy to every non-API page before its view runs; deny by default.

    For every request signed in with a session (pages and API alike) it first ends a session past its
    absolute lifetime (SEC-5). API views (DRF) are then decided by ``api.permissions.PolicyPermission`` after
    token authentication, from the same rule table and the same pending-step gate
    (``login_security.blocking_step``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.user.is_authenticated and login_security.session_too_old(request.session):
            login_security.end_session(request, reason="session_lifetime")
        view_class = getattr(view_func, "cls", None)
        if view_class is not None and issubclass(view_class, APIView):
            return None
        url_name = request.resolver_match.view_name if request.resolver_match else None
        if url_name in policy.PUBLIC:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        rule = policy.RULES.get(url_name or "")
        if (
            rule is not None
            and not rule.authenticated
            and not (rule.read if request.method in policy.SAFE_METHODS else rule.write)
        ):
            # Nobody may use this method here: a wrong method, not a missing right.
            allowed = (["GET", "HEAD"] if rule.read else []) + (["POST"] if rule.write else [])
            return HttpResponseNotAllowed(allowed)
        step = login_security.blocking_step(request.user, url_name, session=request.session)
        if step is not None:
            # A code, a password someone else set (MLPS 8.1.4.1a) or enrolment comes before anything else.
            return self._to_step(request, step)
        if policy.allows_endpoint(request.user, url_name, request.method):
            return None
        policy.audit_denied(request.user, object_type="endpoint", object_id=url_name or request.path, why="role")
        raise PermissionDenied

    @staticmethod
    def _to_step(request, step: Step):
        if step == Step.PASSWORD_CHANGE or request.method not in policy.SAFE_METHODS:
            return redirect(login_security.PAGES[step])
        return redirect(f"{reverse(login_security.PAGES[step])}?{urlencode({'next': request.get_full_path()})}")
