"""API views for escalations (api.md: Escalations). Department users get only the fields they need to act."""

from dataclasses import asdict

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from careledger.accounts import policy
from careledger.api.serializers import StrictSerializer
from careledger.core import http
from careledger.escalations import selectors, services
from careledger.escalations.models import Department, Severity
from careledger.notify import selectors as notify_selectors


class EscalationInputSerializer(StrictSerializer):
    case = serializers.IntegerField()
    severity = serializers.ChoiceField(choices=Severity.choices)
    description = serializers.CharField()
    departments = serializers.ListField(child=serializers.CharField(), required=False, default=list)


class ResolveSerializer(StrictSerializer):
    resolution = serializers.CharField()


class NoteSerializer(StrictSerializer):
    text = serializers.CharField()


def _full_ids(user, escalations) -> set[int]:
    """Escalations the user sees through the case (one query for the whole page)."""
    return policy.escalation_case_ids_seen(user, escalations)


class EscalationListView(generics.ListAPIView):
    @extend_schema(parameters=[OpenApiParameter("status", str)])
    def get(self, request):
        page = self.paginate_queryset(
            selectors.escalation_list(request.user, status=request.query_params.get("status", ""))
        )
        full = _full_ids(request.user, page)
        return self.get_paginated_response([policy.escalation_body(request.user, e, full=e.pk in full) for e in page])

    @extend_schema(request=EscalationInputSerializer)
    def post(self, request):
        data = EscalationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        case = policy.get_case_for(request.user, v["case"])
        departments = list(Department.objects.filter(code__in=v["departments"]))
        unknown = set(v["departments"]) - {d.code for d in departments}
        if unknown:
            raise ValidationError({"departments": [_("未知部门：%(codes)s") % {"codes": ", ".join(sorted(unknown))}]})
        escalation = services.escalation_create(
            actor=request.user, case=case, severity=v["severity"], description=v["description"], departments=departments
        )
        escalation = policy.get_escalation_for(request.user, escalation.pk)
        return Response(policy.escalation_body(request.user, escalation, full=True), status=status.HTTP_201_CREATED)


class EscalationDetailView(APIView):
    def get(self, request, pk: int):
        escalation = policy.get_escalation_for(request.user, pk)
        http.audited_read(
            request.user,
            object_type="escalation",
            object_id=escalation.pk,
            student_no=escalation.student.student_no,
        )
        full = policy.sees_case_of(request.user, escalation)
        told = notify_selectors.escalation_told(escalation)
        return Response(policy.escalation_body(request.user, escalation, full=full, told=told))


class _EscalationAction(APIView):
    def respond(self, request, pk: int) -> Response:
        escalation = policy.get_escalation_for(request.user, pk)
        return Response(
            policy.escalation_body(request.user, escalation, full=policy.sees_case_of(request.user, escalation))
        )


class AcknowledgeView(_EscalationAction):
    @extend_schema(request=None)
    def post(self, request, pk: int):
        services.escalation_acknowledge(actor=request.user, escalation=policy.get_escalation_for(request.user, pk))
        return self.respond(request, pk)


class ResolveView(_EscalationAction):
    @extend_schema(request=ResolveSerializer)
    def post(self, request, pk: int):
        escalation = policy.get_escalation_for(request.user, pk)
        full = policy.sees_case_of(request.user, escalation)
        data = ResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        resolution = data.validated_data["resolution"]
        escalation = services.escalation_resolve(actor=request.user, escalation=escalation, resolution=resolution)
        # A department loses sight of it once resolved (SEC-13): this answer is the last it gets.
        return Response(policy.escalation_body(request.user, escalation, full=full))


class NotesView(_EscalationAction):
    @extend_schema(request=NoteSerializer)
    def post(self, request, pk: int):
        escalation = policy.get_escalation_for(request.user, pk)
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.escalation_note(actor=request.user, escalation=escalation, text=data.validated_data["text"])
        return self.respond(request, pk)


class FiguresView(APIView):
    def get(self, request):
        figures = selectors.response_figures(request.user)
        return Response({key: [asdict(f) for f in rows] for key, rows in figures.items()})
