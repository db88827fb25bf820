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
    COMPLIANCE_EXPORT = "compliance-export", "Compliance export for a funder"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    JSON = "json", "JSON"
    ZIP = "zip", "ZIP of PDFs"
    CSV = "csv", "CSV tables (ZIP)"
    XLSX = "xlsx", "Excel workbook"
    PARQUET = "parquet", "Parquet tables (ZIP)"


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
            # Exports of several tables (and their data dictionary) travel as one ZIP.
            ReportFormat.CSV: "application/zip",
            ReportFormat.PARQUET: "application/zip",
            ReportFormat.XLSX: XLSX_CONTENT_TYPE,
        }[ReportFormat(self.output_format)]


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportRun(models.Model):
    """The register entry of one compliance export: what was exported, for whom, by whom.

    The file, its size, SHA-256 and status live on the report job; the run
    keeps the definition (name and version), the funder, the exact parameters,
    the row counts per table, the published figures (for comparing a re-run)
    and the summary of what confidentiality and data-governance rules left
    out. Written only by reporting.exports.services.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    job = models.OneToOneField(ReportJob, on_delete=models.PROTECT, related_name="export_run")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    definition = models.CharField(max_length=64)
    definition_version = models.PositiveSmallIntegerField()
    funder = models.CharField(max_length=200)
    parameters = models.JSONField(default=dict)
    row_counts = models.JSONField(default=dict, blank=True)
    figures = models.JSONField(
        default=dict, blank=True, help_text="Published figures by table and cell, for diffs."
    )
    summary = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rerun_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reruns"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [
            models.Index(fields=["agency", "-created_at"], name="export_run_agency"),
            models.Index(fields=["definition", "-created_at"], name="export_run_definition"),
        ]

    def __str__(self) -> str:
        return f"{self.definition} v{self.definition_version} for {self.funder} ({self.pk})"


class GovernanceScope(models.TextChoices):
    CLIENT = "client", "Client"
    WHANAU = "whanau", "Whānau"
    IWI = "iwi", "Iwi"


class GovernanceFlagKind(models.TextChoices):
    # Māori data sovereignty: what a client, a whānau or an iwi asked of their data.
    FUNDER_ONLY = "funder_only", "Not to be shared beyond the funder"
    NO_RESEARCH_LINKING = "no_research_linking", "Not for linking into research datasets"
    NO_IWI_IDENTIFICATION = "no_iwi_identification", "Iwi affiliation not to be exported"


class DataGovernanceFlag(models.Model):
    """A data-governance condition on a client's, a whānau's or an iwi's data, given with consent.

    Exactly one subject: a client, a whānau or an iwi code (Stats NZ iwi
    classification). Current from `effective_from` until withdrawn; a
    withdrawn flag stays on record. Every export definition declares its use,
    and the export engine leaves out what a current flag forbids for that use
    (reporting.exports.governance).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(max_length=8, choices=GovernanceScope.choices)
    client = models.ForeignKey(
        "casework.Client",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="governance_flags",
    )
    whanau = models.ForeignKey(
        "casework.Whanau",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="governance_flags",
    )
    iwi_code = models.CharField(max_length=4, blank=True)
    kind = models.CharField(max_length=32, choices=GovernanceFlagKind.choices)
    consent = models.ForeignKey(
        "casework.Consent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The client's recorded consent the flag was given with, if any.",
    )
    consent_reference = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where the decision is recorded, e.g. a hui minute or a data agreement.",
    )
    effective_from = models.DateField()
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-recorded_at", "id"]
        indexes = [
            models.Index(fields=["agency", "kind", "withdrawn_at"], name="governance_flag_agency"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope=GovernanceScope.CLIENT)
                    & Q(client__isnull=False)
                    & Q(whanau__isnull=True)
                    & Q(iwi_code="")
                )
                | (
                    Q(scope=GovernanceScope.WHANAU)
                    & Q(client__isnull=True)
                    & Q(whanau__isnull=False)
                    & Q(iwi_code="")
                )
                | (
                    Q(scope=GovernanceScope.IWI)
                    & Q(client__isnull=True)
                    & Q(whanau__isnull=True)
                    & ~Q(iwi_code="")
                ),
                name="governance_flag_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(consent__isnull=False) | ~Q(consent_reference=""),
                name="governance_flag_has_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.scope} ({self.pk})"
