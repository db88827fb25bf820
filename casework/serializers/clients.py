"""HTTP shapes of clients: the redacted read shape and the write shapes (no mass assignment)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.models import Client, Gender
from casework.redaction import redact_client_fields
from casework.selectors.clients import ethnicity_codes_of, iwi_codes_of
from casework.serializers.fields import PlausibleDateField
from core.fast_read import FastReadMixin
from core.nz.ethnicity import ETHNICITY_LEVEL1_CHOICES, prioritised_ethnicity
from core.nz.regions import REGION_CHOICES


class ClientSerializer(FastReadMixin, serializers.ModelSerializer):
    """A client as the viewer may see them: identifying fields redacted unless they may identify.

    Expects instances from `casework.selectors.clients` (annotated with
    `identity_visible`, ethnicities and iwi prefetched).
    """

    agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    display_name = serializers.CharField(read_only=True)
    ethnicities = serializers.SerializerMethodField(
        help_text="Stats NZ ethnicity codes (level 2 or 4), in the order recorded."
    )
    prioritised_ethnicity = serializers.SerializerMethodField(
        help_text="Level-1 prioritised ethnicity (HISO 10001:2017), derived from `ethnicities`."
    )
    iwi = serializers.SerializerMethodField(
        help_text="Stats NZ iwi classification codes (2017 version)."
    )

    class Meta:
        model = Client
        fields = [
            "id",
            "agency",
            "legal_given_names",
            "legal_family_name",
            "preferred_name",
            "display_name",
            "date_of_birth",
            "gender",
            "nhi",
            "region",
            "phone",
            "email",
            "address",
            "preferred_language",
            "interpreter_required",
            "interpreter_language",
            "ethnicities",
            "prioritised_ethnicity",
            "iwi",
            "is_restricted",
            "archived_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_ethnicities(self, client: Client) -> list[str]:
        return ethnicity_codes_of(client)

    @extend_schema_field(serializers.ChoiceField(choices=ETHNICITY_LEVEL1_CHOICES, allow_null=True))
    def get_prioritised_ethnicity(self, client: Client) -> str | None:
        return prioritised_ethnicity(ethnicity_codes_of(client))

    def get_iwi(self, client: Client) -> list[str]:
        return iwi_codes_of(client)

    def to_representation(self, instance: Client) -> dict:
        data = super().to_representation(instance)
        return redact_client_fields(data, instance, getattr(instance, "identity_visible", False))


class ClientUpdateSerializer(serializers.Serializer):
    """Changes to a client. Agency, creator and archive state are never taken from the body."""

    legal_given_names = serializers.CharField(max_length=200)
    legal_family_name = serializers.CharField(max_length=200)
    preferred_name = serializers.CharField(max_length=200, allow_blank=True)
    date_of_birth = PlausibleDateField()
    gender = serializers.ChoiceField(choices=Gender.choices)
    nhi = serializers.CharField(
        max_length=20,
        allow_blank=True,
        allow_null=True,
        help_text="NHI number, AAANNNC or AAANNAX; lower case accepted, stored upper case.",
    )
    region = serializers.ChoiceField(choices=REGION_CHOICES)
    phone = serializers.CharField(max_length=40, allow_blank=True)
    email = serializers.EmailField(allow_blank=True)
    address = serializers.CharField(allow_blank=True)
    preferred_language = serializers.CharField(max_length=100, allow_blank=True)
    interpreter_required = serializers.BooleanField()
    interpreter_language = serializers.CharField(max_length=100, allow_blank=True)
    is_restricted = serializers.BooleanField()
    ethnicities = serializers.ListField(
        child=serializers.CharField(max_length=5),
        help_text="Up to 6 Stats NZ ethnicity codes; replaces the recorded list.",
    )
    iwi = serializers.ListField(
        child=serializers.CharField(max_length=4),
        help_text="Stats NZ iwi codes (four digits); replaces the recorded list.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("partial", True)
        super().__init__(*args, **kwargs)


class ClientCreateSerializer(ClientUpdateSerializer):
    """A new client. Names, date of birth and region are required; the rest is optional."""

    preferred_name = serializers.CharField(max_length=200, allow_blank=True, required=False)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    nhi = serializers.CharField(
        max_length=20,
        allow_blank=True,
        allow_null=True,
        required=False,
        help_text="NHI number, AAANNNC or AAANNAX; lower case accepted, stored upper case.",
    )
    phone = serializers.CharField(max_length=40, allow_blank=True, required=False)
    email = serializers.EmailField(allow_blank=True, required=False)
    address = serializers.CharField(allow_blank=True, required=False)
    preferred_language = serializers.CharField(max_length=100, allow_blank=True, required=False)
    interpreter_required = serializers.BooleanField(required=False)
    interpreter_language = serializers.CharField(max_length=100, allow_blank=True, required=False)
    is_restricted = serializers.BooleanField(required=False)
    ethnicities = serializers.ListField(
        child=serializers.CharField(max_length=5),
        required=False,
        help_text="Up to 6 Stats NZ ethnicity codes (level 2 or 4), most important first.",
    )
    iwi = serializers.ListField(
        child=serializers.CharField(max_length=4),
        required=False,
        help_text="Stats NZ iwi codes (four digits).",
    )
    confirm_not_duplicate = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Set after checking the candidates of a `possible_duplicate` answer.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("partial", False)
        super().__init__(*args, **kwargs)


class DuplicateCandidateSerializer(serializers.Serializer):
    id = serializers.UUIDField(
        allow_null=True,
        help_text="Null for another agency's client and for one you may not see or identify.",
    )
    display_name = serializers.CharField(allow_null=True)
    match = serializers.ChoiceField(choices=["nhi", "name_and_date_of_birth"])
    archived = serializers.BooleanField(allow_null=True)


class PossibleDuplicateErrorBodySerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    request_id = serializers.CharField()
    candidates = DuplicateCandidateSerializer(many=True)


class PossibleDuplicateErrorSerializer(serializers.Serializer):
    """409 answer to a registration that may duplicate an existing client."""

    error = PossibleDuplicateErrorBodySerializer()
