"""Web hardening that applies to every response (SEC-22, SEC-29, SEC-40).

- ``Permissions-Policy`` on every response; ``Cache-Control: no-store`` on every authenticated response
  and every /api/ route (nothing personal stays in a browser or proxy cache);
- the Swagger UI page (/api/docs/) gets the one CSP relaxation it needs (inline styles);
- rate limits on case-file reads and exports, per user — the one limiter, used by pages (here, in
  ``process_view``, after the access policy let the request in) and by the API (``RateLimitThrottle``, a
  DRF throttle, after authentication and the policy); the counters live in the Django cache (Redis in
  production, so that all worker processes count together);
- audit fails closed: an ``AuditWriteError`` becomes a clean 503 without any of the data asked for.
"""

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework.throttling import BaseThrottle

from careledger.audit.services import Action, AuditWriteError, Outcome, record

logger = logging.getLogger("careledger.security")

SAFE_METHODS = frozenset({"GET", "HEAD"})

# CSP for the Swagger UI only: swagger-ui sets inline styles (its own <style> block and React style
# attributes). Its script is served as a file (SpectacularSwaggerSplitView), so script-src stays 'self'.
SWAGGER_CSP = {"style-src": ["'self'", "'unsafe-inline'"]}
SWAGGER_VIEWS = frozenset({"api:docs"})


@dataclass(frozen=True)
class Bucket:
    setting: str  # the settings name holding the limit
    window: int  # seconds


BUCKETS = {
    "case_read": Bucket("CARELEDGER_RATE_CASE_READS_PER_HOUR", 3600),
    "export": Bucket("CARELEDGER_RATE_EXPORTS_PER_DAY", 86400),
    "read": Bucket("CARELEDGER_RATE_SENSITIVE_READS_PER_HOUR", 3600),
}
# URL name → the buckets a GET of it counts against. A case file (附件2) export is both a read of the
# case and an export.
RATE_LIMITED: dict[str, tuple[str, ...]] = {
    "cases:detail": ("case_read",),
    "api:case-detail": ("case_read",),
    "ledgers:case-file": ("case_read", "export"),
    "api:case-export": ("case_read", "export"),
    "ledgers:export": ("export",),
    "ledgers:school-export": ("export",),
    "ledgers:case-files": ("export",),
    "api:ledger-export": ("export",),
    "api:ledger-school-export": ("export",),
    "api:ledger-case-files": ("export",),
    "audit:export": ("export",),
    "assessment:export": ("export",),
    "assessment:cadres-export": ("export",),
}

# SEC-52: sensitive reads whose views write no audit row themselves — audited here, once the answer is a
# 200 (before it is sent; if the row cannot be written nothing is sent), and rate-limited. URL name → the
# object type of the row.
AUDITED_READS: dict[str, str] = {
    "ledgers:index": "ledger",
    "ledgers:detail": "ledger",
    "ledgers:school": "ledger",
    "ledgers:survey": "survey",
    "ledgers:compare": "ledger",
    "api:ledger-list": "ledger",
    "api:ledger-detail": "ledger",
    "api:ledger-overview": "ledger",
    "api:ledger-compare": "ledger",
    "api:addenda": "ledger",
    "api:survey": "survey",
    "escalations:list": "escalation",
    "api:escalation-list": "escalation",
    "api:case-timeline": "case",
    "api:case-attachments": "case",
    "api:case-contacts": "case",
    "api:case-helpers": "case",
    "api:case-compliance": "case",
    "api:compliance-overdue": "case",
    "students:list": "student",
    "api:student-list": "student",
    "cases:list": "case",
    "cases:work": "case",
    "api:case-list": "case",
}
for _name in AUDITED_READS:
    RATE_LIMITED.setdefault(_name, ("read",))


def audit_read(request, url_name: str, kwargs: dict) -> None:
    """One READ row for a sensitive page or API answer (ids and 学号 only, SEC-53)."""
    key = kwargs.get("pk") or kwargs.get("case_pk") or ""
    detail = {"view": url_name}
    if request.GET.get("page"):
        detail["page"] = str(request.GET.get("page"))[:10]
    record(
        actor=request.user,
        action=Action.READ,
        object_type=AUDITED_READS[url_name],
        object_id=key,
        student_no=str(kwargs.get("student_no", ""))[:20],
        detail=detail,
    )


def over_limit(user, url_name: str | None, method: str) -> str | None:
    """Count this request against its buckets; return the first bucket whose limit it exceeds, if any."""
    buckets = RATE_LIMITED.get(url_name or "")
    if not buckets or method not in SAFE_METHODS or not getattr(user, "is_authenticated", False):
        return None
    now = time.time()
    exceeded = None
    for name in buckets:
        bucket = BUCKETS[name]
        limit = getattr(settings, bucket.setting)
        key = f"careledger:rl:{name}:{user.pk}:{int(now // bucket.window)}"
        # One write per counted request (perf, issue 13): the first of the window creates the counter at 1,
        # the others increment it. On the database cache each call is a write transaction, and on SQLite
        # every write waits for the one writer.
        if cache.add(key, 1, bucket.window + 60):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.add(key, 1, bucket.window + 60)
                count = 1
        if count > limit and exceeded is None:
            exceeded = name
    if exceeded:
        record(
            actor=user,
            action=Action.DENIED,
            object_type="endpoint",
            object_id=url_name,
            outcome=Outcome.DENIED,
            detail={"reason": "rate_limit", "bucket": exceeded, "limit": getattr(settings, BUCKETS[exceeded].setting)},
        )
        logger.warning("rate limit: user %s exceeded %s on %s", user.pk, exceeded, url_name)
    return exceeded


def retry_after(bucket: str) -> int:
    window = BUCKETS[bucket].window
    return int(window - time.time() % window) + 1


class RateLimitThrottle(BaseThrottle):
    """The API side of the same limiter (REST_FRAMEWORK's DEFAULT_THROTTLE_CLASSES)."""

    def allow_request(self, request, view) -> bool:
        match = request.resolver_match
        self.bucket = over_limit(request.user, match.view_name if match else None, request.method)
        return self.bucket is None

    def wait(self) -> float | None:
        return retry_after(self.bucket) if getattr(self, "bucket", None) else None


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def audit_unavailable(request) -> HttpResponse:
    """503 when an audit row could not be written: nothing of what was asked for is sent."""
    message = _("审计记录暂时无法写入，为保护数据，本次操作未执行。请稍后再试。")
    if _is_api(request):
        response = JsonResponse({"detail": message}, status=503)
    else:
        # No request: the context processors would query the database, which may be what failed.
        body = render_to_string("audit/unavailable.html", {"message": message})
        response = HttpResponse(body, status=503)
    response["Retry-After"] = "60"
    patch_cache_control(response, no_store=True)
    return response


def server_error(request, *args, **kwargs):
    """handler500: an AuditWriteError raised outside a view (e.g. while auditing a denial) is a 503 too."""
    import sys

    if isinstance(sys.exc_info()[1], AuditWriteError):
        return audit_unavailable(request)
    return defaults.server_error(request, *args, **kwargs)


class HardeningMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if (
            match is not None
            and match.view_name in AUDITED_READS
            and request.method in SAFE_METHODS
            and response.status_code == 200
            and getattr(getattr(request, "user", None), "is_authenticated", False)
        ):
            try:
                audit_read(request, match.view_name, match.kwargs)
            except AuditWriteError:
                logger.error("audit write failed on %s; answered 503", request.path)
                response = audit_unavailable(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if _is_api(request) or getattr(user, "is_authenticated", False):
            patch_cache_control(response, no_store=True)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in SWAGGER_VIEWS:
            response._csp_update = SWAGGER_CSP
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        view_class = getattr(view_func, "cls", None)
        if view_class is not None and hasattr(view_class, "throttle_classes"):
            return None  # DRF views: RateLimitThrottle, after token authentication
        match = request.resolver_match
        bucket = over_limit(request.user, match.view_name if match else None, request.method)
        if bucket is None:
            return None
        body = render_to_string(
            "audit/rate_limited.html",
            {"message": _("操作过于频繁，请稍后再试。")},
        )
        response = HttpResponse(body, status=429)
        response["Retry-After"] = str(retry_after(bucket))
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, AuditWriteError):
            logger.error("audit write failed on %s; answered 503", request.path)
            return audit_unavailable(request)
        return None


# --- perf (issue 13): no session write on a request that changed nothing ---

SESSION_SEEN_KEY = "_seen"
SESSION_REFRESH_SECONDS = 60


class SessionActivityMiddleware:
    """Keeps the idle timeout (SEC-5, ``SESSION_COOKIE_AGE``) without a write on every request.

    Django saves the session only when it changed. A signed-in request marks it changed (and so pushes the
    expiry back) at most once a minute: the idle timeout stays 30 minutes to within a minute, and a page
    that changed nothing costs no write — on SQLite a write waits for the one writer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is None or not getattr(user, "is_authenticated", False) or session.session_key is None:
            return response
        now = int(time.time())
        seen = session.get(SESSION_SEEN_KEY)
        if not isinstance(seen, int) or now - seen >= SESSION_REFRESH_SECONDS:
            session[SESSION_SEEN_KEY] = now
        return response
