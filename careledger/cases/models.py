"""The dynamic case file (附件2 动态档案), its categories, mentoring, help group, closure and history."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from careledger.cases.categories import Category
from careledger.core.fields import EncryptedJSONField, EncryptedTextField


class RiskLevel(models.TextChoices):
    LOW = "low", _("低")
    MEDIUM = "medium", _("中")
    HIGH = "high", _("高")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("在档")
    CLOSED = "closed", _("已撤销建档")


class Case(models.Model):
    student = models.ForeignKey(
        "roster.Student", on_delete=models.PROTECT, related_name="cases", verbose_name=_("学生")
    )
    status = models.CharField(_("状态"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_on = models.DateField(_("建档日期"))
    closed_on = models.DateField(_("撤销建档日期"), null=True, blank=True)
    # Contact windows count from here: the opening day, or the day a closed case was reopened.
    reopened_on = models.DateField(_("重新建档日期"), null=True, blank=True)
    risk_level = models.CharField(_("风险等级"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.LOW)
    # The narrative is encrypted at rest (SEC-27), like every free text about the student below.
    problem = EncryptedTextField(_("问题类型及问题描述"), blank=True)
    life_history = EncryptedTextField(_("既往生活史与当前生活情景"), blank=True)
    plan = EncryptedTextField(_("辅导方案 / 帮扶措施"), blank=True)
    note = EncryptedTextField(_("备注"), blank=True)
    version = models.PositiveIntegerField(default=1)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("关爱档案")
        verbose_name_plural = _("关爱档案")
        ordering = ["-opened_on", "-id"]
        constraints = [
            # At most one open case per student, held by the database even under parallel requests.
            models.UniqueConstraint(fields=["student"], condition=Q(status="open"), name="one_open_case_per_student"),
        ]
        indexes = [models.Index(fields=["status", "risk_level"], name="case_status_risk")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.student}"

    @property
    def open_since(self) -> date:
        return self.reopened_on or self.opened_on


class CasePeriod(models.Model):
    """One open period of a case, both ends inclusive (`closed_on` null while open).

    Closing and reopening never erases a period: compliance and assessment count every one (product.md,
    "Contact frequency").
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="open_periods")
    opened_on = models.DateField(_("建档日期"))
    closed_on = models.DateField(_("撤销建档日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("建档期间")
        verbose_name_plural = _("建档期间")
        ordering = ["case", "opened_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(closed_on__isnull=True), name="one_open_period_per_case"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.opened_on}..{self.closed_on or ''}"


class CategoryEntry(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="categories")
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    detail = EncryptedTextField(_("情况"), blank=True)
    verification = EncryptedTextField(_("班主任核实情况"), blank=True)  # physical only
    data = EncryptedJSONField(_("结构化信息"), default=dict, blank=True)
    added_on = models.DateField(_("加入日期"))

    class Meta:
        verbose_name = _("类别")
        verbose_name_plural = _("类别")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["case", "category"], name="one_entry_per_category")]

    def __str__(self) -> str:
        return self.get_category_display()


class MentorshipQuerySet(models.QuerySet):
    def current(self) -> "MentorshipQuerySet":
        """The pairings running now: the one home of "the case's current mentor" (at most one per case)."""
        return self.filter(ended_at__isnull=True)


class Mentorship(models.Model):
    """一对一结对帮扶: who mentored the case and when. The current pairing has ended_at = None."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="mentorships")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mentorships")
    started_at = models.DateTimeField(_("开始"))
    ended_at = models.DateTimeField(_("结束"), null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = MentorshipQuerySet.as_manager()

    class Meta:
        verbose_name = _("结对帮扶")
        verbose_name_plural = _("结对帮扶")
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(ended_at__isnull=True), name="one_current_mentor"),
        ]
        indexes = [models.Index(fields=["mentor", "ended_at"], name="mentorship_mentor_current")]

    def __str__(self) -> str:
        return f"{self.mentor} → case {self.case_id}"

    @property
    def is_current(self) -> bool:
        """For pairings already loaded (a prefetched list): the same test as ``objects.current()``."""
        return self.ended_at is None


class HelperRole(models.TextChoices):
    PSYCH_COMMITTEE = "psych_committee", _("班级心理委员")
    DORM_LIAISON = "dorm_liaison", _("寝室心理联络员")
    STUDENT_LEADER = "student_leader", _("学生骨干")


class Helper(models.Model):
    """A member of the case's help group: a student recorded on the case, never a user."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="helpers")
    student = models.ForeignKey("roster.Student", on_delete=models.PROTECT, related_name="helper_roles")
    role = models.CharField(_("角色"), max_length=20, choices=HelperRole.choices)
    added_on = models.DateField(_("加入日期"))
    removed_on = models.DateField(_("退出日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("帮扶小组成员")
        verbose_name_plural = _("帮扶小组成员")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "student", "role"], condition=Q(removed_on__isnull=True), name="one_active_helper_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} ({self.role})"


class HelperActivity(models.Model):
    """What a help-group member did, recorded by the mentor; counts towards 学生干部考察."""

    helper = models.ForeignKey(Helper, on_delete=models.CASCADE, related_name="activities")
    on = models.DateField(_("日期"))
    what = EncryptedTextField(_("活动内容"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("帮扶小组活动")
        verbose_name_plural = _("帮扶小组活动")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.on} {self.helper_id}"


class CaseEffect(models.Model):
    """帮扶效果 per semester, optionally rated 1–5."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="effects")
    semester = models.ForeignKey("core.Semester", on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField(_("帮扶效果"))
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)

    class Meta:
        verbose_name = _("帮扶效果")
        verbose_name_plural = _("帮扶效果")
        constraints = [models.UniqueConstraint(fields=["case", "semester"], name="one_effect_per_semester")]

    def __str__(self) -> str:
        return f"case {self.case_id} {self.semester_id}"


class CloseStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已同意")
    REJECTED = "rejected", _("已驳回")


class CloseRequest(models.Model):
    """是否建议撤销建档: a recommendation by the mentor, counselor or class teacher; the college decides."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="close_requests")
    reason = EncryptedTextField(_("理由"))
    # 帮扶后有改善: chosen by the person who asks (no default — a default inflated 改善撤档). None only for a
    # request made through the API without saying (api.md's body is {"reason"}): counted as not improved.
    improved = models.BooleanField(_("帮扶后有改善"), null=True, blank=True, default=None)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=CloseStatus.choices, default=CloseStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(status="pending"), name="one_pending_close_request"),
        ]

    def __str__(self) -> str:
        return f"case {self.case_id} {self.status}"


class CaseEvent(models.Model):
    """The case timeline: every change with who, when and old → new; contacts and files too."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("建档")
        UPDATED = "updated", _("修改")
        MENTOR = "mentor", _("结对导师")
        HELPER = "helper", _("帮扶小组")
        HELPER_ACTIVITY = "helper_activity", _("帮扶小组活动")
        CONTACT = "contact", _("辅导记录")
        ATTACHMENT = "attachment", _("过程材料")
        EFFECT = "effect", _("帮扶效果")
        CLOSE_REQUESTED = "close_requested", _("申请撤销建档")
        CLOSE_REJECTED = "close_rejected", _("驳回撤销建档")
        CLOSED = "closed", _("撤销建档")
        REOPENED = "reopened", _("重新建档")
        ESCALATION = "escalation", _("重大安全隐患上报")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # [{"field": "risk_level", "old": "low", "new": "high"}, …] and a short summary; both encrypted, as
    # they repeat the case's texts (old → new) and a close request's reason.
    changes = EncryptedJSONField(default=list, blank=True)
    summary = EncryptedTextField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        # The assessment walks risk changes by kind and time (issue 13).
        indexes = [models.Index(fields=["kind", "at"], name="caseevent_kind_at")]

    def __str__(self) -> str:
        return f"case {self.case_id} {self.kind}"


class Attachment(models.Model):
    """过程材料: a file attached to a case (or one of its contacts), stored outside the web roots."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    # Encrypted (a title or file name may say 诊断证明); the file itself is encrypted on disk.
    title = EncryptedTextField(_("说明"), max_length=100, blank=True)
    original_name = EncryptedTextField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=64, unique=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.original_name
