"""The client's address and the request-size cap, decided before anything else runs (SEC-55).

Behind a reverse proxy (``CARELEDGER_TRUSTED_PROXIES`` names its addresses or networks; with
``CARELEDGER_BEHIND_PROXY`` alone the loopback is trusted) the client is the right-most address of
X-Forwarded-For that is not a trusted proxy — for lockout, rate limits and the audit trail alike. A request
that does not come from a trusted proxy is taken at its socket address: the header is never believed then.

Bodies larger than the upload cap are refused with 413 from their declared length, before the session,
CSRF or authentication middleware read (and spool to disk) any of it; bodies of unknown length are 411.

Outbound: ``TimeoutSession``, the HTTP session django-cas-ng validates tickets with (settings
``CAS_SESSION_FACTORY``).
"""

import ipaddress

import requests
from django.conf import settings
from django.http import HttpResponse, JsonResponse


def _networks() -> list:
    out = []
    for item in settings.TRUSTED_PROXIES:
        try:
            out.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            continue
    return out


def _ip(text: str):
    try:
        return ipaddress.ip_address(text.strip().strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def _trusted(ip, networks) -> bool:
    return ip is not None and any(ip in net for net in networks)


def client_address(meta) -> str:
    """The client's address for this request (pure: reads only ``meta`` and the settings)."""
    remote = str(meta.get("REMOTE_ADDR") or "")
    networks = _networks()
    if not networks or not _trusted(_ip(remote), networks):
        return remote
    hops = [h for h in str(meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if h.strip()]
    for hop in reversed(hops):
        ip = _ip(hop)
        if ip is None:
            return remote  # a forged or broken header: believe only the socket
        if not _trusted(ip, networks):
            return str(ip)
    return remote


def body_cap() -> int:
    return settings.UPLOAD_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def too_large(request) -> HttpResponse:
    """413 in the shape the upload endpoints use (api.md: ``errors`` with a message), in both languages."""
    mb = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
    message = f"文件超过大小上限 {mb} MB。 / The file is larger than the {mb} MB limit."
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": message, "errors": [{"row": 0, "column": "", "message": message}]}, status=413
        )
    else:
        response = HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
    response["Connection"] = "close"
    return response


class ClientMiddleware:
    """First in MIDDLEWARE: fixes REMOTE_ADDR to the client's address and refuses oversized bodies."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        meta["REMOTE_ADDR"] = client_address(meta)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            if "chunked" in str(meta.get("HTTP_TRANSFER_ENCODING", "")).lower():
                return HttpResponse("Length Required", status=411, content_type="text/plain")
            try:
                length = int(meta.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return HttpResponse("Bad Request", status=400, content_type="text/plain")
            if length > body_cap():
                return too_large(request)
        return self.get_response(request)


class TimeoutSession(requests.Session):
    """python-cas validates tickets with no timeout; a hung CAS server must not hang our workers."""

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", settings.CAS_TIMEOUT_SECONDS)
        return super().request(*args, **kwargs)
