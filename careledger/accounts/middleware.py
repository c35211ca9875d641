from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from rest_framework.views import APIView

from careledger.accounts import policy

_ALLOWED_BEFORE_PASSWORD_CHANGE = frozenset({"password_change", "logout"})


class PolicyMiddleware:
    """Applies the access policy to every non-API page before its view runs; deny by default.

    API views (DRF) are decided by ``policy.PolicyPermission`` after token authentication, from the
    same rule table.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
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
        if request.user.must_change_password and url_name not in _ALLOWED_BEFORE_PASSWORD_CHANGE:
            # A password someone else set must be changed before anything else (MLPS 8.1.4.1a).
            return redirect("password_change")
        if policy.allows_endpoint(request.user, url_name, request.method):
            return None
        policy.audit_denied(request.user, object_type="endpoint", object_id=url_name or request.path, why="role")
        raise PermissionDenied
