"""API serializers: validate input and render output. No rules live here; writes call the services."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from careledger.accounts.models import Grant, User
from careledger.audit.models import AuditEvent
from careledger.core import clock
from careledger.escalations.models import Department
from careledger.roster.models import EnrolmentStatus, Student
from careledger.roster.rules import mask_id_number, mask_phone
from careledger.roster.selectors import status_entry_on


class StrictSerializer(serializers.Serializer):
    """Unknown fields are an error, not silently dropped (mass assignment, SEC-14)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = set(data) - set(self.fields)
            if unknown:
                raise serializers.ValidationError({name: [_("未知字段")] for name in sorted(unknown)})
        return super().to_internal_value(data)


class GrantSerializer(serializers.ModelSerializer):
    college = serializers.CharField(source="college.name", default=None)
    classes = serializers.SerializerMethodField()
    department = serializers.CharField(source="department.code", default=None)
    section = serializers.CharField(source="section.code", default=None)

    class Meta:
        model = Grant
        fields = ["id", "role", "college", "grades", "classes", "department", "section"]

    def get_classes(self, grant: Grant) -> list[str]:
        return [c.name for c in grant.classes.all()]


class GrantInputSerializer(StrictSerializer):
    role = serializers.CharField()
    college = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    grades = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    classes = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    department = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    section = serializers.CharField(required=False, allow_null=True, allow_blank=True)


class UserSerializer(serializers.ModelSerializer):
    grants = GrantSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "name",
            "phone",
            "staff_no",
            "is_active",
            "must_change_password",
            "last_login",
            "grants",
        ]


class MeSerializer(serializers.ModelSerializer):
    grants = GrantSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "phone", "must_change_password", "grants"]


class UserCreateSerializer(StrictSerializer):
    username = serializers.RegexField(r"^[A-Za-z0-9_.@-]{2,150}$", max_length=150)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    staff_no = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)
    grants = GrantInputSerializer(many=True, required=False, default=list)


class UserUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=50, required=False)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)
    password = serializers.CharField(write_only=True, required=False, style={"input_type": "password"})


class StudentListSerializer(serializers.ModelSerializer):
    """The list shape: identifiers masked, nothing sensitive (SEC-16)."""

    gender = serializers.CharField(source="get_gender_display")
    college = serializers.CharField(source="college.name")
    major = serializers.CharField(source="major.name", default="")
    class_name = serializers.CharField(source="school_class.name")
    dorm = serializers.CharField(source="dorm.name", default="")
    phone = serializers.SerializerMethodField()

    class Meta:
        model = Student
        fields = [
            "student_no",
            "name",
            "gender",
            "college",
            "major",
            "grade",
            "class_name",
            "dorm",
            "phone",
            "is_active",
        ]

    def get_phone(self, student: Student) -> str:
        return mask_phone(student.phone) if student.phone else ""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["class"] = data.pop("class_name")  # the roster's word; `class` is reserved in Python
        return data


class StudentDetailSerializer(StudentListSerializer):
    id_number = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    status_since = serializers.SerializerMethodField()

    class Meta(StudentListSerializer.Meta):
        fields = [
            *StudentListSerializer.Meta.fields,
            "parent_name",
            "parent_phone",
            "birth_date",
            "native_place",
            "id_number",
            "status",
            "status_since",
        ]

    def get_phone(self, student: Student) -> str:
        return student.phone

    def _status_entry(self, student: Student):
        cache = self.context.setdefault("_status_entries", {})
        if student.pk not in cache:
            cache[student.pk] = status_entry_on(student, clock.today())
        return cache[student.pk]

    @extend_schema_field(serializers.ChoiceField(choices=EnrolmentStatus.choices))
    def get_status(self, student: Student) -> str:
        """学籍状态 today: enrolled (在校, also with no history), leave, withdrawn, graduated or transferred."""
        entry = self._status_entry(student)
        return entry.status if entry else EnrolmentStatus.ENROLLED

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_status_since(self, student: Student) -> str | None:
        """The day today's status holds from; null for a student 在校 with no recorded change."""
        entry = self._status_entry(student)
        return entry.since.isoformat() if entry else None

    def get_id_number(self, student: Student) -> str:
        """Masked unless the caller stated a reason in the last minutes (POST …/reveal/)."""
        if not student.id_number:
            return ""
        return student.id_number if self.context.get("show_id_number") else mask_id_number(student.id_number)


class StudentStatusSerializer(StrictSerializer):
    """PATCH /api/v1/students/{no}/ (cal, issue 12): a 学籍状态 change from ``since`` (default today)."""

    status = serializers.ChoiceField(choices=EnrolmentStatus.choices)
    since = serializers.DateField(required=False, allow_null=True, default=None)


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name"]


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_username")
    student = serializers.CharField(source="student_no")

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "action",
            "object_type",
            "object_id",
            "student",
            "remote_addr",
            "outcome",
            "detail",
            "roles",
            "request_id",
        ]


class ImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    deactivated = serializers.IntegerField()
    deactivated_students = serializers.ListField(child=serializers.DictField(), required=False)
    mode = serializers.CharField(required=False)
    errors = serializers.ListField(child=serializers.DictField())


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(required=False, default=False)


class RosterUploadSerializer(UploadSerializer):
    mode = serializers.ChoiceField(choices=["upsert", "sync"], required=False, default="upsert")
