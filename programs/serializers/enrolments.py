"""HTTP shapes of enrolments."""

from rest_framework import serializers

from casework.access import cases_visible_to
from programs.models import Enrolment, EnrolmentStatus
from programs.selectors.programmes import programmes_visible_to


class EnrolmentSerializer(serializers.ModelSerializer):
    programme_name = serializers.CharField(source="programme.name", read_only=True)
    enrolled_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "case",
            "programme",
            "programme_name",
            "status",
            "started_on",
            "ended_on",
            "end_reason",
            "enrolled_by",
            "created_at",
        ]
        read_only_fields = fields


class EnrolmentCreateSerializer(serializers.Serializer):
    """Input for enrolling a case you work in a programme your agency delivers."""

    case = serializers.PrimaryKeyRelatedField(queryset=cases_visible_to(None))
    programme = serializers.PrimaryKeyRelatedField(queryset=programmes_visible_to(None))
    started_on = serializers.DateField(required=False, allow_null=True, default=None)

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        if actor is not None:
            self.fields["case"].queryset = cases_visible_to(actor)
            self.fields["programme"].queryset = programmes_visible_to(actor)


class EnrolmentEndSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[(EnrolmentStatus.COMPLETED, "Completed"), (EnrolmentStatus.WITHDRAWN, "Withdrawn")]
    )
    ended_on = serializers.DateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
