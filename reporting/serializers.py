"""Serializers for report jobs: the request body and the job's status."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reporting.models import ReportFormat, ReportJob, ReportKind, ReportStatus
from reporting.services import ReportRequest

NEEDS_CLIENT = {ReportKind.CLIENT_OUTCOME, ReportKind.MY_INFORMATION}
NEEDS_PROGRAM = {ReportKind.PROGRAMME_OUTCOME, ReportKind.CLIENT_OUTCOME_BATCH}
NEEDS_PERIOD = {
    ReportKind.CLIENT_OUTCOME,
    ReportKind.PROGRAMME_OUTCOME,
    ReportKind.CLIENT_OUTCOME_BATCH,
}
MAX_PERIOD_DAYS = 3 * 366


@extend_schema_field(
    {
        "type": "string",
        # A pattern, not an enum: the schema's enum naming would clash with other "kind"s.
        "pattern": "^(" + "|".join(ReportKind.values) + ")$",
        "description": "One of: " + ", ".join(ReportKind.values) + ".",
    }
)
class ReportKindField(serializers.ChoiceField):
    """The report kind, described inline: "kind" names other enums in the schema too."""

    def __init__(self, **kwargs):
        super().__init__(choices=ReportKind.choices, **kwargs)


class ReportJobCreateSerializer(serializers.Serializer):
    """What to report on. `client` for client-outcome and my-information; `program` for
    programme-outcome and client-outcome-batch; a period for all but my-information."""

    kind = ReportKindField()
    client = serializers.UUIDField(required=False)
    program = serializers.UUIDField(required=False)
    agency = serializers.UUIDField(
        required=False, help_text="Programme reports: your own agency (the default)."
    )
    period_start = serializers.DateField(required=False)
    period_end = serializers.DateField(required=False)
    format = serializers.ChoiceField(
        choices=[ReportFormat.PDF, ReportFormat.JSON],
        default=ReportFormat.PDF,
        help_text="json only for my-information.",
    )
    audience = serializers.ChoiceField(
        choices=[("internal", "Internal"), ("funder", "Funder (counts protected, RR3)")],
        default="internal",
        help_text="programme-outcome only.",
    )

    def validate(self, attrs):
        kind = ReportKind(attrs["kind"])
        if kind == ReportKind.COMPLIANCE_EXPORT:
            raise serializers.ValidationError(
                {"kind": ["Compliance exports are asked for at /api/v1/exports/."]}
            )
        errors: dict[str, list[str]] = {}
        required = "This field is required for this kind of report."
        if kind in NEEDS_CLIENT and not attrs.get("client"):
            errors["client"] = [required]
        if kind in NEEDS_PROGRAM and not attrs.get("program"):
            errors["program"] = [required]
        start, end = attrs.get("period_start"), attrs.get("period_end")
        if kind in NEEDS_PERIOD:
            for name in ("period_start", "period_end"):
                if attrs.get(name) is None:
                    errors[name] = [required]
        elif (start is None) != (end is None):
            errors["period_end" if start else "period_start"] = ["Give both ends of the period."]
        if start and end:
            if end < start:
                errors["period_end"] = ["The period must not end before it starts."]
            elif (end - start).days > MAX_PERIOD_DAYS:
                errors["period_end"] = ["A report covers at most three years."]
        if attrs["format"] == ReportFormat.JSON and kind != ReportKind.MY_INFORMATION:
            errors["format"] = ["JSON is available for my-information reports only."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def to_request(self) -> ReportRequest:
        data = self.validated_data
        return ReportRequest(
            kind=data["kind"],
            client_id=data.get("client"),
            programme_id=data.get("program"),
            agency_id=data.get("agency"),
            period_start=data.get("period_start"),
            period_end=data.get("period_end"),
            output_format=data["format"],
            audience=data["audience"],
        )


class ReportJobSerializer(serializers.ModelSerializer):
    """A job's status; `download_url` is set once it is done."""

    kind = ReportKindField(read_only=True)
    status = serializers.ChoiceField(choices=ReportStatus.choices, read_only=True)
    format = serializers.CharField(source="output_format", read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    download_url = serializers.SerializerMethodField()
    members = serializers.SerializerMethodField()

    class Meta:
        model = ReportJob
        fields = [
            "id",
            "kind",
            "format",
            "parameters",
            "status",
            "progress",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "size",
            "sha256",
            "error",
            "attempts",
            "download_url",
            "members",
        ]
        read_only_fields = fields

    def get_download_url(self, job: ReportJob) -> str | None:
        if job.status != ReportStatus.DONE:
            return None
        return reverse("report-job-download", kwargs={"pk": job.pk})

    def get_members(self, job: ReportJob) -> dict[str, int] | None:
        """For a batch: how many member reports are in each status."""
        if job.kind != ReportKind.CLIENT_OUTCOME_BATCH:
            return None
        counts = {status: 0 for status in ReportStatus.values}
        for status in job.children.values_list("status", flat=True):
            counts[status] += 1
        return counts
