"""Staff accounts and their grants. A grant is a role plus the scope it applies to."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SCHOOL_ADMIN = "school_admin", _("学工处管理员")
    COLLEGE_ADMIN = "college_admin", _("学院负责人")
    COUNSELOR = "counselor", _("辅导员")
    CLASS_TEACHER = "class_teacher", _("班主任")
    MENTOR = "mentor", _("帮扶导师")
    DEPARTMENT = "department", _("职能部门")
    SECTION = "section", _("学工处科室")
    AUDITOR = "auditor", _("审计员")


class User(AbstractUser):
    """A staff member. Students never have accounts (the notice forbids giving them the ledger)."""

    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机"), max_length=20, blank=True)
    staff_no = models.CharField(_("工号"), max_length=30, blank=True, db_index=True)
    # An admin-issued password must be changed at first use (MLPS 8.1.4.1a).
    must_change_password = models.BooleanField(_("须修改密码"), default=False)

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")
        ordering = ["username"]

    def __str__(self) -> str:
        return f"{self.name or self.username} ({self.username})"


class Grant(models.Model):
    """Role + scope. Scope fields used per role:

    college_admin: college; counselor: college + grades and/or classes; class_teacher: classes
    (college implied); mentor: college (which college may pair them); department: department;
    section: section; school_admin and auditor: none.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    college = models.ForeignKey(
        "roster.College", on_delete=models.PROTECT, null=True, blank=True, related_name="grants"
    )
    grades = models.JSONField(_("年级"), default=list, blank=True)
    classes = models.ManyToManyField("roster.SchoolClass", blank=True, related_name="grants")
    department = models.ForeignKey(
        "escalations.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="grants"
    )
    # 分类报到相关科室: a 学工处 section sees its categories' ledger tables across all colleges.
    section = models.ForeignKey(
        "ledgers.Section", on_delete=models.PROTECT, null=True, blank=True, related_name="grants"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("授权")
        verbose_name_plural = _("授权")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.user.username}: {self.role}"
