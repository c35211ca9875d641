"""API views: authenticate, let the policy decide, validate, call the same services as the pages."""

from django.contrib.auth import authenticate, user_logged_in
from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_naive, make_aware
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from careledger.accounts import importers as staff_import
from careledger.accounts import policy, services
from careledger.accounts.models import User
from careledger.api import serializers as s
from careledger.audit.models import AuditEvent
from careledger.audit.services import Action, record
from careledger.core.tabular import TableError, check_size
from careledger.escalations.models import Department
from careledger.escalations.services import department_create
from careledger.roster import importers
from careledger.roster.selectors import student_search


class TokenView(APIView):
    """POST username + password → a token. Wrong credentials get one answer, whichever part was wrong."""

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []

    @extend_schema(
        request=inline_serializer(
            "TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}
        ),
        responses=inline_serializer(
            "TokenResponse", {"token": serializers.CharField(), "password_change_required": serializers.BooleanField()}
        ),
    )
    def post(self, request):
        username = str(request.data.get("username", ""))
        password = str(request.data.get("password", ""))
        user = authenticate(request, username=username, password=password) if username and password else None
        if user is None:
            return Response({"errors": ["用户名或密码错误。 / Wrong username or password."]}, status=400)
        token, _ = Token.objects.get_or_create(user=user)
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        body = {"token": token.key}
        if user.must_change_password:
            body["password_change_required"] = True
        return Response(body)


class MeView(APIView):
    @extend_schema(responses=s.MeSerializer)
    def get(self, request):
        user = User.objects.prefetch_related(
            "grants__classes", "grants__college", "grants__department", "grants__section"
        ).get(pk=request.user.pk)
        return Response(s.MeSerializer(user).data)


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
            raise ValidationError({"file": ["请上传文件。 / Please upload a file."]})
        try:
            check_size(upload.size)  # before anything is parsed
        except TableError as exc:
            return Response({"errors": [{"row": 0, "column": "", "message": str(exc)}]}, status=413)
        dry_run = str(request.data.get("dry_run", "")).lower() in {"1", "true", "yes", "on"}
        report = type(self).importer(actor=request.user, data=upload.read(), filename=upload.name, dry_run=dry_run)
        return Response(report.as_dict(), status=200 if report.ok else 400)


class RosterImportView(_ImportView):
    importer = staticmethod(importers.roster_import)


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
        record(
            actor=request.user,
            action=Action.READ,
            object_type="student",
            object_id=student.pk,
            student_no=student.student_no,
        )
        return Response(s.StudentDetailSerializer(student).data)


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
    serializer_class = s.AuditEventSerializer

    def get_queryset(self):
        p = self.request.query_params
        qs = AuditEvent.objects.order_by("-id")
        if p.get("actor"):
            qs = qs.filter(actor_username=p["actor"])
        if p.get("student"):
            qs = qs.filter(student_no=p["student"])
        if p.get("action"):
            qs = qs.filter(action=p["action"])
        if p.get("since"):
            since = parse_datetime(p["since"])
            if since is None:
                raise ValidationError({"since": ["日期格式应为 YYYY-MM-DD。 / Use YYYY-MM-DD."]})
            qs = qs.filter(at__gte=make_aware(since) if is_naive(since) else since)
        return qs
