"""Endpoints for whānau: `/whanau/` groups and `/whanau/{id}/members/` their members."""

import django_filters
from django.db.models import Q
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from casework.api.pages import GrantedCaseloadPagesMixin
from casework.models import Whanau, WhanauMember
from casework.selectors import whanau as selectors
from casework.serializers.whanau import (
    WhanauCreateSerializer,
    WhanauMemberCreateSerializer,
    WhanauMemberSerializer,
    WhanauMemberUpdateSerializer,
    WhanauSerializer,
    WhanauUpdateSerializer,
)
from casework.services import whanau as services
from core.fields import SafeIsoDateTimeFilter


class WorksWithWhanau(BasePermission):
    """Writes to whānau are for roles holding `casework.add_whanau` (caseworkers, team leads)."""

    message = "Your role does not work with whānau."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("casework.add_whanau"))


class WhanauFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search",
        help_text="Whānau whose name contains every word; case and macrons do not matter.",
    )
    created_after = SafeIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = SafeIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Whanau
        fields = []

    def filter_search(self, queryset, name, value):
        return selectors.whanau_named(queryset, term=value)


class WhanauViewSet(GrantedCaseloadPagesMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Whānau you registered, or where you see a member client or a case.

    Member clients you may not see are listed without their name. Whānau are
    not deleted; reading one is audited.
    """

    queryset = Whanau.objects.none()
    serializer_class = WhanauSerializer
    filterset_class = WhanauFilter
    search_fields = []
    ordering_fields = ["name", "created_at"]
    ordering = ["name", "id"]
    sorted_apart_over = Q(name="")

    def get_permissions(self):
        if self.action in {"create", "partial_update"}:
            return [*super().get_permissions(), WorksWithWhanau()]
        return super().get_permissions()

    def get_queryset(self):
        return selectors.whanau_list(actor=self.request.user)

    def get_object(self) -> Whanau:
        return selectors.whanau_find(actor=self.request.user, whanau_id=self.kwargs["pk"])

    @extend_schema(request=WhanauCreateSerializer, responses={201: WhanauSerializer})
    def create(self, request, *args, **kwargs):
        serializer = WhanauCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        whanau = services.whanau_create(actor=request.user, **serializer.validated_data)
        return Response(self._read(whanau), status=status.HTTP_201_CREATED)

    @extend_schema(responses=WhanauSerializer)
    def retrieve(self, request, *args, **kwargs):
        whanau = selectors.whanau_get(actor=request.user, whanau_id=kwargs["pk"])
        return Response(WhanauSerializer(whanau).data)

    @extend_schema(request=WhanauUpdateSerializer, responses=WhanauSerializer)
    def partial_update(self, request, *args, **kwargs):
        whanau = self.get_object()
        serializer = WhanauUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        whanau = services.whanau_update(
            actor=request.user, whanau=whanau, **serializer.validated_data
        )
        return Response(self._read(whanau))

    def _read(self, whanau: Whanau) -> dict:
        return WhanauSerializer(
            selectors.whanau_find(actor=self.request.user, whanau_id=whanau.pk)
        ).data


class WhanauMemberViewSet(viewsets.GenericViewSet):
    """Members of one whānau: clients of your agency, or people who are not clients.

    Exactly one member is the primary contact; marking another moves the role.
    """

    queryset = WhanauMember.objects.none()
    serializer_class = WhanauMemberSerializer
    filter_backends = []

    def get_permissions(self):
        if self.action in {"create", "partial_update", "destroy"}:
            return [*super().get_permissions(), WorksWithWhanau()]
        return super().get_permissions()

    @extend_schema(responses=WhanauMemberSerializer(many=True))
    def list(self, request, whanau_id):
        members = selectors.whanau_member_list(actor=request.user, whanau_id=whanau_id)
        page = self.paginate_queryset(members)
        return self.get_paginated_response(WhanauMemberSerializer(page, many=True).data)

    @extend_schema(request=WhanauMemberCreateSerializer, responses={201: WhanauMemberSerializer})
    def create(self, request, whanau_id):
        whanau = selectors.whanau_find(actor=request.user, whanau_id=whanau_id)
        serializer = WhanauMemberCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        member = services.whanau_member_add(
            actor=request.user, whanau=whanau, **serializer.validated_data
        )
        return Response(self._read(whanau_id, member), status=status.HTTP_201_CREATED)

    @extend_schema(request=WhanauMemberUpdateSerializer, responses=WhanauMemberSerializer)
    def partial_update(self, request, whanau_id, member_id):
        member = selectors.whanau_member_find(
            actor=request.user, whanau_id=whanau_id, member_id=member_id
        )
        serializer = WhanauMemberUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = services.whanau_member_update(
            actor=request.user, member=member, **serializer.validated_data
        )
        return Response(self._read(whanau_id, member))

    @extend_schema(responses={204: None})
    def destroy(self, request, whanau_id, member_id):
        member = selectors.whanau_member_find(
            actor=request.user, whanau_id=whanau_id, member_id=member_id
        )
        services.whanau_member_remove(actor=request.user, member=member)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _read(self, whanau_id, member: WhanauMember) -> dict:
        return WhanauMemberSerializer(
            selectors.whanau_member_find(
                actor=self.request.user, whanau_id=whanau_id, member_id=member.pk
            )
        ).data


router = SimpleRouter()
router.register("whanau", WhanauViewSet, basename="whanau")

member_list = WhanauMemberViewSet.as_view({"get": "list", "post": "create"})
member_detail = WhanauMemberViewSet.as_view({"patch": "partial_update", "delete": "destroy"})

urlpatterns = [
    *router.urls,
    path("whanau/<uuid:whanau_id>/members/", member_list, name="whanau-member-list"),
    path(
        "whanau/<uuid:whanau_id>/members/<uuid:member_id>/",
        member_detail,
        name="whanau-member-detail",
    ),
]
