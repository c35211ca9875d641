from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from careledger.assessment import indicators, selectors
from careledger.core.models import Semester


def semester_param(value) -> Semester:
    semester = (
        Semester.objects.current()
        if value in (None, "")
        else Semester.objects.filter(pk=value).first()
        if str(value).isdigit()
        else None
    )
    if semester is None:
        raise ValidationError({"semester": [_("学期不存在。")]})
    return semester


class AssessmentView(APIView):
    """One row per unit in the caller's scope (api.md: Assessment)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("semester", int),
            OpenApiParameter("level", str, enum=list(indicators.LEVELS)),
        ]
    )
    def get(self, request):
        level = request.query_params.get("level", "college")
        if level not in indicators.LEVELS:
            raise ValidationError({"level": ["应为 school、college、counselor 或 mentor。"]})
        semester = semester_param(request.query_params.get("semester"))
        return Response(selectors.assessment(request.user, semester, level))
