"""HTTP shapes of payments, recoveries, repayments and client balances."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.redaction import client_display_name
from programs.models import (
    AidRequest,
    Payment,
    PaymentMethod,
    Recovery,
    Repayment,
    RepaymentFrequency,
    RepaymentMethod,
)
from programs.money import aid_amount_max, to_money
from programs.serializers.aid import CENT, money


class PaymentSerializer(serializers.ModelSerializer):
    """A payment, in and out: POST `aid_request`, `amount`, `payment_method`, `reference`."""

    aid_request = serializers.PrimaryKeyRelatedField(queryset=AidRequest.objects.none())
    approved_amount = money(source="aid_request.amount", read_only=True)
    amount = money(min_value=CENT, max_value=aid_amount_max())
    payment_method = serializers.ChoiceField(source="method", choices=PaymentMethod.choices)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    paid_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Defaults to today."
    )
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "aid_request",
            "approved_amount",
            "amount",
            "payment_method",
            "reference",
            "paid_on",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = ["id", "approved_amount", "recorded_by", "created_at"]

    def __init__(self, *args, aid_requests=None, **kwargs):
        super().__init__(*args, **kwargs)
        if aid_requests is not None:
            self.fields["aid_request"].queryset = aid_requests


class RecoverySerializer(serializers.ModelSerializer):
    """A recoverable advance being repaid: what was lent, what came back, what is owed."""

    client_name = serializers.SerializerMethodField()
    balance = money(read_only=True)
    repayment_frequency = serializers.ChoiceField(
        source="frequency", choices=RepaymentFrequency.choices, read_only=True
    )

    class Meta:
        model = Recovery
        fields = [
            "id",
            "aid_request",
            "client",
            "client_name",
            "principal",
            "repaid",
            "balance",
            "instalment",
            "repayment_frequency",
            "first_due_on",
            "status",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_client_name(self, obj: Recovery) -> str:
        return client_display_name(obj.client, getattr(obj, "identity_visible", False))


class InstalmentSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    due_on = serializers.DateField()
    amount = money()


class RepaymentSerializer(serializers.ModelSerializer):
    """A repayment, in and out: POST `recovery`, `amount`, `repayment_method`, `received_on`."""

    recovery = serializers.PrimaryKeyRelatedField(queryset=Recovery.objects.none())
    amount = money(min_value=CENT, max_value=aid_amount_max())
    repayment_method = serializers.ChoiceField(source="method", choices=RepaymentMethod.choices)
    received_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Defaults to today."
    )
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Repayment
        fields = [
            "id",
            "recovery",
            "amount",
            "repayment_method",
            "received_on",
            "reference",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = ["id", "recorded_by", "created_at"]

    def __init__(self, *args, recoveries=None, **kwargs):
        super().__init__(*args, **kwargs)
        if recoveries is not None:
            self.fields["recovery"].queryset = recoveries


# Money is sent as a decimal string ("12.50"), as every DecimalField is; say so in the schema.
_MONEY_STRING = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)


class ClientBalanceSerializer(serializers.Serializer):
    """What one client still owes on advances being repaid."""

    client = serializers.UUIDField(source="client_id")
    recoveries = serializers.IntegerField()
    principal_total = serializers.SerializerMethodField()
    repaid_total = serializers.SerializerMethodField()
    balance = serializers.SerializerMethodField()

    @extend_schema_field(_MONEY_STRING)
    def get_principal_total(self, row) -> str:
        return str(to_money(row["principal_total"]))

    @extend_schema_field(_MONEY_STRING)
    def get_repaid_total(self, row) -> str:
        return str(to_money(row["repaid_total"]))

    @extend_schema_field(_MONEY_STRING)
    def get_balance(self, row) -> str:
        return str(to_money(row["principal_total"]) - to_money(row["repaid_total"]))
