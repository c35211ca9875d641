"""辅导记录: talks, dorm visits, parent contacts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from careledger.contacts import rules
from careledger.core.fields import EncryptedTextField


class ContactKind(models.TextChoices):
    """The kinds of 辅导记录; which rules each serves is ``rules.KIND_RULES`` (the one definition)."""

    TALK = "talk", _("谈心交流")
    DORM_VISIT = "dorm_visit", _("下寝室交流")
    PARENT = "parent", _("联系家长")
    OTHER = "other", _("其他")


class Contact(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("方式"), max_length=20, choices=ContactKind.choices)
    occurred_at = models.DateTimeField(_("辅导时间"))
    # The Asia/Shanghai date of occurred_at: the window a contact counts for (kept for indexed counting).
    local_date = models.DateField(db_index=True)
    location = models.CharField(_("辅导地点"), max_length=100, blank=True)
    # Encrypted at rest (SEC-27).
    content = EncryptedTextField(_("辅导内容"), blank=True)
    effect = EncryptedTextField(_("效果评估"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("辅导记录")
        verbose_name_plural = _("辅导记录")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["case", "local_date"], name="contact_case_date"),
            models.Index(fields=["case", "local_date", "kind"], name="contact_case_date_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.local_date}"


assert set(ContactKind.values) == rules.CONTACT_KINDS, "ContactKind and rules.KIND_RULES must name the same kinds"


class ComplianceRule(models.TextChoices):
    TALK = rules.Rule.TALK.value, _("谈心交流")
    DORM_VISIT = rules.Rule.DORM_VISIT.value, _("下寝室交流")
    KEY_PERIOD = rules.Rule.KEY_PERIOD.value, _("重点时段谈心")


class ComplianceWindow(models.Model):
    """One required window of one case in one semester, as ``contacts/rules.py`` computes it: maintained in the
    same transaction as every change that moves it (contacts/compliance.py) and rebuilt exactly by
    ``careledger compliance rebuild``. Every list, count and figure reads this table, never the contacts."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="compliance_windows")
    semester = models.ForeignKey("core.Semester", on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(max_length=12, choices=ComplianceRule.choices)
    start = models.DateField()  # the window's first due day
    end = models.DateField()  # its last due day
    required = models.PositiveSmallIntegerField()
    done = models.PositiveSmallIntegerField(default=0)
    met = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("联系窗口")
        verbose_name_plural = _("联系窗口")
        constraints = [
            models.UniqueConstraint(fields=["case", "semester", "rule", "start"], name="one_window_per_rule_start"),
        ]
        indexes = [
            models.Index(fields=["semester", "met", "end"], name="compliance_semester_met_end"),
            models.Index(fields=["case", "end"], name="compliance_case_end"),
            # The assessment's per-case count of a semester's ended and met windows reads this index alone.
            models.Index(fields=["semester", "case", "end", "met"], name="compliance_semester_case"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.rule} {self.start}..{self.end} {self.done}/{self.required}"

    def as_window(self) -> rules.Window:
        return rules.Window(rules.Rule(self.rule), self.start, self.end, self.required, self.done)
