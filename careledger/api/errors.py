"""One place that turns service errors into API answers: 400 bad input, 403, 404 (no hint), 409 stale."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from careledger.cases.services import StaleVersion
from careledger.core.errors import RateLimited, RevealRequired


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        body = exc.message_dict if hasattr(exc, "message_dict") else {"errors": exc.messages}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, StaleVersion):
        return Response(
            {
                "detail": _("档案已被他人修改，请刷新后重试。"),
                "version": exc.current,
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, RevealRequired):
        return Response(
            {"detail": _("须先说明查看原因。"), "reveal_required": True},
            status=status.HTTP_403_FORBIDDEN,
        )
    if isinstance(exc, RateLimited):
        return Response({"detail": str(exc)}, status=status.HTTP_429_TOO_MANY_REQUESTS)
    response = drf_exception_handler(exc, context)
    if response is not None and response.status_code == 404:
        response.data = {"detail": NotFound.default_detail}
    return response
