"""Endpoints for correction requests: /correction-requests/ and its correct and decline actions."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from casework.models import CorrectionRequest, CorrectionStatus
from casework.selectors import corrections as selectors
from casework.serializers.corrections import (
    CorrectionCorrectSerializer,
    CorrectionDeclineSerializer,
    CorrectionRequestCreateSerializer,
    CorrectionRequestSerializer,
)
from casework.services import corrections as services


class DoesCasework(BasePermission):
    """Casework roles record and answer requests (403 otherwise); which clients, the selectors."""

    message = "Requests are recorded and answered by the client's caseworkers and team leads."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.has_perm("casework.add_client"))


class CorrectionRequestFilter(django_filters.FilterSet):
    client = django_filters.UUIDFilter(field_name="client_id")
    status = django_filters.MultipleChoiceFilter(choices=CorrectionStatus.choices, distinct=False)
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")

    class Meta:
        model = CorrectionRequest
        fields = []


class CorrectionRequestViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Clients' requests to correct their information (Privacy Act 2020, IPP 7).

    Each request is due 20 working days after it was received (`due_on`). It
    is answered once: `correct` applies the change to the client record (the
    old value stays in the audit log), `decline` records the reason and
    attaches the client's statement of correction. Reading one is audited.
    """

    queryset = CorrectionRequest.objects.none()
    serializer_class = CorrectionRequestSerializer
    filterset_class = CorrectionRequestFilter
    ordering_fields = ["requested_at", "due_on", "created_at"]
    ordering = ["-requested_at", "id"]
    search_fields = []

    def get_permissions(self):
        if self.action in ("create", "correct", "decline"):
            return [IsAuthenticated(), DoesCasework()]
        return super().get_permissions()

    def get_queryset(self):
        return selectors.correction_requests_visible_to(self.request.user)

    def retrieve(self, request, *args, **kwargs):
        correction = selectors.correction_request_get(
            actor=request.user, correction_id=kwargs["pk"]
        )
        return Response(CorrectionRequestSerializer(correction).data)

    @extend_schema(
        request=CorrectionRequestCreateSerializer, responses={201: CorrectionRequestSerializer}
    )
    def create(self, request, *args, **kwargs):
        serializer = CorrectionRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        client = selectors.correction_client_get(actor=request.user, client_id=data.pop("client"))
        correction = services.correction_request_record(actor=request.user, client=client, **data)
        return Response(self._read(correction), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=CorrectionCorrectSerializer, responses={200: CorrectionRequestSerializer}
    )
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        """Apply the requested correction to the client's record and close the request."""
        correction = selectors.correction_request_find(actor=request.user, correction_id=pk)
        serializer = CorrectionCorrectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        correction = services.correction_request_correct(
            actor=request.user, correction=correction, note=serializer.validated_data["note"]
        )
        return Response(self._read(correction))

    @extend_schema(
        request=CorrectionDeclineSerializer, responses={200: CorrectionRequestSerializer}
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline the correction with a reason; the client's statement is attached."""
        correction = selectors.correction_request_find(actor=request.user, correction_id=pk)
        serializer = CorrectionDeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        correction = services.correction_request_decline(
            actor=request.user, correction=correction, **serializer.validated_data
        )
        return Response(self._read(correction))

    def _read(self, correction: CorrectionRequest) -> dict:
        return CorrectionRequestSerializer(self.get_queryset().get(pk=correction.pk)).data


router = SimpleRouter()
router.register("correction-requests", CorrectionRequestViewSet, basename="correction-request")

urlpatterns = router.urls
