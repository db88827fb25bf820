"""HTTP shapes of correction requests (Privacy Act 2020, IPP 7)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.models import Client, CorrectionRequest
from casework.redaction import REDACTED, client_display_name, identity_is_visible
from casework.serializers.cases import staff_name
from core.fields import ChoiceLabelField, SafeDateTimeField

# What the client wrote may name them; it is shown with their identity only.
_FREE_TEXT_FIELDS = ("client_statement", "statement_of_correction")


class CorrectionRequestSerializer(serializers.ModelSerializer):
    """A correction request as the viewer may see it.

    Expects instances from `casework.selectors.corrections` (client joined,
    `identity_visible` annotated). For a restricted client the viewer may not
    identify, the values sought for identifying fields and the client's own
    words are redacted: the field names and the outcome stay.
    """

    client_display_name = serializers.SerializerMethodField()
    status_label = ChoiceLabelField("status")
    requested_by_name = serializers.SerializerMethodField()
    decided_by_name = serializers.SerializerMethodField()

    class Meta:
        model = CorrectionRequest
        fields = [
            "id",
            "client",
            "client_display_name",
            "requested_at",
            "due_on",
            "requested_changes",
            "client_statement",
            "status",
            "status_label",
            "requested_by",
            "requested_by_name",
            "decided_by",
            "decided_by_name",
            "decided_at",
            "decision_reason",
            "statement_of_correction",
            "recipients_notified",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_client_display_name(self, correction: CorrectionRequest) -> str:
        return client_display_name(correction.client, self._identity_visible(correction))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_requested_by_name(self, correction: CorrectionRequest) -> str | None:
        return staff_name(correction.requested_by)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_decided_by_name(self, correction: CorrectionRequest) -> str | None:
        return staff_name(correction.decided_by)

    def to_representation(self, correction: CorrectionRequest) -> dict:
        data = super().to_representation(correction)
        if identity_is_visible(correction.client, self._identity_visible(correction)):
            return data
        data["requested_changes"] = {
            name: (REDACTED if name in Client.IDENTIFYING_FIELDS else value)
            for name, value in (data["requested_changes"] or {}).items()
        }
        for name in _FREE_TEXT_FIELDS:
            if data.get(name):
                data[name] = REDACTED
        return data

    @staticmethod
    def _identity_visible(correction: CorrectionRequest) -> bool:
        return bool(getattr(correction, "identity_visible", False))


class CorrectionRequestCreateSerializer(serializers.Serializer):
    """A request received from a client: which fields, the values sought, their words."""

    client = serializers.UUIDField()
    requested_changes = serializers.DictField(
        child=serializers.JSONField(),
        help_text=(
            "Client fields to correct and the values sought, e.g. "
            '{"legal_family_name": "Te Kōti", "date_of_birth": "1984-03-02"}.'
        ),
    )
    client_statement = serializers.CharField(help_text="The request in the client's own words.")
    requested_at = SafeDateTimeField(
        required=False, help_text="When the request was received (default: now)."
    )


class CorrectionCorrectSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CorrectionDeclineSerializer(serializers.Serializer):
    reason = serializers.CharField()
    statement_of_correction = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The client's statement of the correction sought (default: their request).",
    )
