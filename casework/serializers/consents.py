"""HTTP shapes of consent records."""

from rest_framework import serializers

from casework.models import Consent, ConsentMethod, ConsentPurpose
from casework.selectors.consents import ConsentState
from core.fields import ChoiceLabelField, SafeDateTimeField
from core.models import Agency


class ConsentSerializer(serializers.ModelSerializer):
    """A consent as staff see it, with its `state` now (current, withdrawn or expired)."""

    purpose_label = ChoiceLabelField("purpose")
    recipient_agency_name = serializers.CharField(
        source="recipient_agency.name", read_only=True, default=None, allow_null=True
    )
    method_label = ChoiceLabelField("method")
    state = serializers.ChoiceField(choices=ConsentState.choices, read_only=True)

    class Meta:
        model = Consent
        fields = [
            "id",
            "client",
            "purpose",
            "purpose_label",
            "recipient_agency",
            "recipient_agency_name",
            "recipient_name",
            "given_at",
            "expires_at",
            "withdrawn_at",
            "withdrawal_reason",
            "method",
            "method_label",
            "notes",
            "state",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields


class ConsentCreateSerializer(serializers.Serializer):
    """Input for recording a consent: exactly one of `recipient_agency` and `recipient_name`."""

    client = serializers.UUIDField()
    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    recipient_agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.none(), required=False, allow_null=True
    )
    recipient_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    given_at = SafeDateTimeField()
    expires_at = SafeDateTimeField(required=False, allow_null=True)
    method = serializers.ChoiceField(choices=ConsentMethod.choices)
    notes = serializers.CharField(required=False, allow_blank=True)

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["recipient_agency"].queryset = agencies


class ConsentWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField()
