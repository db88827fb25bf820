"""Serializers for exports: definitions, the request body, the register and governance flags."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.nz.fiscal import parse_period
from reporting.exports.definitions import DEFINITIONS
from reporting.exports.services import EXPORT_FORMATS, ExportRequest, GovernanceFlagInput
from reporting.models import (
    DataGovernanceFlag,
    ExportRun,
    GovernanceFlagKind,
    GovernanceScope,
    ReportStatus,
)


class ColumnSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.CharField(source="dtype")
    description = serializers.CharField()
    identifiable = serializers.BooleanField()
    iwi = serializers.BooleanField()


class TableSerializer(serializers.Serializer):
    name = serializers.CharField()
    grain = serializers.CharField()
    description = serializers.CharField()
    dimensions = serializers.ListField(child=serializers.CharField())
    columns = ColumnSerializer(many=True)


class DefinitionSerializer(serializers.Serializer):
    """An export definition with its data dictionary."""

    name = serializers.CharField()
    version = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    use = serializers.CharField()
    grain = serializers.CharField()
    filters = serializers.ListField(child=serializers.CharField())
    tables = TableSerializer(many=True)


class ExportCreateSerializer(serializers.Serializer):
    """What to export: a definition, a period ("2025/26" or "2025Q3"), a format, and the
    funder (by name, or through one of its programmes your agency delivers)."""

    definition = serializers.ChoiceField(choices=sorted(DEFINITIONS))
    period = serializers.CharField(
        help_text='A NZ fiscal year ("2025/26") or a quarter ("2025Q3").'
    )
    format = serializers.ChoiceField(choices=list(EXPORT_FORMATS))
    funder = serializers.CharField(required=False, allow_blank=True, max_length=200)
    programme = serializers.UUIDField(required=False)

    def validate_period(self, value: str) -> str:
        try:
            parse_period(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None
        return value

    def validate(self, attrs):
        if not attrs.get("programme") and not (attrs.get("funder") or "").strip():
            raise serializers.ValidationError(
                {"funder": ["Name the funder, or a programme it funds."]}
            )
        return attrs

    def to_request(self) -> ExportRequest:
        data = self.validated_data
        return ExportRequest(
            definition=data["definition"],
            period=data["period"],
            output_format=data["format"],
            funder=data.get("funder", ""),
            programme_id=data.get("programme"),
        )


class ExportRunSerializer(serializers.ModelSerializer):
    """One export in the register: what, for whom, by whom, its status and its file."""

    version = serializers.IntegerField(source="definition_version", read_only=True)
    period = serializers.SerializerMethodField()
    format = serializers.CharField(source="job.output_format", read_only=True)
    status = serializers.ChoiceField(
        source="job.status", choices=ReportStatus.choices, read_only=True
    )
    progress = serializers.IntegerField(source="job.progress", read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    report_job = serializers.UUIDField(source="job_id", read_only=True)
    finished_at = serializers.DateTimeField(source="job.finished_at", read_only=True)
    size = serializers.IntegerField(source="job.size", read_only=True)
    sha256 = serializers.CharField(source="job.sha256", read_only=True)
    error = serializers.CharField(source="job.error", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportRun
        fields = [
            "id",
            "definition",
            "version",
            "funder",
            "period",
            "format",
            "parameters",
            "status",
            "progress",
            "requested_by",
            "created_at",
            "finished_at",
            "row_counts",
            "summary",
            "size",
            "sha256",
            "error",
            "rerun_of",
            "report_job",
            "download_url",
        ]
        read_only_fields = fields

    def get_period(self, run: ExportRun) -> str:
        return run.parameters.get("period", "")

    def get_download_url(self, run: ExportRun) -> str | None:
        if run.job.status != ReportStatus.DONE:
            return None
        return reverse("export-run-download", kwargs={"pk": run.pk})


class ExportDiffChangeSerializer(serializers.Serializer):
    table = serializers.CharField()
    cell = serializers.CharField()
    column = serializers.CharField()
    before = serializers.CharField(allow_null=True)
    after = serializers.CharField(allow_null=True)


class ExportDiffSerializer(serializers.Serializer):
    """How the published figures of one export changed in another, cell by cell."""

    definition = serializers.CharField()
    from_export = serializers.UUIDField()
    to_export = serializers.UUIDField()
    from_version = serializers.IntegerField()
    to_version = serializers.IntegerField()
    changes = ExportDiffChangeSerializer(many=True)
    unchanged_cells = serializers.IntegerField()


@extend_schema_field(
    {
        "type": "string",
        "pattern": "^(" + "|".join(GovernanceFlagKind.values) + ")$",
        "description": "One of: " + ", ".join(GovernanceFlagKind.values) + ".",
    }
)
class FlagKindField(serializers.ChoiceField):
    """The flag kind, described inline: "kind" names other enums in the schema too."""

    def __init__(self, **kwargs):
        super().__init__(choices=GovernanceFlagKind.choices, **kwargs)


class GovernanceFlagSerializer(serializers.ModelSerializer):
    """A data-governance flag and its state."""

    kind = FlagKindField(read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)
    withdrawn_by = serializers.CharField(
        source="withdrawn_by.username", read_only=True, allow_null=True, default=None
    )
    current = serializers.SerializerMethodField()

    class Meta:
        model = DataGovernanceFlag
        fields = [
            "id",
            "scope",
            "client",
            "whanau",
            "iwi_code",
            "kind",
            "consent",
            "consent_reference",
            "effective_from",
            "notes",
            "recorded_by",
            "recorded_at",
            "withdrawn_at",
            "withdrawn_by",
            "withdrawal_reason",
            "current",
        ]
        read_only_fields = fields

    def get_current(self, flag: DataGovernanceFlag) -> bool:
        return flag.withdrawn_at is None


class GovernanceFlagCreateSerializer(serializers.Serializer):
    """A new flag: its subject (a client, a whānau or an iwi code), kind and consent."""

    scope = serializers.ChoiceField(choices=GovernanceScope.choices)
    client = serializers.UUIDField(required=False)
    whanau = serializers.UUIDField(required=False)
    iwi_code = serializers.CharField(required=False, allow_blank=True, max_length=4)
    kind = FlagKindField()
    consent = serializers.UUIDField(required=False)
    consent_reference = serializers.CharField(required=False, allow_blank=True, max_length=200)
    effective_from = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, max_length=4000)

    def validate(self, attrs):
        errors = {}
        subject = {
            GovernanceScope.CLIENT: "client",
            GovernanceScope.WHANAU: "whanau",
            GovernanceScope.IWI: "iwi_code",
        }[attrs["scope"]]
        if not attrs.get(subject):
            errors[subject] = ["This field is required for this scope."]
        for other in {"client", "whanau", "iwi_code"} - {subject}:
            if attrs.get(other):
                errors[other] = ["Give only the subject of the flag's scope."]
        if not attrs.get("consent") and not (attrs.get("consent_reference") or "").strip():
            errors["consent_reference"] = [
                "Record the consent: a consent on file or where the decision is recorded."
            ]
        if attrs.get("consent") and attrs["scope"] != GovernanceScope.CLIENT:
            errors["consent"] = ["A recorded consent belongs to a client flag."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def to_input(self) -> GovernanceFlagInput:
        data = self.validated_data
        return GovernanceFlagInput(
            scope=data["scope"],
            kind=data["kind"],
            effective_from=data["effective_from"],
            client_id=data.get("client"),
            whanau_id=data.get("whanau"),
            iwi_code=data.get("iwi_code", ""),
            consent_id=data.get("consent"),
            consent_reference=data.get("consent_reference", ""),
            notes=data.get("notes", ""),
        )


class GovernanceFlagWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)
