"""HTTP shapes of programmes and budgets."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.models import Agency
from core.nz.fiscal import parse_fiscal_year
from programs.models import Budget, Programme


@extend_schema_field(OpenApiTypes.STR)
class FiscalYearField(serializers.Field):
    """A NZ fiscal year as its label, "2025/26", stored as its start year."""

    default_error_messages = {"invalid": "Give a fiscal year like 2025/26."}

    def to_representation(self, value: int) -> str:
        return f"{value}/{(value + 1) % 100:02d}"

    def to_internal_value(self, data) -> int:
        try:
            year = parse_fiscal_year(str(data))
        except ValueError:
            self.fail("invalid")
        if not 2000 <= year <= 2999:
            self.fail("invalid")
        return year


class ProgrammeSerializer(serializers.ModelSerializer):
    """A programme, in and out (one shape for reading, registering and changing)."""

    delivering_agencies = serializers.SlugRelatedField(
        slug_field="slug",
        many=True,
        required=False,
        queryset=Agency.objects.filter(is_active=True),
        help_text="Agency slugs; defaults to your own agency.",
    )

    class Meta:
        model = Programme
        fields = [
            "id",
            "name",
            "kind",
            "funder",
            "delivering_agencies",
            "eligibility_notes",
            "active_from",
            "active_to",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"name": {"validators": []}}


class BudgetSerializer(serializers.ModelSerializer):
    fiscal_year = FiscalYearField(read_only=True)
    agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    available = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = Budget
        fields = [
            "id",
            "programme",
            "fiscal_year",
            "agency",
            "allocated",
            "committed",
            "paid",
            "available",
            "updated_at",
        ]
        read_only_fields = fields


class BudgetWriteSerializer(serializers.Serializer):
    """Input for setting a budget's allocation; leave `agency` out for the programme-wide one."""

    fiscal_year = FiscalYearField()
    agency = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
    )
    allocated = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
