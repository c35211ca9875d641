"""Functional departments (职能部门) and safety-risk escalations (重大安全隐患上报)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from careledger.core.fields import EncryptedTextField


class Department(models.Model):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("职能部门")
        verbose_name_plural = _("职能部门")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Severity(models.TextChoices):
    URGENT = "urgent", _("紧急")
    HIGH = "high", _("高")
    NORMAL = "normal", _("一般")


class EscalationStatus(models.TextChoices):
    OPEN = "open", _("待确认")
    ACKNOWLEDGED = "acknowledged", _("已确认")
    RESOLVED = "resolved", _("已处置")


class Escalation(models.Model):
    """A major safety risk reported at once to the college and the chosen departments."""

    # Reported on a case, or — by a screening's immediate-danger answer (evidence app) — on a student who
    # has no open case: nothing opens a case by itself. ``student`` is always set (the case's student).
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="escalations", null=True, blank=True)
    student = models.ForeignKey("roster.Student", on_delete=models.PROTECT, related_name="escalations")
    severity = models.CharField(_("紧急程度"), max_length=10, choices=Severity.choices)
    description = EncryptedTextField(_("情况说明"))  # encrypted at rest (SEC-27), as are resolution and notes
    departments = models.ManyToManyField(Department, blank=True, related_name="escalations")
    status = models.CharField(_("状态"), max_length=15, choices=EscalationStatus.choices, default=EscalationStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("上报时间"))
    due_at = models.DateTimeField(_("确认期限"), db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution = EncryptedTextField(_("处置结果"), blank=True)
    # Set when the acknowledgement deadline passed unmet and the escalation was raised to the school.
    raised_at = models.DateTimeField(_("上报学校时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("重大安全隐患上报")
        verbose_name_plural = _("重大安全隐患上报")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "due_at"], name="escalation_status_due")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.severity} case {self.case_id} student {self.student_id}"

    def save(self, *args, **kwargs) -> None:
        if self.student_id is None and self.case_id is not None:
            self.student_id = self.case.student_id  # reported on a case: the case's student
        super().save(*args, **kwargs)


class EscalationNote(models.Model):
    """处置记录: what the college or a department did about it."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    text = EncryptedTextField(_("处置记录"))

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.escalation_id} {self.at:%Y-%m-%d %H:%M}"
