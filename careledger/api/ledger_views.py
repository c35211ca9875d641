"""API views for the survey, ledgers, addenda, the school's overview and the official exports."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from careledger.accounts import policy
from careledger.api.job_views import accepted
from careledger.api.serializers import StrictSerializer
from careledger.cases.categories import Category
from careledger.core import http
from careledger.core.models import Semester
from careledger.exports import services as exports
from careledger.jobs import starters
from careledger.ledgers import rows, selectors, services
from careledger.ledgers.models import Addendum, Ledger, LedgerStep, Section, SurveyOutcome
from careledger.roster.models import College


def _semester(value) -> Semester:
    if value in (None, ""):
        semester = Semester.objects.current()
    else:
        semester = Semester.objects.filter(pk=value).first() if str(value).isdigit() else None
    if semester is None:
        raise ValidationError({"semester": [_("学期不存在。")]})
    return semester


download = http.download


class LedgerStepSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username")

    class Meta:
        model = LedgerStep
        fields = ["action", "actor", "at", "comment"]


class LedgerSerializer(serializers.ModelSerializer):
    college = serializers.CharField(source="college.name")
    semester = serializers.IntegerField(source="semester_id")
    counts = serializers.SerializerMethodField()
    steps = LedgerStepSerializer(many=True, read_only=True)
    # Filled in by a counselor (填表人), waiting for the college_admin to confirm it as 负责人.
    awaiting_confirmation = serializers.BooleanField(read_only=True)
    prepared_by = serializers.CharField(source="prepared_by.username", default=None, read_only=True)

    class Meta:
        model = Ledger
        fields = [
            "id",
            "semester",
            "college",
            "status",
            "late",
            "submitted_at",
            "filled_by",
            "responsible",
            "awaiting_confirmation",
            "prepared_by",
            "comment",
            "counts",
            "steps",
        ]

    def get_counts(self, ledger: Ledger) -> dict[str, int]:
        """Rows per sub-table the caller may see (the frozen snapshot once submitted)."""
        categories = self.context.get("categories", [])
        if not self.context.get("with_counts"):
            return {}
        return rows.ledger_counts(ledger, categories)


class LedgerCreateSerializer(StrictSerializer):
    semester = serializers.IntegerField()
    college = serializers.CharField()


class SubmitSerializer(StrictSerializer):
    # A college_admin may leave 填表人 out when a counselor has filled it in already, and 负责人 out to sign
    # with their own name; a counselor's 负责人 is not kept (the college_admin confirms as 负责人).
    filled_by = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    responsible = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    # The warnings (survey coverage, cases without a mentor, overdue cases) come back with the answer; an
    # integration that wants to see them first sends "confirm": false and gets 400 with them (a preview).
    confirm = serializers.BooleanField(required=False, default=True)


def warnings_body(exc: services.SubmitWarnings) -> dict:
    return {
        "warnings": [{"code": w.code, "count": w.count, "total": w.total, "message": w.message} for w in exc.warnings],
        "confirm": [
            '上报前请核对以上提示；确认仍要上报请发送 "confirm": true。 / Send "confirm": true to submit anyway.'
        ],
    }


class CommentSerializer(StrictSerializer):
    comment = serializers.CharField()


class ReasonSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=200)


def _ledger_body(request, ledger: Ledger) -> dict:
    context = {"categories": policy.ledger_categories_for(request.user), "with_counts": True}
    return LedgerSerializer(ledger, context=context).data


class LedgerListView(generics.ListAPIView):
    serializer_class = LedgerSerializer

    @extend_schema(parameters=[OpenApiParameter("semester", int), OpenApiParameter("college", str)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        p = self.request.query_params
        qs = (
            policy.ledgers_for(self.request.user)
            .select_related("college", "prepared_by")
            .prefetch_related("steps__actor")
        )
        if p.get("semester"):
            qs = qs.filter(semester_id=_semester(p["semester"]).pk)
        if p.get("college"):
            qs = qs.filter(college__name=p["college"])
        return qs.order_by("semester_id", "college__name")

    @extend_schema(request=LedgerCreateSerializer, responses={201: LedgerSerializer})
    def post(self, request):
        data = LedgerCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        semester = _semester(data.validated_data["semester"])
        college = College.objects.filter(name=data.validated_data["college"]).first()
        if college is None or not policy.can_keep_ledger(request.user, college):
            policy.audit_denied(
                request.user, object_type="college", object_id=data.validated_data["college"], why="scope"
            )
            raise Http404("college")
        ledger = services.ledger_open(actor=request.user, semester=semester, college=college)
        return Response(_ledger_body(request, ledger), status=status.HTTP_201_CREATED)


class LedgerDetailView(APIView):
    @extend_schema(responses=LedgerSerializer)
    def get(self, request, pk: int):
        return Response(_ledger_body(request, policy.get_ledger_for(request.user, pk)))


class LedgerSubmitView(APIView):
    @extend_schema(request=SubmitSerializer, responses=LedgerSerializer)
    def post(self, request, pk: int):
        ledger = policy.get_ledger_for(request.user, pk)
        data = SubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        warnings = selectors.submission_warnings(ledger)
        try:
            ledger = services.ledger_submit(actor=request.user, ledger=ledger, **data.validated_data)
        except services.SubmitWarnings as exc:
            return Response(warnings_body(exc), status=status.HTTP_400_BAD_REQUEST)
        body = _ledger_body(request, ledger)
        body["warnings"] = warnings_body(services.SubmitWarnings(warnings))["warnings"]
        return Response(body)


class LedgerAcceptView(APIView):
    @extend_schema(request=None, responses=LedgerSerializer)
    def post(self, request, pk: int):
        ledger = services.ledger_accept(actor=request.user, ledger=policy.get_ledger_for(request.user, pk))
        return Response(_ledger_body(request, ledger))


class LedgerReturnView(APIView):
    @extend_schema(request=CommentSerializer, responses=LedgerSerializer)
    def post(self, request, pk: int):
        ledger = policy.get_ledger_for(request.user, pk)
        data = CommentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ledger = services.ledger_return(actor=request.user, ledger=ledger, comment=data.validated_data["comment"])
        return Response(_ledger_body(request, ledger))


class LedgerExportView(APIView):
    @extend_schema(responses={(200, exports.XLSX): bytes})
    def get(self, request, pk: int):
        return download(exports.export_ledger(actor=request.user, ledger=policy.get_ledger_for(request.user, pk)))


class LedgerCaseFilesView(APIView):
    """A zip of the 附件2 case files of the ledger's cases that the caller may read. An admin not on
    the cases gets 403 with the number of files until a reason is stated: POST {"reason"} → the zip."""

    def _zip(self, request, ledger):
        try:
            if not exports.ledger_case_files(actor=request.user, ledger=ledger).need_reason:
                job = starters.case_files_job(actor=request.user, ledger=ledger)
                if job is not None:  # api.md "Long work": 202 {"job": id}
                    return accepted(job)
            return download(exports.export_ledger_case_files(actor=request.user, ledger=ledger))
        except exports.ReasonRequired as exc:
            return Response({"detail": str(exc.args[0]), "files": exc.files, "reason_required": True}, status=403)

    @extend_schema(responses={(200, "application/zip"): bytes})
    def get(self, request, pk: int):
        return self._zip(request, policy.get_ledger_for(request.user, pk))

    @extend_schema(request=ReasonSerializer, responses={(200, "application/zip"): bytes})
    def post(self, request, pk: int):
        ledger = policy.get_ledger_for(request.user, pk)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.ledger_case_files_reveal(actor=request.user, ledger=ledger, reason=data.validated_data["reason"])
        return self._zip(request, ledger)


class SchoolExportView(APIView):
    @extend_schema(parameters=[OpenApiParameter("semester", int)], responses={(200, exports.XLSX): bytes})
    def get(self, request):
        semester = _semester(request.query_params.get("semester"))
        job = starters.school_ledger_job(actor=request.user, semester=semester)
        if job is not None:
            return accepted(job)
        return download(exports.export_school_ledger(actor=request.user, semester=semester))


class CaseExportView(APIView):
    @extend_schema(responses={(200, exports.DOCX): bytes})
    def get(self, request, pk: int):
        return download(exports.export_case_file(actor=request.user, case=policy.get_case_for(request.user, pk)))


class OverviewView(APIView):
    """The school's view of a semester: each college's ledger status, counts, survey progress."""

    @extend_schema(parameters=[OpenApiParameter("semester", int)])
    def get(self, request):
        semester = _semester(request.query_params.get("semester"))
        return Response(
            {
                "semester": semester.pk,
                "ledger_due": semester.ledger_due.isoformat(),
                "colleges": [
                    {
                        "college": row.college.name,
                        "ledger": row.ledger.pk if row.ledger else None,
                        "status": row.status,
                        "overdue": row.overdue,
                        "open_cases": row.open_cases,
                        "by_category": row.by_category,
                        "students": row.students,
                        "surveyed": row.reviewed,
                        "addenda": row.addenda,
                    }
                    for row in selectors.school_overview(request.user, semester)
                ],
            }
        )


class AddendumSerializer(serializers.ModelSerializer):
    college = serializers.CharField(source="ledger.college.name")
    student = serializers.CharField(source="case.student.student_no")
    name = serializers.CharField(source="case.student.name")
    reported_by = serializers.CharField(source="reported_by.username")

    class Meta:
        model = Addendum
        fields = ["id", "college", "case", "student", "name", "category", "kind", "reported_by", "reported_at"]


class AddendaView(generics.ListAPIView):
    serializer_class = AddendumSerializer

    def get_queryset(self):
        return selectors.addenda_for(self.request.user, _semester(self.request.query_params.get("semester")))


class CompareView(APIView):
    @extend_schema(parameters=[OpenApiParameter(n, str) for n in ("college", "from", "to")])
    def get(self, request):
        p = request.query_params
        college = policy.get_comparable_college_for(request.user, p.get("college", ""))
        result = selectors.compare_semesters(request.user, college, _semester(p.get("from")), _semester(p.get("to")))
        return Response({"new": result.new, "closed": result.closed, "changed": result.changed})


class SurveyInputSerializer(StrictSerializer):
    semester = serializers.IntegerField(required=False, allow_null=True, default=None)
    student = serializers.CharField()
    outcome = serializers.ChoiceField(choices=SurveyOutcome.choices)


class SurveyView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("semester", int), OpenApiParameter("by", str, enum=["college", "class"])]
    )
    def get(self, request):
        semester = _semester(request.query_params.get("semester"))
        by = request.query_params.get("by", "college")
        if by not in ("college", "class"):
            raise ValidationError({"by": ["college 或 class"]})
        return Response(
            {
                "semester": semester.pk,
                "groups": [
                    {
                        "name": p.label,
                        "students": p.students,
                        "surveyed": p.reviewed,
                        "rate": p.rate,
                        "pending_suggestions": p.pending,  # evidence (issue 16)
                    }
                    for p in selectors.survey_progress(request.user, semester, by)
                ],
                "not_reviewed": selectors.unreviewed(request.user, semester).count(),
            }
        )

    @extend_schema(request=SurveyInputSerializer)
    def post(self, request):
        data = SurveyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        student = policy.get_student_for(request.user, v["student"])
        review = services.survey_review(
            actor=request.user, semester=_semester(v["semester"]), student=student, outcome=v["outcome"]
        )
        return Response({"student": student.student_no, "outcome": review.outcome}, status=status.HTTP_201_CREATED)


class SectionSerializer(serializers.ModelSerializer):
    categories = serializers.ListField(child=serializers.ChoiceField(choices=Category.choices))

    class Meta:
        model = Section
        fields = ["id", "code", "name", "categories"]


class SectionListView(generics.ListAPIView):
    serializer_class = SectionSerializer
    queryset = Section.objects.order_by("name")

    @extend_schema(request=SectionSerializer, responses={201: SectionSerializer})
    def post(self, request):
        data = SectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        section = services.section_create(actor=request.user, **data.validated_data)
        return Response(SectionSerializer(section).data, status=status.HTTP_201_CREATED)
