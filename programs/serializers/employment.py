"""HTTP shapes of employment support: employers, plans, activities, placements and check-ins."""

from rest_framework import serializers

from casework.redaction import client_display_name
from core.fast_read import FastReadMixin
from core.nz.regions import REGION_CHOICES
from programs.employment_workflow import placement_allowed_transitions
from programs.models import (
    Employer,
    EmploymentActivity,
    EmploymentActivityKind,
    EmploymentBarrier,
    EmploymentPlan,
    Placement,
    PlacementCheckIn,
    PlacementEndReason,
    PlacementStatusChange,
)


def _name(user) -> str | None:
    return (user.get_full_name() or user.get_username()) if user else None


class ClientNameMixin(serializers.Serializer):
    client_display_name = serializers.SerializerMethodField()

    def get_client_display_name(self, obj) -> str:
        return client_display_name(obj.client, getattr(obj, "identity_visible", False))


# ---- employers ------------------------------------------------------------------------------


class EmployerSerializer(FastReadMixin, serializers.ModelSerializer):
    class Meta:
        model = Employer
        fields = [
            "id",
            "name",
            "nzbn",
            "region",
            "industry",
            "contact_name",
            "contact_phone",
            "contact_email",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class EmployerWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    nzbn = serializers.CharField(max_length=20, required=False, allow_blank=True)
    region = serializers.ChoiceField(choices=REGION_CHOICES)
    industry = serializers.CharField(max_length=120, required=False, allow_blank=True)
    contact_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


# ---- plans and activities -------------------------------------------------------------------


class EmploymentPlanSerializer(FastReadMixin, ClientNameMixin, serializers.ModelSerializer):
    created_by_name = serializers.SerializerMethodField()

    class Meta:
        model = EmploymentPlan
        fields = [
            "id",
            "case",
            "client",
            "client_display_name",
            "status",
            "work_goals",
            "barriers",
            "barrier_notes",
            "support_agreed",
            "next_review_on",
            "last_reviewed_on",
            "created_by_name",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_created_by_name(self, plan) -> str | None:
        return _name(plan.created_by)


class EmploymentPlanCreateSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    client = serializers.UUIDField(required=False, help_text="The whānau member, for whānau cases.")
    work_goals = serializers.CharField()
    barriers = serializers.ListField(
        child=serializers.ChoiceField(choices=EmploymentBarrier.choices),
        required=False,
        default=list,
    )
    barrier_notes = serializers.CharField(required=False, allow_blank=True, default="")
    support_agreed = serializers.CharField(required=False, allow_blank=True, default="")
    next_review_on = serializers.DateField()


class EmploymentPlanUpdateSerializer(serializers.Serializer):
    work_goals = serializers.CharField(required=False)
    barriers = serializers.ListField(
        child=serializers.ChoiceField(choices=EmploymentBarrier.choices), required=False
    )
    barrier_notes = serializers.CharField(required=False, allow_blank=True)
    support_agreed = serializers.CharField(required=False, allow_blank=True)
    next_review_on = serializers.DateField(required=False)


class EmploymentPlanReviewSerializer(serializers.Serializer):
    reviewed_on = serializers.DateField(required=False, help_text="Defaults to today.")
    next_review_on = serializers.DateField()
    support_agreed = serializers.CharField(required=False, allow_blank=True)


class EmploymentActivitySerializer(FastReadMixin, ClientNameMixin, serializers.ModelSerializer):
    created_by_name = serializers.SerializerMethodField()

    class Meta:
        model = EmploymentActivity
        fields = [
            "id",
            "case",
            "client",
            "client_display_name",
            "plan",
            "kind",
            "occurred_on",
            "hours",
            "outcome",
            "provider",
            "qualification",
            "nzqa_level",
            "completed",
            "created_by_name",
            "created_at",
        ]
        read_only_fields = fields

    def get_created_by_name(self, activity) -> str | None:
        return _name(activity.created_by)


class EmploymentActivityCreateSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    client = serializers.UUIDField(required=False, help_text="The whānau member, for whānau cases.")
    plan = serializers.UUIDField(required=False)
    kind = serializers.ChoiceField(choices=EmploymentActivityKind.choices)
    occurred_on = serializers.DateField()
    hours = serializers.DecimalField(max_digits=5, decimal_places=2)
    outcome = serializers.CharField(required=False, allow_blank=True, default="")
    provider = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    qualification = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    nzqa_level = serializers.IntegerField(required=False, allow_null=True, default=None)
    completed = serializers.BooleanField(required=False, allow_null=True, default=None)


# ---- placements -----------------------------------------------------------------------------


class PlacementCheckInSerializer(FastReadMixin, serializers.ModelSerializer):
    class Meta:
        model = PlacementCheckIn
        fields = [
            "id",
            "weeks",
            "due_on",
            "recorded_on",
            "still_employed",
            "hours_per_week",
            "notes",
        ]
        read_only_fields = fields


class PlacementHistorySerializer(FastReadMixin, serializers.ModelSerializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    reason = serializers.CharField()
    changed_at = serializers.DateTimeField()
    changed_by = serializers.SerializerMethodField()

    class Meta:
        model = PlacementStatusChange
        fields = ["from_status", "to_status", "reason", "changed_at", "changed_by"]

    def get_changed_by(self, change) -> str | None:
        return _name(change.changed_by)


class PlacementSerializer(FastReadMixin, ClientNameMixin, serializers.ModelSerializer):
    employer = EmployerSerializer(read_only=True)
    subsidy_total = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, allow_null=True
    )
    allowed_transitions = serializers.SerializerMethodField()
    check_ins = PlacementCheckInSerializer(many=True, read_only=True)
    history = PlacementHistorySerializer(source="status_changes", many=True, read_only=True)
    # Blank until the placement ends, so the schema lists "" too.
    end_reason = serializers.ChoiceField(
        choices=PlacementEndReason.choices, read_only=True, allow_blank=True
    )

    class Meta:
        model = Placement
        fields = [
            "id",
            "case",
            "client",
            "client_display_name",
            "plan",
            "employer",
            "role",
            "status",
            "start_on",
            "started_on",
            "ended_on",
            "end_reason",
            "end_notes",
            "hours_per_week",
            "hourly_wage",
            "minimum_wage",
            "is_subsidised",
            "subsidy_weekly_amount",
            "subsidy_weeks",
            "subsidy_total",
            "subsidy_committed",
            "programme",
            "budget",
            "allowed_transitions",
            "check_ins",
            "history",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_allowed_transitions(self, placement) -> list[str]:
        return list(placement_allowed_transitions(placement))


class PlacementCreateSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    client = serializers.UUIDField(required=False, help_text="The whānau member, for whānau cases.")
    plan = serializers.UUIDField(required=False)
    employer = serializers.UUIDField()
    role = serializers.CharField(max_length=200)
    start_on = serializers.DateField()
    hours_per_week = serializers.DecimalField(max_digits=5, decimal_places=2)
    hourly_wage = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="NZD an hour, e.g. 25.50."
    )
    is_subsidised = serializers.BooleanField(required=False, default=False)
    subsidy_weekly_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )
    subsidy_weeks = serializers.IntegerField(required=False, allow_null=True, default=None)
    programme = serializers.UUIDField(required=False, allow_null=True, default=None)


class PlacementStartSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="Defaults to the planned start date.")


class PlacementEndSerializer(serializers.Serializer):
    end_reason = serializers.ChoiceField(choices=PlacementEndReason.choices)
    on = serializers.DateField(required=False, help_text="Defaults to today.")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class PlacementWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField()


class CheckInRecordSerializer(serializers.Serializer):
    still_employed = serializers.BooleanField()
    hours_per_week = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True, default=None
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    recorded_on = serializers.DateField(required=False, help_text="Defaults to today.")


class DueCheckInSerializer(serializers.ModelSerializer):
    """A check-in waiting to be recorded, with the placement it belongs to."""

    placement = serializers.UUIDField(source="placement_id", read_only=True)
    case = serializers.UUIDField(source="placement.case_id", read_only=True)
    client_display_name = serializers.SerializerMethodField()
    role = serializers.CharField(source="placement.role", read_only=True)
    employer_name = serializers.CharField(source="placement.employer.name", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = PlacementCheckIn
        fields = [
            "id",
            "placement",
            "case",
            "client_display_name",
            "role",
            "employer_name",
            "weeks",
            "due_on",
            "overdue",
        ]
        read_only_fields = fields

    def get_client_display_name(self, check_in) -> str:
        return client_display_name(
            check_in.placement.client, getattr(check_in, "identity_visible", False)
        )

    def get_overdue(self, check_in) -> bool:
        return check_in.due_on < self.context["today"]
