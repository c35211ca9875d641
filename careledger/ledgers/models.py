"""The semester survey (摸排), the college ledger (台账) with its frozen snapshot, addenda and sections."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from careledger.core.fields import EncryptedJSONField


class SurveyOutcome(models.TextChoices):
    NO_CONCERN = "no_concern", _("无需关注")
    CASE_CONFIRMED = "case_confirmed", _("确认已有档案")
    NEW_CASE = "new_case", _("新建档案")


class SurveyReview(models.Model):
    """One student reviewed in one semester's survey (每学期开学初全面摸排)."""

    semester = models.ForeignKey("core.Semester", on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey("roster.Student", on_delete=models.PROTECT, related_name="survey_reviews")
    outcome = models.CharField(_("摸排结果"), max_length=20, choices=SurveyOutcome.choices)
    case = models.ForeignKey("cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("摸排记录")
        verbose_name_plural = _("摸排记录")
        constraints = [models.UniqueConstraint(fields=["semester", "student"], name="one_review_per_semester")]
        indexes = [models.Index(fields=["semester", "student"], name="survey_semester_student")]

    def __str__(self) -> str:
        return f"{self.student_id} {self.outcome}"


class LedgerStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已上报")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已接收")


class Ledger(models.Model):
    """A college's ledger for a semester. While a draft it is a live view of the college's open cases;
    submitting freezes the rows into ``snapshot`` so later case edits do not change what was reported."""

    semester = models.ForeignKey("core.Semester", on_delete=models.PROTECT, related_name="ledgers")
    college = models.ForeignKey("roster.College", on_delete=models.PROTECT, related_name="ledgers")
    status = models.CharField(_("状态"), max_length=10, choices=LedgerStatus.choices, default=LedgerStatus.DRAFT)
    filled_by = models.CharField(_("填表人"), max_length=50, blank=True)
    responsible = models.CharField(_("负责人"), max_length=50, blank=True)
    # Signing (issue 14): a counselor fills it in (填表人) and it waits for the college_admin, who confirms
    # it as 负责人 and so sends it; a college_admin may also fill in and send it at once.
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    prepared_at = models.DateTimeField(_("填报时间"), null=True, blank=True)
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    late = models.BooleanField(_("逾期上报"), default=False)
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(_("退回意见"), blank=True)
    # {"schema": 2, "generated_at": iso, "records": {category: [LedgerRecord.to_dict(), …]}} — frozen at
    # submission (ledgers/records.py; schema 1 keyed rows by the 附件1 headers, converted by 0003).
    # Encrypted (SEC-27): the rows repeat the category texts.
    snapshot = EncryptedJSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("台账")
        verbose_name_plural = _("台账")
        ordering = ["semester", "college__name"]
        constraints = [models.UniqueConstraint(fields=["semester", "college"], name="one_ledger_per_college_semester")]

    def __str__(self) -> str:
        return f"{self.semester} {self.college}"

    @property
    def awaiting_confirmation(self) -> bool:
        """Filled in by a counselor, waiting for the college_admin to confirm it as 负责人."""
        return self.prepared_at is not None and self.status in (LedgerStatus.DRAFT, LedgerStatus.RETURNED)


class LedgerStep(models.Model):
    """Every step of a ledger: created, submitted, returned (with the comment), accepted."""

    class Action(models.TextChoices):
        CREATED = "created", _("创建")
        PREPARED = "prepared", _("填报待确认")
        SUBMITTED = "submitted", _("上报")
        RETURNED = "returned", _("退回")
        ACCEPTED = "accepted", _("接收")

    ledger = models.ForeignKey(Ledger, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=10, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.ledger_id} {self.action}"


class Addendum(models.Model):
    """随时上报: a case opened, or a category added, after the college submitted its ledger."""

    class Kind(models.TextChoices):
        NEW_CASE = "new_case", _("新建档")
        NEW_CATEGORY = "new_category", _("新增类别")

    ledger = models.ForeignKey(Ledger, on_delete=models.CASCADE, related_name="addenda")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=20)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    row = EncryptedJSONField(default=dict)  # LedgerRecord.to_dict() as it stood when reported (encrypted)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("随时上报")
        verbose_name_plural = _("随时上报")
        ordering = ["-reported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.ledger_id} {self.case_id} {self.category}"


class Section(models.Model):
    """A 学工处 section (科室) that acts on some categories: 资助中心 → economic, 心理健康教育中心 → psych …"""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(_("科室"), max_length=100, unique=True)
    categories = models.JSONField(_("负责类别"), default=list)

    class Meta:
        verbose_name = _("学工处科室")
        verbose_name_plural = _("学工处科室")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
