"""HTTP shapes of the community directory (after the Open Referral HSDS) and its CSV import."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.fast_read import FastReadMixin
from core.nz.regions import REGION_CHOICES
from programs.models import Organisation, OrganisationKind, Service, ServiceCategory


class OrganisationKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=OrganisationKind.choices, **kwargs)


class ServiceCategoryField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=ServiceCategory.choices, **kwargs)


class _NamedEnumExtension(OpenApiSerializerFieldExtension):
    """Document a choice field as its own named enum component.

    `kind` and `category` already name other choice sets (agency kinds, aid
    categories); a named component keeps every enum's schema name stable.
    """

    component_name = ""
    choices: list = []

    def map_serializer_field(self, auto_schema, direction):
        component = ResolvedComponent(
            name=self.component_name,
            type=ResolvedComponent.SCHEMA,
            object=self.component_name,
            schema={"type": "string", "enum": [value for value, _ in self.choices]},
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class OrganisationKindFieldExtension(_NamedEnumExtension):
    target_class = OrganisationKindField
    component_name = "OrganisationKindEnum"
    choices = OrganisationKind.choices


class ServiceCategoryFieldExtension(_NamedEnumExtension):
    target_class = ServiceCategoryField
    component_name = "ServiceCategoryEnum"
    choices = ServiceCategory.choices


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class LanguagesField(serializers.Field):
    """Languages as a JSON list; stored as one semicolon-separated string."""

    def to_representation(self, value: str) -> list[str]:
        return [item.strip() for item in (value or "").split(";") if item.strip()]

    def to_internal_value(self, data) -> list[str]:
        if isinstance(data, str):
            data = data.split(";")
        if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
            raise serializers.ValidationError("Give a list of language names.")
        return data


class OrganisationBriefSerializer(FastReadMixin, serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    kind = OrganisationKindField(read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "region", "agency"]
        read_only_fields = fields


class OrganisationSerializer(serializers.ModelSerializer):
    """A directory organisation; `agency` is the slug of its agency on Tautoko, if it is one."""

    agency = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    on_tautoko = serializers.SerializerMethodField()
    kind = OrganisationKindField(read_only=True)
    languages = LanguagesField(required=False)
    service_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "kind",
            "agency",
            "on_tautoko",
            "description",
            "region",
            "address",
            "website",
            "email",
            "phone",
            "languages",
            "is_active",
            "service_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "agency", "created_at", "updated_at"]

    def get_on_tautoko(self, organisation) -> bool:
        return organisation.agency_id is not None


class OrganisationWriteSerializer(serializers.Serializer):
    """Create or change a directory organisation; `link_my_agency` makes it your agency's entry."""

    name = serializers.CharField(max_length=200)
    kind = OrganisationKindField()
    region = serializers.ChoiceField(choices=REGION_CHOICES)
    description = serializers.CharField(required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True)
    website = serializers.URLField(required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    languages = LanguagesField(required=False)
    is_active = serializers.BooleanField(required=False)
    link_my_agency = serializers.BooleanField(required=False, default=False, write_only=True)


class ServiceSerializer(FastReadMixin, serializers.ModelSerializer):
    """A service of a directory organisation: what, where, for whom, languages, cost, hours."""

    organisation = OrganisationBriefSerializer(read_only=True)
    category = ServiceCategoryField(read_only=True)
    languages = LanguagesField(required=False)

    class Meta:
        model = Service
        fields = [
            "id",
            "organisation",
            "name",
            "category",
            "description",
            "eligibility",
            "languages",
            "cost",
            "hours",
            "region",
            "address",
            "phone",
            "email",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ServiceWriteSerializer(serializers.Serializer):
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False
    )
    name = serializers.CharField(max_length=200)
    category = ServiceCategoryField()
    description = serializers.CharField(required=False, allow_blank=True)
    eligibility = serializers.CharField(required=False, allow_blank=True)
    languages = LanguagesField(required=False)
    cost = serializers.CharField(max_length=200, required=False, allow_blank=True)
    hours = serializers.CharField(max_length=200, required=False, allow_blank=True)
    region = serializers.ChoiceField(choices=REGION_CHOICES, required=False)
    address = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class DirectoryImportSerializer(serializers.Serializer):
    """A CSV file (UTF-8) with the export's header."""

    file = serializers.FileField()


class DirectoryImportResultSerializer(serializers.Serializer):
    organisations_created = serializers.IntegerField()
    organisations_updated = serializers.IntegerField()
    services_created = serializers.IntegerField()
    services_updated = serializers.IntegerField()
