"""HTTP shapes of aid requests, their history and decisions, and the inputs of each action."""

from decimal import Decimal

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.access import cases_visible_to, clients_visible_to
from casework.redaction import client_display_name
from core.fast_read import FastReadMixin
from programs import workflow
from programs.models import (
    AidCategory,
    AidDecision,
    AidRequest,
    AidRequestStatusChange,
    RepaymentFrequency,
)
from programs.money import aid_amount_max
from programs.selectors.programmes import programmes_visible_to

CENT = Decimal("0.01")


def money(**kwargs) -> serializers.DecimalField:
    """An NZD amount in and out: a string with two decimal places, never a float."""
    return serializers.DecimalField(max_digits=12, decimal_places=2, **kwargs)


class AidRequestStatusChangeSerializer(FastReadMixin, serializers.ModelSerializer):
    # Plain strings: the statuses are those of the request's own `status` enum.
    from_status = serializers.CharField(read_only=True, help_text="Empty for the creation.")
    to_status = serializers.CharField(read_only=True)
    changed_by = serializers.CharField(
        source="changed_by_username", read_only=True, help_text="Username."
    )

    class Meta:
        model = AidRequestStatusChange
        fields = ["from_status", "to_status", "reason", "changed_by", "changed_at"]
        read_only_fields = fields


class AidDecisionSerializer(serializers.ModelSerializer):
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = AidDecision
        fields = ["id", "outcome", "reason", "decided_by", "decided_at", "budget", "facts"]
        read_only_fields = fields


class AidRequestSerializer(FastReadMixin, serializers.ModelSerializer):
    """An aid request: the request, where it stands, its history, and the officer's flags."""

    client_name = serializers.SerializerMethodField()
    programme_name = serializers.CharField(source="programme.name", read_only=True)
    # Usernames, annotated by `programs.selectors.aid.aid_requests_visible_to`.
    created_by = serializers.CharField(
        source="created_by_username", read_only=True, help_text="Username."
    )
    submitted_by = serializers.CharField(
        source="submitted_by_username", read_only=True, allow_null=True, help_text="Username."
    )
    decided_by = serializers.CharField(
        source="decided_by_username", read_only=True, allow_null=True, help_text="Username."
    )
    # Blank for a grant that is not recovered, so the schema lists "" too.
    repayment_frequency = serializers.ChoiceField(
        choices=RepaymentFrequency.choices, read_only=True, allow_blank=True
    )
    fiscal_year = serializers.SerializerMethodField()
    age_days = serializers.SerializerMethodField()
    requests_12_months = serializers.IntegerField(read_only=True)
    budgeting_support_flag = serializers.BooleanField(read_only=True)
    allowed_transitions = serializers.SerializerMethodField()
    # Attached by `programs.selectors.aid.with_history`.
    history = AidRequestStatusChangeSerializer(many=True, read_only=True)

    class Meta:
        model = AidRequest
        fields = [
            "id",
            "status",
            "case",
            "client",
            "client_name",
            "programme",
            "programme_name",
            "category",
            "amount",
            "is_recoverable",
            "repayment_instalment",
            "repayment_frequency",
            "repayment_start_on",
            "justification",
            "supplier_name",
            "supplier_bank_account",
            "supplier_reference",
            "created_by",
            "created_at",
            "submitted_by",
            "submitted_at",
            "age_days",
            "decided_by",
            "decided_at",
            "decision_reason",
            "budget",
            "fiscal_year",
            "requests_12_months",
            "budgeting_support_flag",
            "allowed_transitions",
            "history",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_client_name(self, obj: AidRequest) -> str:
        return client_display_name(obj.client, getattr(obj, "identity_visible", False))

    @extend_schema_field({"type": "string", "nullable": True})
    def get_fiscal_year(self, obj: AidRequest) -> str | None:
        return obj.budget.fiscal_year_label if obj.budget_id else None

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_age_days(self, obj: AidRequest) -> int | None:
        """Whole days since the request was submitted (None for a draft)."""
        if obj.submitted_at is None:
            return None
        return (timezone.now() - obj.submitted_at).days

    @extend_schema_field({"type": "array", "items": {"type": "string"}})
    def get_allowed_transitions(self, obj: AidRequest) -> list[str]:
        return sorted(workflow.allowed_transitions(obj))


class AidRequestFieldsSerializer(serializers.Serializer):
    """The editable details of an aid request."""

    category = serializers.ChoiceField(choices=AidCategory.choices)
    amount = money(min_value=CENT, max_value=aid_amount_max())
    is_recoverable = serializers.BooleanField(default=False)
    repayment_instalment = money(min_value=CENT, required=False, allow_null=True, default=None)
    repayment_frequency = serializers.ChoiceField(
        choices=RepaymentFrequency.choices, required=False, allow_blank=True, default=""
    )
    repayment_start_on = serializers.DateField(required=False, allow_null=True, default=None)
    justification = serializers.CharField(required=False, allow_blank=True, default="")
    supplier_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    supplier_bank_account = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default=""
    )
    supplier_reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )


class AidRequestCreateSerializer(AidRequestFieldsSerializer):
    """Input for raising a draft aid request on a case you work."""

    case = serializers.PrimaryKeyRelatedField(queryset=cases_visible_to(None))
    client = serializers.PrimaryKeyRelatedField(
        queryset=clients_visible_to(None),
        required=False,
        allow_null=True,
        default=None,
        help_text="The whānau member the aid is for; defaults to the case's client.",
    )
    programme = serializers.PrimaryKeyRelatedField(queryset=programmes_visible_to(None))

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        if actor is not None:
            self.fields["case"].queryset = cases_visible_to(actor)
            self.fields["client"].queryset = clients_visible_to(actor)
            self.fields["programme"].queryset = programmes_visible_to(actor)


class AidRequestUpdateSerializer(AidRequestFieldsSerializer):
    """Input for changing a draft or returned request (send only what changes)."""


class AidApproveSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Optional note on the approval."
    )


class AidReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Required: why. The caseworker sees it.",
    )
