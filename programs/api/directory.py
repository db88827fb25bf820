"""Endpoints for the community directory: `/organisations/` (CSV export/import), `/services/`.

Every member of staff searches the directory; agency admins keep it.
"""

import django_filters
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core.audit import audit_record
from core.errors import ApplicationError
from core.models import AuditAction
from core.nz.regions import REGION_CHOICES
from core.permissions import IsAgencyAdmin
from programs.models import Organisation, OrganisationKind, Service, ServiceCategory
from programs.selectors.directory import (
    directory_search,
    organisations_for_export,
    organisations_visible_to,
    services_visible_to,
)
from programs.serializers.directory import (
    DirectoryImportResultSerializer,
    DirectoryImportSerializer,
    OrganisationSerializer,
    OrganisationWriteSerializer,
    ServiceSerializer,
    ServiceWriteSerializer,
)
from programs.services import directory as services

REFUSALS = {
    400: OpenApiResponse(description="Invalid input; nothing changed."),
    403: OpenApiResponse(description="Agency admins keep the directory."),
}


class DirectoryFilter(django_filters.FilterSet):
    region = django_filters.ChoiceFilter(choices=REGION_CHOICES, method="search")
    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices, method="search")
    category = django_filters.ChoiceFilter(choices=ServiceCategory.choices, method="search")
    language = django_filters.CharFilter(method="search", label="A language spoken, e.g. Samoan.")
    q = django_filters.CharFilter(method="search", label="Text in names and descriptions.")
    on_tautoko = django_filters.BooleanFilter(
        field_name="agency", lookup_expr="isnull", exclude=True
    )
    is_active = django_filters.BooleanFilter()

    prefix = ""

    class Meta:
        model = Organisation
        fields = []

    def search(self, queryset, name, value):
        # One filter for all five criteria keeps a single join to services.
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        return directory_search(
            queryset,
            region=data.get("region") or "",
            kind=data.get("kind") or "",
            category=data.get("category") or "",
            language=data.get("language") or "",
            text=data.get("q") or "",
            prefix=self.prefix,
        )


class ServiceFilter(DirectoryFilter):
    organisation = django_filters.UUIDFilter(field_name="organisation_id")
    on_tautoko = django_filters.BooleanFilter(
        field_name="organisation__agency", lookup_expr="isnull", exclude=True
    )

    prefix = "organisation__"

    class Meta:
        model = Service
        fields = []


class OrganisationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Directory organisations: search by `region`, `kind`, `category`, `language` and `q`.

    Agency admins add outside organisations and keep their own agency's entry.
    """

    queryset = Organisation.objects.none()
    serializer_class = OrganisationSerializer
    filterset_class = DirectoryFilter
    search_fields = ["name", "description"]
    ordering_fields = ["name", "region", "kind"]
    ordering = ["name"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_permissions(self):
        if self.action in ("create", "partial_update", "update", "import_csv"):
            return [IsAgencyAdmin()]
        return super().get_permissions()

    def get_queryset(self):
        return organisations_visible_to(self.request.user)

    @extend_schema(
        request=OrganisationWriteSerializer, responses={201: OrganisationSerializer, **REFUSALS}
    )
    def create(self, request, *args, **kwargs):
        """Add an organisation to the directory."""
        serializer = OrganisationWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        agency = request.user.agency if data.pop("link_my_agency", False) else None
        organisation = services.organisation_create(actor=request.user, agency=agency, **data)
        return Response(self._read(organisation), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=OrganisationWriteSerializer, responses={200: OrganisationSerializer, **REFUSALS}
    )
    def partial_update(self, request, *args, **kwargs):
        """Change an organisation's entry."""
        organisation = self.get_object()
        serializer = OrganisationWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("link_my_agency", None)
        organisation = services.organisation_update(
            actor=request.user, organisation=organisation, **data
        )
        return Response(self._read(organisation))

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR}, filters=False, parameters=[])
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def export(self, request):
        """The whole directory as CSV (UTF-8), one row per service; import takes the same file."""
        text = services.directory_csv_export(organisations_for_export(request.user))
        audit_record(
            actor=request.user,
            action=AuditAction.EXPORT,
            object_type="programs.organisation",
            object_id="*",
            changes={"format": "csv"},
        )
        response = HttpResponse(text.encode("utf-8"), content_type="text/csv; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="directory-{stamp}.csv"'
        return response

    @extend_schema(
        request={"multipart/form-data": DirectoryImportSerializer},
        responses={200: DirectoryImportResultSerializer, **REFUSALS},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[MultiPartParser],
        filter_backends=[],
        pagination_class=None,
    )
    def import_csv(self, request):
        """Create or update the directory from a CSV file; one bad row rejects the whole file.

        The error's `fields.rows` maps each bad row's line number to its field errors.
        """
        serializer = DirectoryImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        raw = serializer.validated_data["file"].read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ApplicationError(
                "The file is not UTF-8 text.",
                code="invalid_file",
                fields={"file": ["Save the CSV as UTF-8."]},
            ) from exc
        counts = services.directory_csv_import(actor=request.user, text=text)
        return Response(counts)

    def _read(self, organisation: Organisation) -> dict:
        return OrganisationSerializer(
            organisations_visible_to(self.request.user).get(pk=organisation.pk)
        ).data


class ServiceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Directory services: search by region, kind, category, language, `q` and organisation."""

    queryset = Service.objects.none()
    serializer_class = ServiceSerializer
    filterset_class = ServiceFilter
    search_fields = ["name", "description", "organisation__name"]
    ordering_fields = ["name", "region", "category"]
    ordering = ["organisation__name", "name"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_permissions(self):
        if self.action in ("create", "partial_update", "update"):
            return [IsAgencyAdmin()]
        return super().get_permissions()

    def get_queryset(self):
        return services_visible_to(self.request.user)

    @extend_schema(request=ServiceWriteSerializer, responses={201: ServiceSerializer, **REFUSALS})
    def create(self, request, *args, **kwargs):
        """Add a service to an organisation (`organisation` is required)."""
        serializer = ServiceWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        organisation = data.pop("organisation", None)
        if organisation is None:
            raise ApplicationError(
                "Name the organisation.", fields={"organisation": ["This field is required."]}
            )
        service = services.service_create(actor=request.user, organisation=organisation, **data)
        return Response(self._read(service), status=status.HTTP_201_CREATED)

    @extend_schema(request=ServiceWriteSerializer, responses={200: ServiceSerializer, **REFUSALS})
    def partial_update(self, request, *args, **kwargs):
        """Change a service."""
        service = self.get_object()
        serializer = ServiceWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("organisation", None)
        service = services.service_update(actor=request.user, service=service, **data)
        return Response(self._read(service))

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    def _read(self, service: Service) -> dict:
        return ServiceSerializer(services_visible_to(self.request.user).get(pk=service.pk)).data


router = SimpleRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("services", ServiceViewSet, basename="service")

urlpatterns = router.urls
