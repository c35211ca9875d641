"""API views for the survey's evidence (api.md, "Evidence for the survey"): screenings, office lists,
suggestions. Validate, call the importers and services, render."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from careledger.accounts import policy
from careledger.api.serializers import StrictSerializer
from careledger.core.models import Semester
from careledger.core.tabular import TableError, check_size
from careledger.evidence import importers, selectors, services
from careledger.evidence.models import SuggestionStatus

TRUE = {"1", "true", "yes", "on"}


def _semester(value, *, required: bool) -> Semester | None:
    if value in (None, ""):
        if required:
            raise ValidationError({"semester": ["请选择学期。 / Choose a semester."]})
        return None
    semester = Semester.objects.filter(pk=value).first() if str(value).isdigit() else None
    if semester is None:
        raise ValidationError({"semester": ["学期不存在。 / Unknown semester."]})
    return semester


def _upload(request):
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationError({"file": ["请上传文件。 / Please upload a file."]})
    return upload


def _too_big(upload) -> Response | None:
    try:
        check_size(upload.size)
    except TableError as exc:
        return Response({"errors": [{"row": 0, "column": "", "message": str(exc)}]}, status=413)
    return None


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(required=False)


class ScreeningUploadSerializer(UploadSerializer):
    scale = serializers.ChoiceField(choices=["upi", "scl90", "phq9", "gad7"])
    semester = serializers.IntegerField()


class SignalUploadSerializer(UploadSerializer):
    kind = serializers.ChoiceField(choices=["aid", "academic", "discipline", "health", "card", "dorm"])


class ReportSerializer(serializers.Serializer):
    scored = serializers.IntegerField()
    flagged = serializers.IntegerField()
    urgent = serializers.IntegerField()
    dry_run = serializers.BooleanField()
    errors = serializers.ListField(child=serializers.DictField())


class ScreeningView(generics.GenericAPIView):
    """GET: results in full, for the school office and the psych centre; POST: import a screening."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(parameters=[OpenApiParameter("semester", int), OpenApiParameter("scale", str)])
    def get(self, request):
        if not policy.reads_item_answers(request.user):
            policy.audit_denied(request.user, object_type="screeningresult", why="answers")
            return Response({"detail": "无权查看心理普查结果。 / You may not read screening results."}, status=403)
        p = request.query_params
        qs = selectors.screening_results(
            request.user, semester=_semester(p.get("semester"), required=False), scale=p.get("scale", "")
        )
        page = self.paginate_queryset(qs)
        from careledger.audit.services import Action, record

        record(actor=request.user, action=Action.READ, object_type="screeningresult", detail={"rows": len(page)})
        return self.get_paginated_response(
            [
                {
                    "student": r.student.student_no,
                    "scale": r.scale,
                    "total": r.total,
                    "level": r.level,
                    "reason": r.reason,
                    "urgent": r.urgent,
                    "flags": r.detail.get("flags", []),
                    "factors": r.detail.get("factors", {}),
                    "answers": r.detail.get("answers", {}),
                }
                for r in page
            ]
        )

    @extend_schema(request=ScreeningUploadSerializer, responses={200: ReportSerializer, 400: ReportSerializer})
    def post(self, request):
        upload = _upload(request)
        if response := _too_big(upload):
            return response
        scale = request.data.get("scale", "")
        if scale not in ("upi", "scl90", "phq9", "gad7"):
            raise ValidationError({"scale": ["量表应为 upi、scl90、phq9 或 gad7。 / Unknown scale."]})
        semester = _semester(request.data.get("semester"), required=True)
        report = importers.screening_import(
            actor=request.user,
            data=upload.read(),
            filename=upload.name,
            scale=scale,
            semester=semester,
            dry_run=str(request.data.get("dry_run", "")).lower() in TRUE,
        )
        return Response(report.as_dict(), status=200 if report.ok else 400)


class SignalView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=SignalUploadSerializer, responses={200: ReportSerializer, 400: ReportSerializer})
    def post(self, request):
        upload = _upload(request)
        if response := _too_big(upload):
            return response
        kind = request.data.get("kind", "")
        if kind not in ("aid", "academic", "discipline", "health", "card", "dorm"):
            raise ValidationError({"kind": ["名单类型应为 aid、academic、discipline、health、card 或 dorm。"]})
        report = importers.signal_import(
            actor=request.user,
            data=upload.read(),
            filename=upload.name,
            kind=kind,
            dry_run=str(request.data.get("dry_run", "")).lower() in TRUE,
        )
        return Response(report.as_dict(), status=200 if report.ok else 400)


def suggestion_body(s) -> dict:
    return {
        "id": s.pk,
        "student": s.student.student_no,
        "name": s.student.name,
        "category": s.category,
        "source": s.source,
        "source_label": s.source_label,
        "reason": s.reason,
        "status": s.status,
        "evidence_at": s.evidence_at.isoformat(),
    }


class SuggestionListView(generics.GenericAPIView):
    @extend_schema(parameters=[OpenApiParameter("semester", int), OpenApiParameter("status", str)])
    def get(self, request):
        p = request.query_params
        status = p.get("status", "")
        if status and status not in SuggestionStatus.values:
            raise ValidationError({"status": ["状态应为 pending、confirmed、declined 或 covered。"]})
        qs = selectors.suggestion_list(
            request.user, semester=_semester(p.get("semester"), required=False), status=status
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response([suggestion_body(s) for s in page])


class DeclineSerializer(StrictSerializer):
    reason = serializers.CharField()


class SuggestionConfirmView(APIView):
    @extend_schema(request=None)
    def post(self, request, pk: int):
        suggestion = policy.get_suggestion_for(request.user, pk)
        case = services.suggestion_confirm(actor=request.user, suggestion=suggestion)
        return Response({"case": case.pk})


class SuggestionDeclineView(APIView):
    @extend_schema(request=DeclineSerializer)
    def post(self, request, pk: int):
        suggestion = policy.get_suggestion_for(request.user, pk)
        data = DeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        suggestion = services.suggestion_decline(
            actor=request.user, suggestion=suggestion, reason=data.validated_data["reason"]
        )
        return Response(suggestion_body(suggestion))
