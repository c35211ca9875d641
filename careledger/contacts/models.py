"""辅导记录: talks, dorm visits, parent contacts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from careledger.core.fields import EncryptedTextField


class ContactKind(models.TextChoices):
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
        indexes = [models.Index(fields=["case", "local_date"], name="contact_case_date")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.local_date}"
