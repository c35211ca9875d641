"""Serializers for semesters, cases, contacts and compliance (api.md: Semesters, Cases)."""

from rest_framework import serializers

from careledger.api.serializers import StrictSerializer
from careledger.cases.categories import Category
from careledger.cases.models import Attachment, Case, CaseEvent, CategoryEntry, Helper, HelperRole, RiskLevel
from careledger.contacts.models import Contact, ContactKind
from careledger.core.models import PeriodKind, Semester, mark_current


class PeriodSerializer(StrictSerializer):
    name = serializers.CharField(max_length=50)
    start = serializers.DateField()
    end = serializers.DateField()


class SemesterSerializer(serializers.ModelSerializer):
    is_current = serializers.SerializerMethodField()
    holidays = serializers.SerializerMethodField()
    key_periods = serializers.SerializerMethodField()

    class Meta:
        model = Semester
        fields = ["id", "name", "start", "end", "ledger_due", "is_current", "holidays", "key_periods"]

    def get_is_current(self, semester: Semester) -> bool:
        """Computed from the dates (Semester.objects.current()), never stored."""
        if not hasattr(semester, "is_current"):
            mark_current([semester])
        return semester.is_current

    def _periods(self, semester: Semester, kind: str) -> list[dict]:
        return [
            {"name": p.name, "start": p.start.isoformat(), "end": p.end.isoformat()}
            for p in semester.periods.all()
            if p.kind == kind
        ]

    def get_holidays(self, semester: Semester) -> list[dict]:
        return self._periods(semester, PeriodKind.HOLIDAY)

    def get_key_periods(self, semester: Semester) -> list[dict]:
        return self._periods(semester, PeriodKind.KEY_PERIOD)


class SemesterCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=50)
    start = serializers.DateField()
    end = serializers.DateField()
    ledger_due = serializers.DateField()
    holidays = PeriodSerializer(many=True, required=False, default=list)
    key_periods = PeriodSerializer(many=True, required=False, default=list)


class CategoryInputSerializer(StrictSerializer):
    category = serializers.ChoiceField(choices=Category.choices)
    detail = serializers.CharField(required=False, allow_blank=True, default="")
    verification = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)
    data = serializers.DictField(required=False, default=dict)


class CategoryEntrySerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="get_category_display")

    class Meta:
        model = CategoryEntry
        fields = ["category", "title", "detail", "verification", "data", "added_on"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.category != Category.PHYSICAL:
            data.pop("verification")
        return data


class CaseCreateSerializer(StrictSerializer):
    student = serializers.CharField(max_length=20)
    opened_on = serializers.DateField(required=False, allow_null=True, default=None)
    categories = CategoryInputSerializer(many=True)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, required=False, default=RiskLevel.LOW)
    problem = serializers.CharField(required=False, allow_blank=True, default="")
    life_history = serializers.CharField(required=False, allow_blank=True, default="")
    plan = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CasePatchSerializer(StrictSerializer):
    version = serializers.IntegerField(min_value=1)
    categories = CategoryInputSerializer(many=True, required=False)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, required=False)
    problem = serializers.CharField(required=False, allow_blank=True)
    life_history = serializers.CharField(required=False, allow_blank=True)
    plan = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)


class _CaseBase(serializers.ModelSerializer):
    student = serializers.CharField(source="student.student_no")
    student_name = serializers.CharField(source="student.name")
    college = serializers.CharField(source="student.college.name")
    class_name = serializers.CharField(source="student.school_class.name")
    mentor = serializers.SerializerMethodField()

    def get_mentor(self, case: Case) -> dict | None:
        pairing = getattr(case, "current_pairing", None)
        if pairing is not None:
            return {"username": pairing.mentor.username, "name": pairing.mentor.name}
        if getattr(case, "mentor_id", None):
            return {"username": case.mentor_username, "name": case.mentor_name}
        return None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["class"] = data.pop("class_name")
        return data


class CaseListSerializer(_CaseBase):
    """A list row: who, where, which categories, how risky — none of the sensitive narrative."""

    categories = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "student",
            "student_name",
            "college",
            "class_name",
            "status",
            "opened_on",
            "closed_on",
            "risk_level",
            "categories",
            "mentor",
            "version",
        ]

    def get_categories(self, case: Case) -> list[str]:
        return [e.category for e in case.categories.all()]


class HelperSerializer(serializers.ModelSerializer):
    student = serializers.CharField(source="student.student_no")
    name = serializers.CharField(source="student.name")

    class Meta:
        model = Helper
        fields = ["id", "student", "name", "role", "added_on", "removed_on"]


class CaseDetailSerializer(_CaseBase):
    categories = CategoryEntrySerializer(many=True)
    helpers = serializers.SerializerMethodField()
    close_request = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            *CaseListSerializer.Meta.fields,
            "problem",
            "life_history",
            "plan",
            "note",
            "helpers",
            "close_request",
            "created_at",
            "updated_at",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if self.context.get("text_access", "full") != "full":
            # Break-glass (SEC-17): admins not on the case see that text exists, not what it says.
            for name in ("problem", "life_history", "plan", "note"):
                data[name] = None
            for entry in data["categories"]:
                entry.update(detail=None, data=None)
                if "verification" in entry:
                    entry["verification"] = None
            if data["close_request"]:
                data["close_request"]["reason"] = None
            data["sensitive_hidden"] = True
        else:
            data["sensitive_hidden"] = False
        return data

    def get_helpers(self, case: Case) -> list[dict]:
        return HelperSerializer([h for h in case.helpers.all() if h.removed_on is None], many=True).data

    def get_close_request(self, case: Case) -> dict | None:
        pending = next((r for r in case.close_requests.all() if r.status == "pending"), None)
        if pending is None:
            return None
        return {
            "reason": pending.reason,
            "improved": pending.improved,
            "requested_by": pending.requested_by.username,
            "requested_at": pending.requested_at.isoformat(),
        }


class MentorSerializer(StrictSerializer):
    mentor = serializers.CharField(max_length=150)


class ReopenSerializer(StrictSerializer):
    mentor = serializers.CharField(max_length=150, required=False, allow_blank=True)


class HelperInputSerializer(StrictSerializer):
    student = serializers.CharField(max_length=20)
    role = serializers.ChoiceField(choices=HelperRole.choices)


class ContactInputSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=ContactKind.choices)
    occurred_at = serializers.DateTimeField()
    location = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    content = serializers.CharField(required=False, allow_blank=True, default="")
    effect = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ContactSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.username")

    class Meta:
        model = Contact
        fields = [
            "id",
            "kind",
            "occurred_at",
            "local_date",
            "location",
            "content",
            "effect",
            "recorded_by",
            "created_at",
        ]


class WindowSerializer(serializers.Serializer):
    rule = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    required = serializers.IntegerField()
    done = serializers.IntegerField()
    met = serializers.BooleanField()
    ended = serializers.BooleanField()


class CloseRequestInputSerializer(StrictSerializer):
    reason = serializers.CharField()
    # No default of "improved" (issue 14): true or false as the person says; left out, it is recorded as
    # not stated (null) and does not count as 改善撤档.
    improved = serializers.BooleanField(required=False, allow_null=True, default=None)


class DecisionSerializer(StrictSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CaseEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username")

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "at", "actor", "summary", "changes"]


class AttachmentSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username")

    class Meta:
        model = Attachment
        fields = [
            "id",
            "title",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "contact",
            "uploaded_by",
            "uploaded_at",
        ]


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    title = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    contact = serializers.IntegerField(required=False, allow_null=True, default=None)
