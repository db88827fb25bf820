"""Endpoints for the support network: /network-ties/ and /clients/{client_id}/network/."""

import django_filters
from django.db.models import F
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import SearchFilter
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from casework.api.filters import strict_boolean_filter
from casework.models import NetworkSnapshot, NetworkTie, TieQuality, TieType
from casework.redaction import identity_is_visible
from casework.selectors import network as selectors
from casework.serializers.network import (
    NetworkMapSerializer,
    NetworkSnapshotCreateSerializer,
    NetworkSnapshotSerializer,
    NetworkTieCreateSerializer,
    NetworkTieEndSerializer,
    NetworkTieSerializer,
    NetworkTieWriteSerializer,
)
from casework.services import network as services
from core.audit import audit_record
from core.filters import StableOrderingFilter, StrictFilterBackend
from core.models import Agency, AuditAction


class CanMapNetworks(BasePermission):
    """Roles that add ties at all (403 otherwise); which clients is the selectors' job."""

    message = "Your role does not map support networks."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.has_perm("casework.add_networktie"))


class CanTakeSnapshots(BasePermission):
    message = "Your role does not take network snapshots."

    def has_permission(self, request, view) -> bool:
        if request.method != "POST":
            return True
        return bool(request.user and request.user.has_perm("casework.add_networksnapshot"))


class NetworkTieFilter(django_filters.FilterSet):
    client = django_filters.UUIDFilter(field_name="client_id")
    tie_type = django_filters.MultipleChoiceFilter(choices=TieType.choices, distinct=False)
    quality = django_filters.MultipleChoiceFilter(choices=TieQuality.choices, distinct=False)
    current = strict_boolean_filter(field_name="ended_on", lookup_expr="isnull")

    class Meta:
        model = NetworkTie
        fields = []


class TieOrderingFilter(StableOrderingFilter):
    """`?ordering=` for ties, where `name` sorts only names the viewer may read.

    Redacted ties (a restricted client's, for staff who may not identify
    them) carry no sort name: they come last in either direction, in id
    order, so their position says nothing about the real names.
    """

    def get_ordering(self, request, queryset, view):
        # Redacted ties tie on a NULL sort name; the id the stable ordering ends with
        # keeps their pages apart.
        return [_safe_term(term) for term in super().get_ordering(request, queryset, view)]


def _safe_term(term: str):
    if term == "name":
        return F("sort_name").asc(nulls_last=True)
    if term == "-name":
        return F("sort_name").desc(nulls_last=True)
    return term


class NetworkTieViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The people and organisations in your clients' lives. Ties are ended, never deleted.

    `?current=true` lists ties not yet ended. A restricted client's tie names
    show only to staff assigned to the client.
    """

    queryset = NetworkTie.objects.none()
    serializer_class = NetworkTieSerializer
    filterset_class = NetworkTieFilter
    filter_backends = [StrictFilterBackend, TieOrderingFilter, SearchFilter]
    ordering_fields = ["strength", "name", "started_on", "created_at"]
    # Grouped by client id, not by client: `client` orders by the clients' legal names,
    # whose order would hint at a restricted client's name, and sorted every tie a team
    # may see (92 ms at national scale) where `tie_client_strength` reads them in order.
    ordering = ["client_id", "-strength", "name", "id"]
    search_fields = []

    def get_permissions(self):
        if self.action == "create":
            return [IsAuthenticated(), CanMapNetworks()]
        return super().get_permissions()

    def get_queryset(self):
        return selectors.ties_visible_to(self.request.user)

    @extend_schema(request=NetworkTieCreateSerializer, responses={201: NetworkTieSerializer})
    def create(self, request, *args, **kwargs):
        serializer = NetworkTieCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        client = selectors.network_client_get(actor=request.user, client_id=data.pop("client"))
        tie = services.tie_add(actor=request.user, client=client, **data)
        return Response(self._read(tie), status=status.HTTP_201_CREATED)

    @extend_schema(request=NetworkTieWriteSerializer, responses={200: NetworkTieSerializer})
    def partial_update(self, request, *args, **kwargs):
        tie = self.get_object()
        serializer = NetworkTieWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        tie = services.tie_update(actor=request.user, tie=tie, **serializer.validated_data)
        return Response(self._read(tie))

    @extend_schema(request=NetworkTieEndSerializer, responses={200: NetworkTieSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the tie (default today): it leaves the current network and stays on record."""
        tie = self.get_object()
        serializer = NetworkTieEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tie = services.tie_end(actor=request.user, tie=tie, **serializer.validated_data)
        return Response(self._read(tie))

    def _read(self, tie: NetworkTie) -> dict:
        return NetworkTieSerializer(self.get_queryset().get(pk=tie.pk)).data


class ClientNetworkView(GenericAPIView):
    """A client's current support network, its summary figures and their time series.

    `series` lists every snapshot's figures (intake, review, exit …) oldest
    first, so the network's size and supportive ties can be compared over
    time. Reading it is audited.
    """

    queryset = NetworkTie.objects.none()
    serializer_class = NetworkMapSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(responses=NetworkMapSerializer)
    def get(self, request, client_id):
        network = selectors.network_map(actor=request.user, client_id=client_id)
        client = network["client"]
        audit_record(
            actor=request.user,
            action=AuditAction.VIEW,
            obj=client,
            agency=Agency(pk=client.agency_id),
            changes={"part": "network"},
        )
        visible = identity_is_visible(client, client.identity_visible)
        return Response(NetworkMapSerializer(network, context={"identity_visible": visible}).data)


class ClientNetworkSnapshotsView(GenericAPIView):
    """A client's network snapshots, oldest first; POST freezes the network as it stands."""

    queryset = NetworkSnapshot.objects.none()
    serializer_class = NetworkSnapshotSerializer
    permission_classes = [IsAuthenticated, CanTakeSnapshots]
    filter_backends = []

    @extend_schema(responses=NetworkSnapshotSerializer(many=True))
    def get(self, request, client_id):
        client = selectors.network_client_get(actor=request.user, client_id=client_id)
        snapshots = (
            selectors.snapshots_visible_to(request.user)
            .filter(client_id=client.pk)
            .order_by("taken_on", "created_at", "id")
        )
        page = self.paginate_queryset(snapshots)
        return self.get_paginated_response(NetworkSnapshotSerializer(page, many=True).data)

    @extend_schema(
        request=NetworkSnapshotCreateSerializer, responses={201: NetworkSnapshotSerializer}
    )
    def post(self, request, client_id):
        client = selectors.network_client_get(actor=request.user, client_id=client_id)
        serializer = NetworkSnapshotCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        frozen = services.network_snapshot_take(
            actor=request.user, client=client, **serializer.validated_data
        )
        fresh = selectors.snapshots_visible_to(request.user).get(pk=frozen.pk)
        return Response(NetworkSnapshotSerializer(fresh).data, status=status.HTTP_201_CREATED)


router = SimpleRouter()
router.register("network-ties", NetworkTieViewSet, basename="network-tie")

urlpatterns = [
    path(
        "clients/<uuid:client_id>/network/",
        ClientNetworkView.as_view(),
        name="client-network",
    ),
    path(
        "clients/<uuid:client_id>/network/snapshots/",
        ClientNetworkSnapshotsView.as_view(),
        name="client-network-snapshots",
    ),
    *router.urls,
]
