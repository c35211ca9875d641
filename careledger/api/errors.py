"""The API's answer to a service error: core/http.service_error (400 bad input, 409 stale, 403 reason
first, 429), else DRF's own (403, 404 with no hint)."""

from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from careledger.core import http


def exception_handler(exc, context):
    mapped = http.service_error(exc)
    if mapped is not None:
        status, body = mapped
        return Response(body, status=status)
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == 404:
        response.data = {"detail": NotFound.default_detail}
    return response
