"""The school's organisation and roster: colleges, majors, classes, dorm rooms and students."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from careledger.core.fields import EncryptedTextField


class College(models.Model):
    name = models.CharField(_("学院"), max_length=100, unique=True)
    code = models.CharField(_("代码"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("学院")
        verbose_name_plural = _("学院")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Major(models.Model):
    college = models.ForeignKey(College, on_delete=models.PROTECT, related_name="majors")
    name = models.CharField(_("专业"), max_length=100)

    class Meta:
        verbose_name = _("专业")
        verbose_name_plural = _("专业")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["college", "name"], name="major_unique_per_college")]

    def __str__(self) -> str:
        return self.name


class SchoolClass(models.Model):
    """A class (班级) such as 2023级汉语言文学1班; addressed by its name, unique within its college."""

    college = models.ForeignKey(College, on_delete=models.PROTECT, related_name="classes")
    major = models.ForeignKey(Major, on_delete=models.PROTECT, null=True, blank=True, related_name="classes")
    grade = models.CharField(_("年级"), max_length=4, db_index=True)
    name = models.CharField(_("班级"), max_length=100)

    class Meta:
        verbose_name = _("班级")
        verbose_name_plural = _("班级")
        ordering = ["grade", "name"]
        constraints = [models.UniqueConstraint(fields=["college", "name"], name="class_unique_per_college")]

    def __str__(self) -> str:
        return self.name


class Dorm(models.Model):
    """A dorm room (寝室) kept as its display string, e.g. 东区12栋305."""

    name = models.CharField(_("寝室"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("寝室")
        verbose_name_plural = _("寝室")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Student(models.Model):
    """A student on the roster. Students are records, never users: they get no access to anything."""

    student_no = models.CharField(_("学号"), max_length=20, unique=True)
    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    name_initials = models.CharField(_("姓名拼音首字母"), max_length=50, db_index=True, blank=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    college = models.ForeignKey(College, on_delete=models.PROTECT, related_name="students")
    major = models.ForeignKey(Major, on_delete=models.PROTECT, null=True, blank=True, related_name="students")
    grade = models.CharField(_("年级"), max_length=4, db_index=True)
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="students", verbose_name=_("班级")
    )
    dorm = models.ForeignKey(
        Dorm, on_delete=models.SET_NULL, null=True, blank=True, related_name="students", verbose_name=_("寝室")
    )
    phone = models.CharField(_("联系方式"), max_length=20, blank=True)
    # Encrypted at rest (SEC-27): parents' contacts and the ID number. 学号 and name stay searchable.
    parent_name = EncryptedTextField(_("家长姓名"), max_length=50, blank=True)
    parent_phone = EncryptedTextField(_("家长联系方式"), max_length=20, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    native_place = models.CharField(_("籍贯"), max_length=100, blank=True)
    id_number = EncryptedTextField(_("身份证号"), max_length=18, blank=True)
    is_active = models.BooleanField(_("在册"), default=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("学生")
        verbose_name_plural = _("学生")
        ordering = ["student_no"]
        indexes = [models.Index(fields=["college", "grade"], name="student_college_grade")]

    def __str__(self) -> str:
        return f"{self.student_no} {self.name}"


class EnrolmentStatus(models.TextChoices):
    """学籍状态 (product.md, "Student status"). Only 在校 students owe contacts."""

    ENROLLED = "enrolled", _("在校")
    LEAVE = "leave", _("休学/保留学籍")
    WITHDRAWN = "withdrawn", _("退学")
    GRADUATED = "graduated", _("毕业")
    TRANSFERRED = "transferred", _("转出")


class StudentStatus(models.Model):
    """One entry of a student's 学籍状态 history: `status` holds from `since` until the next entry's `since`.

    A student with no entry is 在校. The history is kept (never overwritten except for a second change on the
    same day, which replaces that day's entry); it decides on which days contacts are due.
    """

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="status_history")
    status = models.CharField(_("学籍状态"), max_length=12, choices=EnrolmentStatus.choices)
    since = models.DateField(_("状态日期"))
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("学籍状态")
        verbose_name_plural = _("学籍状态")
        ordering = ["student", "since", "id"]
        constraints = [models.UniqueConstraint(fields=["student", "since"], name="one_status_per_student_day")]

    def __str__(self) -> str:
        return f"{self.student_id} {self.status} {self.since}"
