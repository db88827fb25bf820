"""HTTP shapes for agencies, teams, staff, the signed-in user and audit events."""

from rest_framework import serializers

from core.fast_read import FastReadMixin
from core.models import Agency, AuditAction, AuditEvent, Team, User
from core.roles import Role


class AgencySerializer(FastReadMixin, serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "name", "slug", "kind", "region"]
        read_only_fields = fields


class TeamSerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "agency"]
        read_only_fields = ["id", "agency"]


class StaffSerializer(serializers.ModelSerializer):
    """A member of staff as their agency's admin sees them."""

    agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), read_only=True
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "agency",
            "team",
            "roles",
            "delegated_limit",
            "is_active",
            "last_login",
            "date_joined",
        ]
        read_only_fields = fields


class StaffWriteSerializer(serializers.Serializer):
    """Input for creating or changing a member of staff; the agency is always the admin's own."""

    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        write_only=True, max_length=128, style={"input_type": "password"}
    )
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.none(), required=False, allow_null=True
    )
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), min_length=1, max_length=len(Role)
    )
    delegated_limit = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    is_active = serializers.BooleanField(required=False)

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["team"].queryset = teams


class StaffUpdateSerializer(StaffWriteSerializer):
    """Partial changes to staff; username is fixed once created."""

    username = None
    password = serializers.CharField(
        write_only=True, max_length=128, required=False, style={"input_type": "password"}
    )
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices),
        min_length=1,
        max_length=len(Role),
        required=False,
    )


class MeSerializer(serializers.ModelSerializer):
    """The signed-in user, their agency and roles."""

    # Null for an operator without an agency and for staff without a team.
    agency = AgencySerializer(read_only=True, allow_null=True)
    team = TeamSerializer(read_only=True, allow_null=True)
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), read_only=True
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "agency",
            "team",
            "roles",
            "delegated_limit",
            "is_superuser",
        ]
        read_only_fields = fields


class AuditEventSerializer(serializers.ModelSerializer):
    action = serializers.ChoiceField(choices=AuditAction.choices, read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "occurred_at",
            "actor",
            "actor_username",
            "agency",
            "action",
            "object_type",
            "object_id",
            "changes",
            "request_id",
            "ip_address",
        ]
        read_only_fields = fields


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=128, style={"input_type": "password"}, trim_whitespace=False
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class WorkItemSerializer(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)
    overdue = serializers.SerializerMethodField()
    object_type = serializers.CharField()
    object_id = serializers.CharField()
    case_id = serializers.CharField(allow_null=True)
    detail = serializers.DictField()

    def get_overdue(self, item) -> bool:
        today = self.context["today"]
        return item.due_on is not None and item.due_on < today


class PaginatedWorkItemSerializer(serializers.Serializer):
    """One page of "my work", in the shape every paginated list has."""

    count = serializers.IntegerField()
    count_is_estimate = serializers.BooleanField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = WorkItemSerializer(many=True)
