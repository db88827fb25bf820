"""Endpoints for enrolments (`/enrolments/`): a case taking part in a programme."""

import django_filters
from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from programs import selectors, services
from programs.api.pages import ProgrammeCaseloadPagesMixin
from programs.models import Enrolment, EnrolmentStatus
from programs.permissions import CanEndEnrolments, CanEnrol
from programs.serializers.enrolments import (
    EnrolmentCreateSerializer,
    EnrolmentEndSerializer,
    EnrolmentSerializer,
)


class EnrolmentFilter(django_filters.FilterSet):
    case = django_filters.UUIDFilter(field_name="case_id")
    programme = django_filters.UUIDFilter(field_name="programme_id")
    status = django_filters.MultipleChoiceFilter(choices=EnrolmentStatus.choices, distinct=False)

    class Meta:
        model = Enrolment
        fields = []


class EnrolmentViewSet(
    ProgrammeCaseloadPagesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Enrolments of cases you work (and, for officers, of your agency)."""

    queryset = Enrolment.objects.none()
    serializer_class = EnrolmentSerializer
    filterset_class = EnrolmentFilter
    search_fields = []
    ordering_fields = ["started_on", "created_at"]
    ordering = ["-started_on", "id"]
    sorted_apart_over = Q(status=EnrolmentStatus.ACTIVE)

    def get_permissions(self):
        if self.action == "create":
            return [CanEnrol()]
        if self.action == "end":
            return [CanEndEnrolments()]
        return super().get_permissions()

    def get_queryset(self):
        queryset = selectors.enrolments_visible_to(self.request.user)
        if self.action == "list":
            return selectors.enrolments_listed(queryset)
        return queryset

    @extend_schema(request=EnrolmentCreateSerializer, responses={201: EnrolmentSerializer})
    def create(self, request, *args, **kwargs):
        """Enrol a case you work in a programme your agency delivers."""
        serializer = EnrolmentCreateSerializer(data=request.data, actor=request.user)
        serializer.is_valid(raise_exception=True)
        enrolment = services.enrolment_create(actor=request.user, **serializer.validated_data)
        return Response(self._read(enrolment), status=status.HTTP_201_CREATED)

    @extend_schema(request=EnrolmentEndSerializer, responses={200: EnrolmentSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the enrolment as completed or withdrawn."""
        enrolment = self.get_object()
        serializer = EnrolmentEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        enrolment = services.enrolment_end(
            actor=request.user, enrolment=enrolment, **serializer.validated_data
        )
        return Response(self._read(enrolment))

    def _read(self, enrolment: Enrolment) -> dict:
        return EnrolmentSerializer(
            selectors.enrolment_get(actor=self.request.user, enrolment_id=enrolment.pk)
        ).data


router = SimpleRouter()
router.register("enrolments", EnrolmentViewSet, basename="enrolment")

urlpatterns = router.urls
