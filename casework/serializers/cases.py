"""HTTP shapes of cases: the redacted read shape, history rows and the write shapes."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.models import Case, CaseStatus, CaseStatusChange, ClosureReason
from casework.redaction import client_display_name
from casework.workflow import CASE_WORKFLOW, reopen_deadline
from core.fast_read import FastReadMixin
from core.fields import ChoiceLabelField, SafeDateTimeField
from core.models import Team, User

# A status set is one enum in the schema, shown under `status`; the other fields that carry
# a status document it as a string whose values are listed here.
STATUS_VALUES = ", ".join(CaseStatus.values)


@extend_schema_field(OpenApiTypes.STR)
class PlainChoiceField(serializers.ChoiceField):
    """A choice field the schema shows as a string, its values listed in the help text."""


def staff_name(user: User | None) -> str | None:
    """How a member of staff is named on a case: their full name, else their username."""
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


class CaseSerializer(FastReadMixin, serializers.ModelSerializer):
    """A case as the viewer may see it: a restricted client's name is redacted unless identified."""

    # Expects instances from `casework.selectors.cases` (annotated with `identity_visible`,
    # `agency_slug` and `team_name` by `cases_with_names`; client, whānau and lead joined).
    agency = serializers.CharField(source="agency_slug", read_only=True, help_text="Agency slug.")
    client_display_name = serializers.SerializerMethodField(
        help_text="The client's name, or 'Restricted client' if you may not see who they are."
    )
    whanau_name = serializers.CharField(
        source="whanau.name", read_only=True, default=None, allow_null=True
    )
    lead_caseworker_name = serializers.SerializerMethodField()
    team_name = serializers.CharField(read_only=True, allow_null=True)
    # Blank until the case is closed, so the schema lists "" too.
    closure_reason = serializers.ChoiceField(
        choices=ClosureReason.choices, read_only=True, allow_blank=True
    )
    status_label = ChoiceLabelField("status")
    closure_reason_label = ChoiceLabelField("closure_reason")
    allowed_transitions = serializers.SerializerMethodField(
        help_text="Statuses this case may move to now (closing still needs a closure reason); "
        f"each one of: {STATUS_VALUES}."
    )
    reopen_until = serializers.SerializerMethodField(
        help_text="For a closed case, the last moment it may be reopened."
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "agency",
            "client",
            "client_display_name",
            "whanau",
            "whanau_name",
            "lead_caseworker",
            "lead_caseworker_name",
            "team",
            "team_name",
            "status",
            "status_label",
            "allowed_transitions",
            "summary",
            "opened_at",
            "closed_at",
            "closure_reason",
            "closure_reason_label",
            "reopen_until",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_client_display_name(self, case: Case) -> str | None:
        if case.client_id is None:
            return None
        return client_display_name(case.client, getattr(case, "identity_visible", False))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_lead_caseworker_name(self, case: Case) -> str | None:
        return staff_name(case.lead_caseworker)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_transitions(self, case: Case) -> list[str]:
        now = self.context.get("now") or timezone.now()
        return list(CASE_WORKFLOW.available(case, case.status, {"now": now}))

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_reopen_until(self, case: Case) -> str | None:
        if case.status != CaseStatus.CLOSED or case.closed_at is None:
            return None
        return serializers.DateTimeField().to_representation(reopen_deadline(case.closed_at))


class CaseStatusChangeSerializer(serializers.ModelSerializer):
    """One row of a case's status history."""

    from_status = serializers.CharField(
        read_only=True,
        help_text=f"Empty for the row that opened the case, else one of: {STATUS_VALUES}.",
    )
    to_status = serializers.CharField(read_only=True, help_text=f"One of: {STATUS_VALUES}.")
    changed_by_name = serializers.SerializerMethodField()

    class Meta:
        model = CaseStatusChange
        fields = [
            "id",
            "from_status",
            "to_status",
            "reason",
            "changed_by",
            "changed_by_name",
            "changed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_changed_by_name(self, change: CaseStatusChange) -> str | None:
        return staff_name(change.changed_by)


class CaseCreateSerializer(serializers.Serializer):
    """A new case for exactly one client or one whānau; it starts in `referred`."""

    client = serializers.UUIDField(required=False, allow_null=True)
    whanau = serializers.UUIDField(required=False, allow_null=True)
    lead_caseworker = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(),
        required=False,
        allow_null=True,
        help_text="Defaults to you; naming someone else needs the team lead role.",
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.none(),
        required=False,
        allow_null=True,
        help_text="Defaults to the lead caseworker's team.",
    )
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    opened_at = SafeDateTimeField(required=False, allow_null=True)

    def __init__(self, *args, staff=None, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if staff is not None:
            self.fields["lead_caseworker"].queryset = staff
        if teams is not None:
            self.fields["team"].queryset = teams

    def validate(self, attrs):
        if (attrs.get("client") is None) == (attrs.get("whanau") is None):
            message = "Give exactly one of client and whānau."
            raise serializers.ValidationError({"client": [message], "whanau": [message]})
        return attrs


class CaseUpdateSerializer(serializers.Serializer):
    """Changes to a case: only the summary is edited in place."""

    summary = serializers.CharField(allow_blank=True, required=False)

    # Where each other field is changed, so a refused PATCH says what to do instead.
    ELSEWHERE = {
        "status": "Change the status with POST /cases/{id}/transition/.",
        "closed_at": "Close a case with POST /cases/{id}/transition/.",
        "closure_reason": "Close a case with POST /cases/{id}/transition/.",
        "lead_caseworker": "Reassign a case with POST /cases/{id}/assign/.",
        "team": "Move a case to another team with POST /cases/{id}/assign/.",
    }

    def validate(self, attrs):
        extra = sorted(set(self.initial_data) - set(self.fields))
        if extra:
            raise serializers.ValidationError(
                {
                    name: [self.ELSEWHERE.get(name, "This field cannot be changed.")]
                    for name in extra
                }
            )
        return attrs


class CaseTransitionSerializer(serializers.Serializer):
    """A request to move a case to another status."""

    to_status = PlainChoiceField(choices=CaseStatus.choices, help_text=f"One of: {STATUS_VALUES}.")
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    closure_reason = serializers.ChoiceField(
        choices=ClosureReason.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when closing; only when closing.",
    )


class CaseAssignSerializer(serializers.Serializer):
    """A new lead caseworker, and optionally a new team (null removes the team)."""

    lead_caseworker = serializers.PrimaryKeyRelatedField(queryset=User.objects.none())
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.none(),
        required=False,
        allow_null=True,
        help_text="Leave out to keep the case's team.",
    )

    def __init__(self, *args, staff=None, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if staff is not None:
            self.fields["lead_caseworker"].queryset = staff
        if teams is not None:
            self.fields["team"].queryset = teams
