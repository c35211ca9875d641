"""Evidence for the survey (摸排): screening results, the offices' lists (signals) and the suggestions
they become. Item answers and the lists' rows are encrypted at rest (SEC-27); only the level, the
reason in words and the flags needed to decide live in plain columns."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from careledger.cases.categories import Category
from careledger.core.fields import EncryptedJSONField, EncryptedTextField


class Scale(models.TextChoices):
    UPI = "upi", "UPI"
    SCL90 = "scl90", "SCL-90"
    PHQ9 = "phq9", "PHQ-9"
    GAD7 = "gad7", "GAD-7"


class SignalKind(models.TextChoices):
    AID = "aid", _("资助认定")
    ACADEMIC = "academic", _("学业预警")
    DISCIPLINE = "discipline", _("违纪处分")
    HEALTH = "health", _("校医院/残疾")
    CARD = "card", _("一卡通消费")
    DORM = "dorm", _("宿舍晚归/夜不归宿")


class ScreeningResult(models.Model):
    """One student's result on one scale in one semester (a re-import replaces it)."""

    student = models.ForeignKey("roster.Student", on_delete=models.PROTECT, related_name="screenings")
    semester = models.ForeignKey("core.Semester", on_delete=models.PROTECT, related_name="+")
    scale = models.CharField(_("量表"), max_length=10, choices=Scale.choices)
    total = models.IntegerField(_("总分"))
    level = models.CharField(_("等级"), max_length=20)
    flagged = models.BooleanField(_("需关注"), default=False)
    urgent = models.BooleanField(_("紧急"), default=False)
    reason = models.CharField(_("说明"), max_length=300)
    # {"answers": {item: value}, "flags": [...], "factors": {...}} — read by the psych centre only.
    detail = EncryptedJSONField(_("作答与评分明细"), default=dict)
    escalation = models.ForeignKey(
        "escalations.Escalation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(_("导入时间"))

    class Meta:
        verbose_name = _("心理普查结果")
        verbose_name_plural = _("心理普查结果")
        ordering = ["student_id", "scale"]
        constraints = [
            models.UniqueConstraint(fields=["student", "semester", "scale"], name="one_result_per_scale_semester")
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.scale} {self.level}"


class Signal(models.Model):
    """One row of an office's list (资助认定, 学业预警 …) for one student, kept as evidence."""

    student = models.ForeignKey("roster.Student", on_delete=models.PROTECT, related_name="signals")
    semester = models.ForeignKey("core.Semester", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("来源"), max_length=12, choices=SignalKind.choices)
    key = models.CharField(max_length=40, blank=True)  # the row's own key (月份, 日期 …): re-imports update it
    level = models.CharField(_("等级"), max_length=20, blank=True)
    flagged = models.BooleanField(_("需关注"), default=False)
    reason = models.CharField(_("说明"), max_length=300)
    row = EncryptedJSONField(_("原始记录"), default=dict)  # discipline and health rows are sensitive
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(_("导入时间"))

    class Meta:
        verbose_name = _("部门名单记录")
        verbose_name_plural = _("部门名单记录")
        ordering = ["student_id", "kind", "key"]
        constraints = [
            models.UniqueConstraint(fields=["student", "semester", "kind", "key"], name="one_signal_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.kind} {self.key}"


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认建档")
    DECLINED = "declined", _("已排除")
    COVERED = "covered", _("已在档")


class Suggestion(models.Model):
    """A suggested case (or category) for the counselor to confirm or decline — nothing opens by itself.

    One per student, semester, category and source (``upi``, ``aid`` …): a re-import refreshes the
    reason and the date, never a decision already taken.
    """

    student = models.ForeignKey("roster.Student", on_delete=models.PROTECT, related_name="suggestions")
    semester = models.ForeignKey("core.Semester", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    source = models.CharField(_("来源"), max_length=12)  # a Scale or a SignalKind value
    reason = models.CharField(_("理由"), max_length=300)  # in words; never item answers
    evidence_at = models.DateTimeField(_("证据日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.PENDING, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = EncryptedTextField(_("排除理由"), blank=True)
    case = models.ForeignKey("cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("建档建议")
        verbose_name_plural = _("建档建议")
        ordering = ["student_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "semester", "category", "source"], name="one_suggestion_per_source"
            )
        ]
        indexes = [models.Index(fields=["semester", "status"], name="suggestion_semester_status")]

    def __str__(self) -> str:
        return f"{self.student_id} {self.category} {self.source} {self.status}"

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source, self.source)


SOURCE_LABELS = {
    "upi": "心理中心 · UPI 普查",
    "scl90": "心理中心 · SCL-90 普查",
    "phq9": "心理中心 · PHQ-9 筛查",
    "gad7": "心理中心 · GAD-7 筛查",
    "aid": "资助中心 · 家庭经济困难认定",
    "academic": "教务处 · 学业预警",
    "discipline": "保卫处 · 违纪处分",
    "health": "校医院 · 健康/残疾记录",
    "card": "后勤 · 一卡通消费",
    "dorm": "宿管 · 晚归/夜不归宿",
}
