"""API views for escalations (api.md: Escalations). Department users get only the fields they need to act."""

from dataclasses import asdict

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from careledger.accounts import policy
from careledger.api.serializers import StrictSerializer
from careledger.audit.services import Action, record
from careledger.core import clock
from careledger.escalations import selectors, services
from careledger.escalations.models import Department, Escalation, Severity


class EscalationInputSerializer(StrictSerializer):
    case = serializers.IntegerField()
    severity = serializers.ChoiceField(choices=Severity.choices)
    description = serializers.CharField()
    departments = serializers.ListField(child=serializers.CharField(), required=False, default=list)


class ResolveSerializer(StrictSerializer):
    resolution = serializers.CharField()


class NoteSerializer(StrictSerializer):
    text = serializers.CharField()


def _student_fields(escalation: Escalation) -> dict:
    """What a department needs to act: who, where, how to reach them and their parents."""
    s = escalation.student
    return {
        "name": s.name,
        "class": s.school_class.name,
        "dorm": s.dorm.name if s.dorm else "",
        "phone": s.phone,
        "parent_name": s.parent_name,
        "parent_phone": s.parent_phone,
    }


def _iso(moment) -> str | None:
    """ISO 8601 in the school's zone (+08:00), as api.md's conventions ask."""
    return clock.local_time(moment).isoformat() if moment else None


def escalation_body(user, escalation: Escalation, *, full: bool, told: list | None = None) -> dict:
    reporter = escalation.created_by
    body = {
        "id": escalation.pk,
        "severity": escalation.severity,
        "status": escalation.status,
        "description": escalation.description,
        "departments": [d.code for d in escalation.departments.all()],
        "created_at": _iso(escalation.created_at),
        "due_at": _iso(escalation.due_at),
        "acknowledged_at": _iso(escalation.acknowledged_at),
        "resolved_at": _iso(escalation.resolved_at),
        "resolution": escalation.resolution,
        "raised_to_school": escalation.raised_at is not None,
        "student": _student_fields(escalation),
        "notes": [
            {"author": n.author.name or n.author.username, "at": _iso(n.at), "text": n.text}
            for n in escalation.notes.all()
        ],
    }
    if full:  # those who see the case itself
        body |= {
            "case": escalation.case_id,
            "student_no": escalation.student.student_no,
            "college": escalation.student.college.name,
            "created_by": escalation.created_by.username,
            # Who reported it and how to call them back; the page shows this to departments too.
            "reporter": {"name": reporter.name or reporter.username, "phone": reporter.phone},
        }
        if told is not None:  # who was told, and when (the detail only)
            body["told"] = [{"name": t.name, "channel": t.channel, "at": _iso(t.at)} for t in told]
    return body


def _full_ids(user, escalations) -> set[int]:
    """Escalations the user sees through the case (one query for the whole page)."""
    if policy.has_role(user, "school_admin"):
        return {e.pk for e in escalations}
    case_ids = set(policy.cases_for(user).filter(pk__in=[e.case_id for e in escalations]).values_list("pk", flat=True))
    # An escalation without a case (a screening's urgent answer): seen in full through the roster scope.
    caseless = [e.student_id for e in escalations if e.case_id is None]
    student_ids = set(policy.roster_students(user).filter(pk__in=caseless).values_list("pk", flat=True))
    return {e.pk for e in escalations if e.case_id in case_ids or (e.case_id is None and e.student_id in student_ids)}


class EscalationListView(generics.ListAPIView):
    @extend_schema(parameters=[OpenApiParameter("status", str)])
    def get(self, request):
        page = self.paginate_queryset(
            selectors.escalation_list(request.user, status=request.query_params.get("status", ""))
        )
        full = _full_ids(request.user, page)
        return self.get_paginated_response([escalation_body(request.user, e, full=e.pk in full) for e in page])

    @extend_schema(request=EscalationInputSerializer)
    def post(self, request):
        data = EscalationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        case = policy.get_case_for(request.user, v["case"])
        departments = list(Department.objects.filter(code__in=v["departments"]))
        unknown = set(v["departments"]) - {d.code for d in departments}
        if unknown:
            raise ValidationError({"departments": [f"未知部门 / unknown: {', '.join(sorted(unknown))}"]})
        escalation = services.escalation_create(
            actor=request.user, case=case, severity=v["severity"], description=v["description"], departments=departments
        )
        escalation = policy.get_escalation_for(request.user, escalation.pk)
        return Response(escalation_body(request.user, escalation, full=True), status=status.HTTP_201_CREATED)


class EscalationDetailView(APIView):
    def get(self, request, pk: int):
        escalation = policy.get_escalation_for(request.user, pk)
        record(
            actor=request.user,
            action=Action.READ,
            object_type="escalation",
            object_id=escalation.pk,
            student_no=escalation.student.student_no,
        )
        full = policy.sees_case_of(request.user, escalation)
        told = selectors.escalation_told(escalation)
        return Response(escalation_body(request.user, escalation, full=full, told=told))


class _EscalationAction(APIView):
    def respond(self, request, pk: int) -> Response:
        escalation = policy.get_escalation_for(request.user, pk)
        return Response(escalation_body(request.user, escalation, full=policy.sees_case_of(request.user, escalation)))


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
        return Response(escalation_body(request.user, escalation, full=full))


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
