import uuid

from careledger.audit import context


class RequestContextMiddleware:
    """Makes the remote address and a request id available to audit.record()."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex
        token = context.set_current(
            context.RequestContext(remote_addr=request.META.get("REMOTE_ADDR"), request_id=request.request_id, cache={})
        )
        try:
            return self.get_response(request)
        finally:
            context.reset(token)
