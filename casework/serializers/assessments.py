"""HTTP shapes of instruments and assessments."""

from rest_framework import serializers

from casework.models import Assessment, Case, Instrument, SnapshotStage
from casework.serializers.fields import PlausibleDateField


class InstrumentSerializer(serializers.ModelSerializer):
    """An outcome measure: its items, response scale, scores and flags, as data."""

    class Meta:
        model = Instrument
        fields = ["code", "name", "version", "source", "definition"]
        read_only_fields = fields


class AssessmentSerializer(serializers.ModelSerializer):
    """An administered assessment with the scores the server computed."""

    instrument_name = serializers.CharField(source="instrument.name", read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "client",
            "case",
            "instrument",
            "instrument_name",
            "stage",
            "administered_on",
            "answers",
            "scores",
            "next_due_on",
            "administered_by",
            "created_at",
        ]
        read_only_fields = fields


class AssessmentCreateSerializer(serializers.Serializer):
    """Input for an assessment: answers keyed by item code. Scores are computed, never sent."""

    client = serializers.UUIDField()
    case = serializers.PrimaryKeyRelatedField(
        queryset=Case.objects.none(), required=False, allow_null=True
    )
    instrument = serializers.PrimaryKeyRelatedField(queryset=Instrument.objects.none())
    stage = serializers.ChoiceField(choices=SnapshotStage.choices)
    administered_on = PlausibleDateField()
    answers = serializers.DictField(child=serializers.JSONField())

    def __init__(self, *args, cases=None, instruments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if cases is not None:
            self.fields["case"].queryset = cases
        if instruments is not None:
            self.fields["instrument"].queryset = instruments

    def validate(self, attrs):
        if "scores" in self.initial_data:
            raise serializers.ValidationError(
                {"scores": ["Scores are computed by the server; do not send them."]}
            )
        return attrs
