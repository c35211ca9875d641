"""Semesters and their calendar: holidays (寒假/暑假) and key periods (考前, 放假前后)."""

from datetime import date, timedelta

from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _


class SemesterQuerySet(models.QuerySet):
    def holding(self, day: date) -> "SemesterQuerySet":
        """The semester whose dates hold ``day``: it started on or before ``day`` and runs until the day
        before the next semester starts (or, with no later semester, until its own end)."""
        later = Semester.objects.filter(start__gt=OuterRef("start"), start__lte=day)
        followed = Semester.objects.filter(start__gt=day)
        following = Semester.objects.filter(start__gt=OuterRef("start")).order_by("start").values("start")[:1]
        return (
            self.filter(start__lte=day)
            .exclude(Exists(later))
            .filter(Q(end__gte=day) | Exists(followed))
            .annotate(next_start=Subquery(following))  # for effective_end(): the semester runs until the day before
            .order_by("-start")
        )

    def current(self) -> "Semester | None":
        """THE current semester (product.md "Semesters"): the one whose dates hold today, Asia/Shanghai —
        whatever order the semesters were entered in; None when no semester holds today."""
        from careledger.core import clock

        return self.holding(clock.today()).first()


def mark_current(semesters: list["Semester"]) -> "Semester | None":
    """Set ``is_current`` (computed, never stored) on each of ``semesters`` for the templates and the API;
    return the current semester, if it is among them. One query."""
    current = Semester.objects.current()
    for semester in semesters:
        semester.is_current = current is not None and semester.pk == current.pk
    return next((s for s in semesters if s.is_current), None)


class Semester(models.Model):
    name = models.CharField(_("学期"), max_length=50, unique=True)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    ledger_due = models.DateField(_("台账截止日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SemesterQuerySet.as_manager()

    class Meta:
        verbose_name = _("学期")
        verbose_name_plural = _("学期")
        ordering = ["-start"]
        constraints = [
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
