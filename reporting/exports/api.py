"""Endpoints for compliance exports (/exports/…) and Māori data-governance flags."""

import django_filters
from django.http import FileResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from core.permissions import require_roles
from core.roles import Role
from reporting.exports import selectors, services
from reporting.exports.definitions import DEFINITIONS
from reporting.exports.serializers import (
    DefinitionSerializer,
    ExportCreateSerializer,
    ExportDiffSerializer,
    ExportRunSerializer,
    GovernanceFlagCreateSerializer,
    GovernanceFlagSerializer,
    GovernanceFlagWithdrawSerializer,
)
from reporting.models import (
    DataGovernanceFlag,
    ExportRun,
    GovernanceFlagKind,
    GovernanceScope,
    ReportStatus,
)

IsComplianceOfficer = require_roles(Role.COMPLIANCE_OFFICER)


class ExportDefinitionList(APIView):
    """The export definitions, each with its use, tables and data dictionary."""

    @extend_schema(responses=DefinitionSerializer(many=True))
    def get(self, request):
        definitions = sorted(DEFINITIONS.values(), key=lambda d: d.name)
        return Response(DefinitionSerializer(definitions, many=True).data)


class ExportRunFilter(django_filters.FilterSet):
    definition = django_filters.CharFilter()
    funder = django_filters.CharFilter(lookup_expr="iexact")
    status = django_filters.ChoiceFilter(field_name="job__status", choices=ReportStatus.choices)

    class Meta:
        model = ExportRun
        fields = []


@extend_schema_view(
    create=extend_schema(
        request=ExportCreateSerializer,
        responses={201: ExportRunSerializer, 202: ExportRunSerializer},
    ),
    download=extend_schema(
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY),
            (
                200,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ): OpenApiResponse(OpenApiTypes.BINARY),
        }
    ),
    rerun=extend_schema(
        request=None, responses={201: ExportRunSerializer, 202: ExportRunSerializer}
    ),
    diff=extend_schema(
        parameters=[
            OpenApiParameter(
                "against",
                OpenApiTypes.UUID,
                description="The export to compare with; by default the one this export re-ran.",
            )
        ],
        responses=ExportDiffSerializer,
    ),
)
class ExportRunViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Compliance exports for funders and their register (compliance officers only).

    The register shows every export of your agency; another agency's exports
    answer 404. An export answers 201 when it finished while you waited and
    202 while it is queued or running.
    """

    queryset = ExportRun.objects.none()
    serializer_class = ExportRunSerializer
    permission_classes = [IsComplianceOfficer]
    filterset_class = ExportRunFilter
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "id"]
    search_fields = []

    def get_queryset(self):
        return selectors.export_runs_visible_to(self.request.user)

    def get_object(self):
        return selectors.export_run_get(actor=self.request.user, run_id=self.kwargs["pk"])

    def _answer(self, run: ExportRun) -> Response:
        run = selectors.export_run_get(actor=self.request.user, run_id=run.pk)
        code = (
            status.HTTP_201_CREATED
            if run.job.status == ReportStatus.DONE
            else status.HTTP_202_ACCEPTED
        )
        return Response(ExportRunSerializer(run).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = ExportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run = services.export_request(actor=request.user, request=serializer.to_request())
        return self._answer(run)

    @action(detail=True, methods=["get"], url_path="download")
    def download(self, request, pk=None):
        """Stream the export's file (404 until it is done); the download is audited."""
        job = services.export_download(actor=request.user, run_id=pk)
        extension = job.file.name.rsplit(".", 1)[-1]
        response = FileResponse(
            job.file.open("rb"),
            content_type=job.content_type,
            as_attachment=True,
            filename=f"{job.parameters['definition']}-{job.parameters['period'].replace('/', '-')}"
            f"-{job.pk}.{extension}",
        )
        response["X-Content-SHA256"] = job.sha256
        response["Cache-Control"] = "no-store"
        return response

    @action(detail=True, methods=["post"], url_path="rerun")
    def rerun(self, request, pk=None):
        """Run the export again with the same parameters (and confidentiality seed)."""
        run = services.export_rerun(actor=request.user, run_id=pk)
        return self._answer(run)

    @action(detail=True, methods=["get"], url_path="diff")
    def diff(self, request, pk=None):
        """How the published figures changed between this export and another, cell by cell."""
        result = services.export_diff(
            actor=request.user, run_id=pk, against_id=request.query_params.get("against")
        )
        return Response(ExportDiffSerializer(result).data)


class GovernanceFlagFilter(django_filters.FilterSet):
    scope = django_filters.ChoiceFilter(choices=GovernanceScope.choices)
    kind = django_filters.ChoiceFilter(choices=GovernanceFlagKind.choices)
    client = django_filters.UUIDFilter(field_name="client_id")
    whanau = django_filters.UUIDFilter(field_name="whanau_id")
    current = django_filters.BooleanFilter(field_name="withdrawn_at", lookup_expr="isnull")

    class Meta:
        model = DataGovernanceFlag
        fields = []


@extend_schema_view(
    create=extend_schema(
        request=GovernanceFlagCreateSerializer, responses={201: GovernanceFlagSerializer}
    ),
    withdraw=extend_schema(
        request=GovernanceFlagWithdrawSerializer, responses={200: GovernanceFlagSerializer}
    ),
)
class GovernanceFlagViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Māori data-sovereignty flags on clients, whānau and iwi, recorded with consent.

    Staff who can see a client or whānau record and withdraw its flags; iwi
    flags are recorded by compliance officers and agency admins. Every export
    leaves out what a current flag forbids for its use. Flags are withdrawn,
    never edited or deleted.
    """

    queryset = DataGovernanceFlag.objects.none()
    serializer_class = GovernanceFlagSerializer
    filterset_class = GovernanceFlagFilter
    ordering_fields = ["recorded_at", "effective_from"]
    ordering = ["-recorded_at", "id"]
    search_fields = []

    def get_queryset(self):
        return selectors.governance_flags_visible_to(self.request.user)

    def get_object(self):
        return selectors.governance_flag_get(actor=self.request.user, flag_id=self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        serializer = GovernanceFlagCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        flag = services.governance_flag_record(actor=request.user, data=serializer.to_input())
        return Response(GovernanceFlagSerializer(flag).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], url_path="withdraw")
    def withdraw(self, request, pk=None):
        """Withdraw the flag; it stays on record and no longer applies to new exports."""
        serializer = GovernanceFlagWithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        flag = services.governance_flag_withdraw(
            actor=request.user, flag_id=pk, reason=serializer.validated_data["reason"]
        )
        return Response(GovernanceFlagSerializer(flag).data)


router = SimpleRouter()
router.register("exports", ExportRunViewSet, basename="export-run")
router.register("data-governance-flags", GovernanceFlagViewSet, basename="governance-flag")

urlpatterns = [
    # Before the router: "definitions" would otherwise be read as an export's id.
    path("exports/definitions/", ExportDefinitionList.as_view(), name="export-definitions"),
    *router.urls,
]
