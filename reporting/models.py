"""Report jobs: who asked for which report, how far it got, and the file it produced."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import Agency


class ReportKind(models.TextChoices):
    CLIENT_OUTCOME = "client-outcome", "Client outcome report"
    PROGRAMME_OUTCOME = "programme-outcome", "Programme outcome report"
    MY_INFORMATION = "my-information", "My information (Privacy Act IPP 6)"
    CLIENT_OUTCOME_BATCH = "client-outcome-batch", "Client outcome reports for a programme"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    JSON = "json", "JSON"
    ZIP = "zip", "ZIP of PDFs"


def report_upload_to(job: "ReportJob", filename: str) -> str:
    """Reports live under MEDIA_ROOT/reports/, named after their job (never the client)."""
    return f"reports/{job.created_at:%Y/%m}/{filename}"


class ReportJob(models.Model):
    """One report or export: its parameters, its progress and, once done, its file.

    Status moves queued → running → done | failed, only through
    reporting.services; a running job whose worker died is failed by the
    stale-job reaper (docs/adr/0006-report-jobs-and-font.md).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=32, choices=ReportKind.choices)
    output_format = models.CharField(
        max_length=8, choices=ReportFormat.choices, default=ReportFormat.PDF
    )
    parameters = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="report_jobs"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    subject_client_id = models.UUIDField(null=True, blank=True)
    subject_programme_id = models.UUIDField(null=True, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    status = models.CharField(
        max_length=16, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to=report_upload_to, max_length=300, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    confidentiality_seed = models.CharField(
        max_length=64, blank=True, help_text="Secret seed of the RR3 draws; never published."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    celery_task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="report_job_requester"),
            models.Index(fields=["status", "started_at"], name="report_job_status"),
            models.Index(fields=["parent", "status"], name="report_job_parent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=100), name="report_job_progress_0_100"
            ),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.DONE) | (~Q(file="") & Q(size__isnull=False)),
                name="report_job_done_has_file",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} [{self.status}]"

    @property
    def content_type(self) -> str:
        return {
            ReportFormat.PDF: "application/pdf",
            ReportFormat.JSON: "application/json",
            ReportFormat.ZIP: "application/zip",
        }[ReportFormat(self.output_format)]
