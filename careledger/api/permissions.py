"""The API's gate onto the access policy: the same endpoint rules as the pages (accounts/policy)."""

from rest_framework.permissions import BasePermission

from careledger.accounts import login_security, policy


class PolicyPermission(BasePermission):
    """DRF's gate onto ``policy.RULES``; set as the default permission class for every API view."""

    def has_permission(self, request, view) -> bool:
        match = request.resolver_match
        url_name = match.view_name if match else None
        if request.method not in view.allowed_methods:
            return True  # the view answers 405 itself; nothing is served
        step = login_security.blocking_step(request.user, url_name, session=login_security.api_session(request))
        if step is not None:
            # A restricted login (password change, two-factor): 403 with the step's flag (api.md).
            policy.audit_denied(
                request.user, object_type="endpoint", object_id=url_name or request.path, why=step.value
            )
            raise login_security.StepRequired(step)
        if policy.allows_endpoint(request.user, url_name, request.method):
            policy.require_object_body(request)  # SEC-49: a JSON body that is not an object is a 400
            return True
        if request.user.is_authenticated:
            policy.audit_denied(request.user, object_type="endpoint", object_id=url_name or request.path, why="role")
        return False
