"""HTTP shapes of goals and goal reviews."""

from rest_framework import serializers

from casework.models import Goal, GoalReview, GoalStatus, Pou
from casework.serializers.fields import PlausibleDateField
from core.fields import ChoiceLabelField


class GoalSerializer(serializers.ModelSerializer):
    """A goal with its pou (code and label) and its latest review's date and progress."""

    pou_label = ChoiceLabelField("pou")
    # A plain string in the schema: the same choice set is documented once, as `status_after`.
    status = serializers.CharField(
        read_only=True,
        help_text="not_started, in_progress, achieved or discontinued; set by reviews.",
    )
    status_label = ChoiceLabelField("status")
    last_reviewed_on = serializers.DateField(read_only=True, allow_null=True)
    last_progress = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Goal
        fields = [
            "id",
            "case",
            "member",
            "pou",
            "pou_label",
            "description",
            "target_date",
            "next_review_on",
            "status",
            "status_label",
            "last_reviewed_on",
            "last_progress",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class GoalCreateSerializer(serializers.Serializer):
    """Input for a new goal; leave `member` empty for a whānau-level goal (or the case's client)."""

    case = serializers.UUIDField()
    member = serializers.UUIDField(required=False, allow_null=True)
    pou = serializers.ChoiceField(choices=Pou.choices)
    description = serializers.CharField()
    target_date = PlausibleDateField(required=False, allow_null=True)
    next_review_on = PlausibleDateField(required=False, allow_null=True)


class GoalUpdateSerializer(serializers.Serializer):
    """Changes to a goal. Status changes only by recording a review."""

    description = serializers.CharField(required=False)
    target_date = PlausibleDateField(required=False, allow_null=True)
    next_review_on = PlausibleDateField(required=False, allow_null=True)


class GoalReviewSerializer(serializers.ModelSerializer):
    status_after_label = ChoiceLabelField("status_after")

    class Meta:
        model = GoalReview
        fields = [
            "id",
            "goal",
            "reviewed_on",
            "progress",
            "status_after",
            "status_after_label",
            "comment",
            "reviewed_by",
            "created_at",
        ]
        read_only_fields = fields


class GoalReviewCreateSerializer(serializers.Serializer):
    """Input for a review; it sets the goal's status and, optionally, its next review date."""

    reviewed_on = PlausibleDateField()
    progress = serializers.IntegerField(min_value=0, max_value=10)
    status_after = serializers.ChoiceField(choices=GoalStatus.choices)
    comment = serializers.CharField(required=False, allow_blank=True)
    next_review_on = PlausibleDateField(required=False, allow_null=True)
