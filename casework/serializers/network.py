"""HTTP shapes of the support network: ties, the network map and snapshots."""

from rest_framework import serializers

from casework.models import (
    ContactFrequency,
    NetworkSnapshot,
    NetworkTie,
    SnapshotStage,
    SupportKind,
    TieQuality,
    TieType,
)
from casework.redaction import REDACTED
from casework.serializers.fields import PlausibleDateField
from core.fields import ChoiceLabelField


class NetworkTieSerializer(serializers.ModelSerializer):
    """A tie; its `name` is redacted where the viewer may not identify a restricted client.

    Pass `identity_visible` in the context for a single client's ties, or
    serialize rows annotated by the selector.
    """

    tie_type_label = ChoiceLabelField("tie_type")
    support_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=SupportKind.choices), read_only=True
    )
    current = serializers.SerializerMethodField()

    class Meta:
        model = NetworkTie
        fields = [
            "id",
            "client",
            "name",
            "tie_type",
            "tie_type_label",
            "support_kinds",
            "strength",
            "contact_frequency",
            "quality",
            "started_on",
            "ended_on",
            "current",
            "source",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_current(self, tie: NetworkTie) -> bool:
        return tie.ended_on is None

    def to_representation(self, tie):
        data = super().to_representation(tie)
        visible = self.context.get("identity_visible", getattr(tie, "identity_visible", False))
        if not visible:
            data["name"] = REDACTED
        return data


class NetworkTieWriteSerializer(serializers.Serializer):
    """Input for a tie; `source` is not accepted (services set it, e.g. for referrals)."""

    name = serializers.CharField(max_length=200)
    tie_type = serializers.ChoiceField(choices=TieType.choices)
    support_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=SupportKind.choices),
        required=False,
        max_length=len(SupportKind.values),
    )
    strength = serializers.IntegerField(min_value=1, max_value=5)
    contact_frequency = serializers.ChoiceField(choices=ContactFrequency.choices)
    quality = serializers.ChoiceField(choices=TieQuality.choices)
    started_on = PlausibleDateField(required=False)


class NetworkTieCreateSerializer(NetworkTieWriteSerializer):
    client = serializers.UUIDField()


class NetworkTieEndSerializer(serializers.Serializer):
    ended_on = PlausibleDateField(required=False, help_text="Defaults to today.")


class NetworkSummarySerializer(serializers.Serializer):
    size = serializers.IntegerField()
    supportive_count = serializers.IntegerField()
    by_type = serializers.DictField(child=serializers.IntegerField())
    by_support_kind = serializers.DictField(child=serializers.IntegerField())
    mean_strength = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)


class NetworkSeriesPointSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    taken_on = serializers.DateField()
    stage = serializers.ChoiceField(choices=SnapshotStage.choices)
    size = serializers.IntegerField()
    supportive_count = serializers.IntegerField()
    mean_strength = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True)


class NetworkMapSerializer(serializers.Serializer):
    """A client's current network, its summary figures and the series of its snapshots."""

    client = serializers.UUIDField(source="client.pk")
    ties = NetworkTieSerializer(many=True)
    summary = NetworkSummarySerializer()
    series = NetworkSeriesPointSerializer(many=True)


class NetworkSnapshotSerializer(serializers.ModelSerializer):
    """A snapshot with the ties as they were; names redacted as for live ties."""

    ties = serializers.SerializerMethodField()

    class Meta:
        model = NetworkSnapshot
        fields = [
            "id",
            "client",
            "taken_on",
            "stage",
            "size",
            "supportive_count",
            "mean_strength",
            "ties",
            "taken_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_ties(self, frozen: NetworkSnapshot) -> list[dict]:
        visible = self.context.get("identity_visible", getattr(frozen, "identity_visible", False))
        if visible:
            return frozen.ties
        return [{**tie, "name": REDACTED} for tie in frozen.ties]


class NetworkSnapshotCreateSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=SnapshotStage.choices)
    taken_on = PlausibleDateField(required=False, help_text="Defaults to today.")
