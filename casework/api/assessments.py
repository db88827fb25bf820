"""Endpoints for outcome measures: /instruments/ (read-only) and /assessments/."""

import django_filters
from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from casework.api.pages import GrantedCaseloadPagesMixin
from casework.models import Assessment, Instrument, SnapshotStage
from casework.selectors import assessments as selectors
from casework.serializers.assessments import (
    AssessmentCreateSerializer,
    AssessmentSerializer,
    InstrumentSerializer,
)
from casework.services import assessments as services


class CanAssess(BasePermission):
    """Roles that record assessments at all (403 otherwise); which clients is the selectors' job."""

    message = "Your role does not record assessments."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.has_perm("casework.add_assessment"))


class InstrumentViewSet(viewsets.ReadOnlyModelViewSet):
    """The outcome measures Tautoko scores (LSNS-6, Whānau Ora self-rating …), defined as data."""

    queryset = Instrument.objects.none()
    serializer_class = InstrumentSerializer
    lookup_field = "code"
    filterset_fields = []
    ordering_fields = ["code", "name"]
    ordering = ["code"]
    search_fields = ["code", "name"]

    def get_queryset(self):
        return selectors.instrument_list()


class AssessmentFilter(django_filters.FilterSet):
    client = django_filters.UUIDFilter(field_name="client_id")
    case = django_filters.UUIDFilter(field_name="case_id")
    instrument = django_filters.CharFilter(field_name="instrument_id")
    stage = django_filters.MultipleChoiceFilter(choices=SnapshotStage.choices, distinct=False)
    administered_after = django_filters.DateFilter(field_name="administered_on", lookup_expr="gte")
    administered_before = django_filters.DateFilter(field_name="administered_on", lookup_expr="lt")

    class Meta:
        model = Assessment
        fields = []


class AssessmentViewSet(
    GrantedCaseloadPagesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Assessments of the clients you may see. Scores are computed by the server.

    An assessment is a record of what was answered on a day: it is never
    changed or deleted; a new administration is a new assessment. Reading one
    is audited.
    """

    queryset = Assessment.objects.none()
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter
    ordering_fields = ["administered_on", "next_due_on", "created_at"]
    ordering = ["-administered_on", "-created_at", "id"]
    search_fields = []
    # A caseworker's are sorted apart from `assessment_given_order`; a team's read along it.
    sorted_apart_over = Q(stage=SnapshotStage.EXIT)

    def get_permissions(self):
        if self.action == "create":
            return [IsAuthenticated(), CanAssess()]
        return super().get_permissions()

    def get_queryset(self):
        return selectors.assessments_visible_to(self.request.user)

    def retrieve(self, request, *args, **kwargs):
        assessment = selectors.assessment_get(actor=request.user, assessment_id=kwargs["pk"])
        return Response(AssessmentSerializer(assessment).data)

    @extend_schema(request=AssessmentCreateSerializer, responses={201: AssessmentSerializer})
    def create(self, request, *args, **kwargs):
        serializer = AssessmentCreateSerializer(
            data=request.data,
            cases=selectors.assessment_cases_for(request.user),
            instruments=selectors.instrument_list(),
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        client = selectors.assessment_client_get(actor=request.user, client_id=data.pop("client"))
        assessment = services.assessment_record(actor=request.user, client=client, **data)
        fresh = self.get_queryset().get(pk=assessment.pk)
        return Response(AssessmentSerializer(fresh).data, status=status.HTTP_201_CREATED)


router = SimpleRouter()
router.register("instruments", InstrumentViewSet, basename="instrument")
router.register("assessments", AssessmentViewSet, basename="assessment")

urlpatterns = router.urls
