"""Long work (api.md "Long work (jobs)"): one row per job, what the page's progress bar and
``GET /api/v1/jobs/{id}/`` show. The queue itself is Django's tasks framework (``jobs/tasks.py``); this
row is the job's own record — owner, progress, result, and the lease that lets a dead worker's job run
again (``services.jobs_recover``)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobKind(models.TextChoices):
    CASE_FILES = "case_files", _("学院档案表压缩包")
    SCHOOL_LEDGER = "school_ledger", _("全校台账")
    ROSTER_IMPORT = "roster_import", _("学生名单导入")
    SCREENING_IMPORT = "screening_import", _("筛查结果导入")
    DELIVER = "deliver", _("发送通知")
    TICK = "tick", _("定时处理")
    REMIND = "remind", _("每日提醒")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("类型"), max_length=20, choices=JobKind.choices)
    # None for the worker's own schedule (tick, remind).
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    status = models.CharField(_("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    params = models.JSONField(default=dict, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    # A job that does its work in steps keeps what it needs to resume here (an import's staged report).
    checkpoint = models.JSONField(default=dict, blank=True)
    # The import's report, or the file's name, size and digest once done.
    report = models.JSONField(default=dict, blank=True)
    result_path = models.CharField(max_length=300, blank=True)  # relative to settings.JOBS_DIR
    result_name = models.CharField(max_length=300, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The schedule's slot ("tick:2026-12-03T09:31"): unique, so several workers enqueue it once.
    slot = models.CharField(max_length=40, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        indexes = [models.Index(fields=["status", "heartbeat_at"]), models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.id} ({self.status})"
