"""Semesters and their calendar: holidays (寒假/暑假) and key periods (考前, 放假前后)."""

from datetime import date, timedelta

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Semester(models.Model):
    name = models.CharField(_("学期"), max_length=50, unique=True)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    ledger_due = models.DateField(_("台账截止日期"))
    is_current = models.BooleanField(_("当前学期"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("学期")
        verbose_name_plural = _("学期")
        ordering = ["-start"]
        constraints = [
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True), name="one_current_semester"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="semester_end_after_start"),
        ]

    def __str__(self) -> str:
        return self.name

    def effective_end(self, next_start: date | None) -> date:
        """A semester runs until the day before the next one starts (寒假 belongs to the first semester)."""
        return next_start - timedelta(days=1) if next_start and next_start > self.end else self.end


class PeriodKind(models.TextChoices):
    HOLIDAY = "holiday", _("假期")
    KEY_PERIOD = "key_period", _("重点时段")


class SemesterPeriod(models.Model):
    semester = models.ForeignKey(Semester, on_delete=models.CASCADE, related_name="periods")
    kind = models.CharField(_("类型"), max_length=20, choices=PeriodKind.choices)
    name = models.CharField(_("名称"), max_length=50)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))

    class Meta:
        verbose_name = _("学期时段")
        verbose_name_plural = _("学期时段")
        ordering = ["start"]

    def __str__(self) -> str:
        return f"{self.name} {self.start}–{self.end}"
