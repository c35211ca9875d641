"""API views: authenticate, let the policy decide, validate, call the same services as the pages."""

from django.contrib.auth import user_logged_in
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from careledger.accounts import importers as staff_import
from careledger.accounts import lockout, login_security, policy, services, totp
from careledger.accounts.authentication import issue_token
from careledger.accounts.models import User
from careledger.api import serializers as s
from careledger.api.job_views import accepted
from careledger.audit.selectors import FILTERS, FilterError, audit_search, parse_filter
from careledger.cases.services import reveal
from careledger.core import http
from careledger.core.tabular import TableError, check_size
from careledger.escalations.models import Department
from careledger.escalations.services import department_create
from careledger.jobs.models import Job
from careledger.jobs.starters import roster_import_or_job
from careledger.roster import importers
from careledger.roster import services as roster_services
from careledger.roster.selectors import student_search


class TokenView(APIView):
    """POST username + password (+ otp) → a token (api.md "Conventions").

    A wrong password, an unknown or disabled user and a locked username + address (SEC-2) all get the
    same 400. Where two-factor applies and a device is confirmed, a missing or wrong ``otp`` gets one 401
    ``otp_required`` answer (wrong codes count as failed sign-ins). A login with a step still to do gets
    a token restricted to it, flagged ``password_change_required`` / ``otp_enrollment_required``.
    """

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []

    WRONG = {"errors": [_lazy("用户名或密码错误。")]}
    OTP_WANTED = {"detail": _lazy("请提供动态口令 otp。"), "otp_required": True}

    @extend_schema(
        request=inline_serializer(
            "TokenRequest",
            {
                "username": serializers.CharField(),
                "password": serializers.CharField(),
                "otp": serializers.CharField(required=False),
            },
        ),
        responses={
            200: inline_serializer(
                "TokenResponse",
                {
                    "token": serializers.CharField(),
                    "password_change_required": serializers.BooleanField(required=False),
                    "otp_enrollment_required": serializers.BooleanField(required=False),
                },
            ),
            400: inline_serializer("TokenRefused", {"errors": serializers.ListField(child=serializers.CharField())}),
            401: inline_serializer(
                "TokenOtpRequired", {"detail": serializers.CharField(), "otp_required": serializers.BooleanField()}
            ),
        },
    )
    def post(self, request):
        username = str(request.data.get("username", ""))
        password = str(request.data.get("password", ""))
        user = lockout.authenticate(request, username, password) if username and password else None
        if user is None:
            return Response(self.WRONG, status=400)
        device = totp.confirmed_device(user) if login_security.otp_applies(user) else None
        if device is not None:
            code = str(request.data.get("otp", "") or "")
            if not (code and totp.use_code(device, code)):
                if code:
                    lockout.otp_failed(user, request)
                return Response(self.OTP_WANTED, status=401, headers={"WWW-Authenticate": "Token"})
        token = issue_token(user)
        lockout.clear_failures(username, lockout.client_address(request))
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        return Response({"token": token.key, **login_security.flags(user)})


class MeView(APIView):
    @extend_schema(responses=s.MeSerializer)
    def get(self, request):
        user = User.objects.prefetch_related(
            "grants__classes", "grants__college", "grants__department", "grants__section"
        ).get(pk=request.user.pk)
        body = dict(s.MeSerializer(user).data)
        # Added fields (api.md allows them): the steps this login still owes, and whether 2FA is on.
        body["otp_enabled"] = totp.confirmed_device(request.user) is not None
        body.update(login_security.flags(request.user, session=login_security.api_session(request)))
        return Response(body)


class UserListView(generics.ListAPIView):
    serializer_class = s.UserSerializer

    def get_queryset(self):
        return (
            policy.users_for(self.request.user)
            .prefetch_related("grants__classes", "grants__college", "grants__department", "grants__section")
            .order_by("username")
        )

    @extend_schema(request=s.UserCreateSerializer, responses={201: s.UserSerializer})
    def post(self, request):
        data = s.UserCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        specs = [services.grant_spec_resolve(**g) for g in v["grants"]]
        user = services.user_create(
            actor=request.user,
            username=v["username"],
            password=v["password"],
            name=v["name"],
            phone=v["phone"],
            staff_no=v["staff_no"],
            grants=specs,
        )
        return Response(s.UserSerializer(user).data, status=status.HTTP_201_CREATED)


class UserDetailView(APIView):
    @extend_schema(responses=s.UserSerializer)
    def get(self, request, pk: int):
        return Response(s.UserSerializer(policy.get_user_for(request.user, pk)).data)

    @extend_schema(request=s.UserUpdateSerializer, responses=s.UserSerializer)
    def patch(self, request, pk: int):
        target = policy.get_user_for(request.user, pk)
        data = s.UserUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        services.user_update(actor=request.user, user=target, name=v.get("name"), phone=v.get("phone"))
        if "is_active" in v:
            services.user_set_active(actor=request.user, user=target, active=v["is_active"])
        if "password" in v:
            services.user_set_password(actor=request.user, user=target, password=v["password"])
        return Response(s.UserSerializer(target).data)


class _ImportView(APIView):
    parser_classes = [MultiPartParser, FormParser]
    importer = None

    @extend_schema(request=s.UploadSerializer, responses={200: s.ImportResultSerializer, 400: s.ImportResultSerializer})
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": [_("请上传文件。")]})
        try:
            check_size(upload.size)  # before anything is parsed
        except TableError as exc:
            return Response({"errors": [{"row": 0, "column": "", "message": str(exc)}]}, status=413)
        dry_run = str(request.data.get("dry_run", "")).lower() in {"1", "true", "yes", "on"}
        report = type(self).importer(
            actor=request.user, data=upload.read(), filename=upload.name, dry_run=dry_run, **self.options(request)
        )
        if isinstance(report, Job):  # a large file: api.md "Long work"
            return accepted(report)
        return Response(report.as_dict(), status=200 if report.ok else 400)

    def options(self, request) -> dict:
        return {}


class RosterImportView(_ImportView):
    importer = staticmethod(roster_import_or_job)

    @extend_schema(
        request=s.RosterUploadSerializer, responses={200: s.ImportResultSerializer, 400: s.ImportResultSerializer}
    )
    def post(self, request):
        return super().post(request)

    def options(self, request) -> dict:
        """``mode``: upsert (default) or sync (the file is the full roster of each college it names)."""
        mode = str(request.data.get("mode", "") or importers.UPSERT).strip().lower()
        if mode not in importers.MODES:
            raise ValidationError({"mode": [_("导入方式应为 upsert 或 sync。")]})
        return {"mode": mode}


class StaffImportView(_ImportView):
    importer = staticmethod(staff_import.staff_import)


class StudentListView(generics.ListAPIView):
    serializer_class = s.StudentListSerializer

    def get_queryset(self):
        p = self.request.query_params
        return student_search(
            user=self.request.user,
            q=p.get("q", ""),
            college=p.get("college", ""),
            grade=p.get("grade", ""),
            school_class=p.get("class", ""),
            include_inactive=p.get("include_inactive") == "true",
        )


class StudentDetailView(APIView):
    @extend_schema(responses=s.StudentDetailSerializer)
    def get(self, request, student_no: str):
        student = policy.get_student_for(request.user, student_no)
        http.audited_read(
            request.user,
            object_type="student",
            object_id=student.pk,
            student_no=student.student_no,
        )
        show = policy.revealed(request.user, "student", student.pk)
        return Response(s.StudentDetailSerializer(student, context={"show_id_number": show}).data)

    @extend_schema(request=s.StudentStatusSerializer, responses=s.StudentDetailSerializer)
    def patch(self, request, student_no: str):
        """Record a 学籍状态 change (cal, issue 12): school_admin, the college's admin, the student's counselor."""
        student = policy.get_student_for(request.user, student_no)
        if not policy.can_set_student_status(request.user, student):
            policy.audit_denied(request.user, object_type="student", object_id=student.pk, student_no=student_no)
            raise PermissionDenied
        data = s.StudentStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        roster_services.student_status_set(
            actor=request.user,
            student=student,
            status=data.validated_data["status"],
            since=data.validated_data["since"],
        )
        show = policy.revealed(request.user, "student", student.pk)
        return Response(s.StudentDetailSerializer(student, context={"show_id_number": show}).data)


class DepartmentListView(generics.ListAPIView):
    serializer_class = s.DepartmentSerializer
    queryset = Department.objects.order_by("name")

    @extend_schema(request=s.DepartmentSerializer, responses={201: s.DepartmentSerializer})
    def post(self, request):
        data = s.DepartmentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        department = department_create(actor=request.user, **data.validated_data)
        return Response(s.DepartmentSerializer(department).data, status=status.HTTP_201_CREATED)


class AuditListView(generics.ListAPIView):
    """?actor=&student=&action=&since= (api.md), plus &until= and &outcome=; the same search as /audit/."""

    serializer_class = s.AuditEventSerializer

    @extend_schema(parameters=[OpenApiParameter(name, str, required=False) for name in FILTERS])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        try:
            return audit_search(parse_filter(self.request.query_params))
        except FilterError as exc:
            raise ValidationError(exc.errors) from exc


class StudentRevealView(APIView):
    """Unmask a student's ID number for a stated reason (SEC-17): audited, rate-limited."""

    @extend_schema(
        request=inline_serializer("StudentReveal", {"reason": serializers.CharField()}),
        responses=inline_serializer("StudentRevealed", {"id_number": serializers.CharField()}),
    )
    def post(self, request, student_no: str):
        student = policy.get_student_for(request.user, student_no)
        reveal(
            actor=request.user,
            object_type="student",
            object_id=student.pk,
            student_no=student.student_no,
            reason=str(request.data.get("reason", "")),
            fields=["id_number"],
        )
        return Response({"student_no": student.student_no, "id_number": student.id_number})
