"""API views for semesters, cases, mentoring, contacts, compliance and closure (api.md: Semesters, Cases)."""

from django.db.models import Prefetch
from django.http import Http404
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from careledger.accounts import policy
from careledger.accounts.models import Role, User
from careledger.api import case_serializers as cs
from careledger.cases import selectors, services
from careledger.cases.models import Case, Helper, Mentorship
from careledger.contacts import services as contact_services
from careledger.core import clock, http
from careledger.core import services as core_services
from careledger.core.errors import RevealRequired
from careledger.core.models import Semester, mark_current

# --- semesters ---


class SemesterListView(generics.ListAPIView):
    serializer_class = cs.SemesterSerializer
    queryset = Semester.objects.prefetch_related("periods").order_by("-start")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            mark_current(page)  # is_current for the whole page in one query
        return page

    @extend_schema(request=cs.SemesterCreateSerializer, responses={201: cs.SemesterSerializer})
    def post(self, request):
        data = cs.SemesterCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        semester = core_services.semester_create(
            actor=request.user,
            name=v["name"],
            start=v["start"],
            end=v["end"],
            ledger_due=v["ledger_due"],
            holidays=[core_services.PeriodInput(**p) for p in v["holidays"]],
            key_periods=[core_services.PeriodInput(**p) for p in v["key_periods"]],
        )
        return Response(cs.SemesterSerializer(semester).data, status=status.HTTP_201_CREATED)


class SemesterCurrentView(APIView):
    @extend_schema(responses=cs.SemesterSerializer)
    def get(self, request):
        semester = selectors.current_semester()
        if semester is None:
            raise Http404("semester")
        semester.is_current = True
        return Response(cs.SemesterSerializer(semester).data)


# --- cases ---


def _case_for_read(user, pk) -> Case:
    case = policy.get_case_for(user, pk)
    return (
        Case.objects.select_related("student__college", "student__school_class")
        .prefetch_related(
            "categories",
            Prefetch("helpers", queryset=Helper.objects.select_related("student")),
            "close_requests__requested_by",
        )
        .get(pk=case.pk)
    )


def _with_pairing(case: Case) -> Case:
    case.current_pairing = Mentorship.objects.current().select_related("mentor").filter(case=case).first()
    return case


def _detail(case: Case, user) -> dict:
    access = policy.case_text_access(user, case)
    return cs.CaseDetailSerializer(_with_pairing(case), context={"text_access": access}).data


def _require_text(user, case: Case) -> None:
    """Sensitive sub-resources (contacts, files, history values) need the case text (break-glass)."""
    if not policy.can_read_case_text(user, case):
        raise RevealRequired


def _categories(items: list[dict]) -> list[services.CategoryInput]:
    return [services.CategoryInput(**item) for item in items]


def _bool(value: str | None) -> bool:
    return str(value).lower() in {"1", "true", "yes"}


class CaseListView(generics.ListAPIView):
    serializer_class = cs.CaseListSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(name, str, required=False)
            for name in ("category", "college", "status", "risk_level", "class", "q", "overdue", "no_mentor", "mine")
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        p = self.request.query_params
        qs = selectors.case_search(
            user=self.request.user,
            status=p.get("status", "open"),
            category=p.get("category", ""),
            college=p.get("college", ""),
            risk_level=p.get("risk_level", ""),
            school_class=p.get("class", ""),
            q=p.get("q", ""),
            no_mentor=_bool(p.get("no_mentor")),
            mine=_bool(p.get("mine")),
        )
        if _bool(p.get("overdue")):
            qs = selectors.only_overdue(qs)
        return qs

    @extend_schema(request=cs.CaseCreateSerializer, responses={201: cs.CaseDetailSerializer})
    def post(self, request):
        data = cs.CaseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        student = policy.get_student_for(request.user, v["student"])
        case = services.case_open(
            actor=request.user,
            student=student,
            categories=_categories(v["categories"]),
            opened_on=v["opened_on"],
            risk_level=v["risk_level"],
            problem=v["problem"],
            life_history=v["life_history"],
            plan=v["plan"],
            note=v["note"],
        )
        return Response(_detail(_case_for_read(request.user, case.pk), request.user), status=status.HTTP_201_CREATED)


class CaseDetailView(APIView):
    @extend_schema(responses=cs.CaseDetailSerializer)
    def get(self, request, pk: int):
        case = _case_for_read(request.user, pk)
        http.audited_read(
            request.user,
            object_type="case",
            object_id=case.pk,
            student_no=case.student.student_no,
        )
        return Response(_detail(case, request.user))

    @extend_schema(request=cs.CasePatchSerializer, responses=cs.CaseDetailSerializer)
    def patch(self, request, pk: int):
        case = policy.get_case_for(request.user, pk)
        data = cs.CasePatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        version = v.pop("version")
        categories = v.pop("categories", None)
        services.case_update(
            actor=request.user,
            case=case,
            version=version,
            fields=v,
            categories=_categories(categories) if categories is not None else None,
        )
        return Response(_detail(_case_for_read(request.user, pk), request.user))


class CaseMentorView(APIView):
    @extend_schema(request=cs.MentorSerializer, responses=cs.CaseDetailSerializer)
    def put(self, request, pk: int):
        case = policy.get_case_for(request.user, pk)
        data = cs.MentorSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mentor = User.objects.filter(username=data.validated_data["mentor"], grants__role=Role.MENTOR).first()
        if mentor is None:
            raise ValidationError({"mentor": [_("该账号不是帮扶导师。")]})
        services.mentor_assign(actor=request.user, case=case, mentor=mentor)
        return Response(_detail(_case_for_read(request.user, pk), request.user))


class CaseHelpersView(APIView):
    @extend_schema(responses=cs.HelperSerializer(many=True))
    def get(self, request, pk: int):
        case = policy.get_case_for(request.user, pk)
        helpers = case.helpers.filter(removed_on__isnull=True).select_related("student")
        return Response(cs.HelperSerializer(helpers, many=True).data)

    @extend_schema(request=cs.HelperInputSerializer, responses={201: cs.HelperSerializer})
    def post(self, request, pk: int):
        case = policy.get_case_for(request.user, pk)
        data = cs.HelperInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # Only students the caller may see; missing and out of scope answer alike (finding 13).
        student = (
            policy.helper_candidates_for(request.user, case).filter(student_no=data.validated_data["student"]).first()
        )
        if student is None:
            raise ValidationError({"student": [_("本学院在册学生中没有该学号。")]})
        helper = services.helper_add(actor=request.user, case=case, student=student, role=data.validated_data["role"])
        return Response(cs.HelperSerializer(helper).data, status=status.HTTP_201_CREATED)


class CaseContactsView(generics.ListAPIView):
    serializer_class = cs.ContactSerializer

    def get_queryset(self):
        case = policy.get_case_for(self.request.user, self.kwargs["pk"])
        _require_text(self.request.user, case)
        return case.contacts.select_related("recorded_by").order_by("-occurred_at", "-id")

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        case = policy.get_case_for(request.user, kwargs["pk"])
        http.audited_read(
            request.user,
            object_type="contact",
            object_id=case.pk,
            student_no=case.student.student_no,
        )
        return response

    @extend_schema(request=cs.ContactInputSerializer, responses={201: cs.ContactSerializer})
    def post(self, request, pk: int):
        case = policy.get_case_for(request.user, pk)
        data = cs.ContactInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contact = contact_services.contact_record(actor=request.user, case=case, **data.validated_data)
        return Response(cs.ContactSerializer(contact).data, status=status.HTTP_201_CREATED)


def _window_dict(window, today) -> dict:
    return {
        "rule": str(window.rule),
        "start": window.start.isoformat(),
        "end": window.end.isoformat(),
        "required": window.required,
        "done": window.done,
        "met": window.met,
        "ended": window.ended(today),
    }


def _date_param(request, name: str):
    raw = request.query_params.get(name)
    if not raw:
        return None
    try:
        value = parse_date(raw) if len(raw) == 10 else None
    except ValueError:
        value = None
    if value is None:
        raise ValidationError({name: [_("日期格式应为 YYYY-MM-DD。")]})
    return value


class CaseComplianceView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("from", str, required=False), OpenApiParameter("to", str, required=False)],
        responses=inline_serializer("Compliance", {"windows": cs.WindowSerializer(many=True)}),
    )
    def get(self, request, pk: int):
        case = policy.get_case_for(request.user, pk)
        date_from, date_to = _date_param(request, "from"), _date_param(request, "to")
        if date_from and date_to and date_to < date_from:
            raise ValidationError({"to": ["结束日期早于开始日期。 / 'to' is before 'from'."]})
        today = clock.today()
        windows = selectors.case_compliance(case, date_from=date_from, date_to=date_to)
        return Response({"windows": [_window_dict(w, today) for w in windows]})


class OverdueView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "Overdue",
            {
                "case": serializers.IntegerField(),
                "student": serializers.CharField(),
                "windows": cs.WindowSerializer(many=True),
            },
            many=True,
        )
    )
    def get(self, request):
        today = clock.today()
        return Response(
            [
                {
                    "case": s.case.pk,
                    "student": s.case.student.student_no,
                    "student_name": s.case.student.name,
                    "windows": [_window_dict(w, today) for w in s.overdue],
                }
                for s in selectors.overdue_for(request.user)
            ]
        )


class CloseRequestView(APIView):
    @extend_schema(request=cs.CloseRequestInputSerializer, responses=cs.CaseDetailSerializer)
    def post(self, request, pk: int):
        case = policy.get_case_for(request.user, pk)
        data = cs.CloseRequestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.close_request(actor=request.user, case=case, **data.validated_data)
        return Response(_detail(_case_for_read(request.user, pk), request.user))


class CloseApproveView(APIView):
    @extend_schema(request=cs.DecisionSerializer, responses=cs.CaseDetailSerializer)
    def post(self, request, pk: int):
        case = policy.get_case_for(request.user, pk)
        data = cs.DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.close_approve(actor=request.user, case=case, note=data.validated_data["note"])
        return Response(_detail(_case_for_read(request.user, pk), request.user))


class CloseRejectView(APIView):
    @extend_schema(request=cs.DecisionSerializer, responses=cs.CaseDetailSerializer)
    def post(self, request, pk: int):
        case = policy.get_case_for(request.user, pk)
        data = cs.DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.close_reject(actor=request.user, case=case, note=data.validated_data["note"])
        return Response(_detail(_case_for_read(request.user, pk), request.user))


class ReopenView(APIView):
    """Reopen a closed case; ``{"mentor": username}`` (optional) pairs a mentor again — the answer's
    ``last_mentor`` is the mentor of the case's latest pairing, the one the page offers back."""

    @extend_schema(request=cs.ReopenSerializer, responses=cs.CaseDetailSerializer)
    def post(self, request, pk: int):
        case = policy.get_case_for(request.user, pk)
        data = cs.ReopenSerializer(data=request.data or {})
        data.is_valid(raise_exception=True)
        mentor = None
        if data.validated_data.get("mentor"):
            mentor = User.objects.filter(username=data.validated_data["mentor"], grants__role=Role.MENTOR).first()
            if mentor is None:
                raise ValidationError({"mentor": [_("该账号不是帮扶导师。")]})
        services.case_reopen(actor=request.user, case=case, mentor=mentor)
        body = dict(_detail(_case_for_read(request.user, pk), request.user))
        last = services.last_mentor(case)
        body["last_mentor"] = last.username if last else None
        return Response(body)


class CaseTimelineView(generics.ListAPIView):
    serializer_class = cs.CaseEventSerializer

    def get_queryset(self):
        case = policy.get_case_for(self.request.user, self.kwargs["pk"])
        self.case = case
        self.text_access = policy.case_text_access(self.request.user, case)
        return case.events.select_related("actor").order_by("-at", "-id")

    def paginate_queryset(self, queryset):
        # The one need-to-know rule (SEC-45): no old → new values, no text-bearing summaries.
        page = super().paginate_queryset(queryset)
        return policy.timeline_for(self.request.user, self.case, page, self.text_access)


class CaseRevealView(APIView):
    """Break-glass for admins not on the case: state a reason, see the sensitive text (audited)."""

    @extend_schema(
        request=inline_serializer("Reveal", {"reason": serializers.CharField()}), responses=cs.CaseDetailSerializer
    )
    def post(self, request, pk: int):
        case = policy.get_case_for(request.user, pk)
        services.case_reveal(actor=request.user, case=case, reason=str(request.data.get("reason", "")))
        return Response(_detail(_case_for_read(request.user, pk), request.user))
