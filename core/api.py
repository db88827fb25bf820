"""HTTP endpoints for sign-in, the signed-in user, agencies, teams, staff and the audit log."""

import django_filters
from django.db import connections
from django.http import JsonResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle
from rest_framework.views import APIView

from core import selectors, services
from core.audit import audit_events_for_display
from core.fields import SafeIsoDateTimeFilter
from core.models import Agency, AuditAction, AuditEvent, Team, User
from core.pagination import StandardPagination
from core.permissions import IsAgencyAdmin, IsAuditReader
from core.roles import Role
from core.serializers import (
    AgencySerializer,
    AuditEventSerializer,
    MeSerializer,
    PaginatedWorkItemSerializer,
    StaffSerializer,
    StaffUpdateSerializer,
    StaffWriteSerializer,
    TeamSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    WorkItemSerializer,
)
from core.work import work_items_for


class TokenObtainView(APIView):
    """Exchange a username and password for an API token (`Authorization: Token …`)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle, AnonRateThrottle]
    throttle_scope = "token"

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer}, auth=[])
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = services.auth_token_issue(request=request, **serializer.validated_data)
        return Response({"token": token.key})


class LogoutView(APIView):
    """Sign out: revoke your API token and end your session."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        services.auth_logout(request=request, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """The signed-in user with their agency, team and roles."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = (
            User.objects.select_related("agency", "team__agency")
            .prefetch_related("groups")
            .get(pk=request.user.pk)
        )
        return Response(MeSerializer(user).data)


class MyWorkView(APIView):
    """What is due for you: reviews, follow-ups and decisions, most overdue first.

    Filter with `?kind=` (repeatable); paginated like every list.
    """

    @extend_schema(
        parameters=[OpenApiParameter("kind", str, many=True, required=False)],
        responses=PaginatedWorkItemSerializer,
    )
    def get(self, request):
        today = timezone.localdate()
        items = work_items_for(request.user, today)
        kinds = request.query_params.getlist("kind")
        if kinds:
            items = [item for item in items if item.kind in kinds]
        paginator = StandardPagination()
        page = paginator.paginate_queryset(items, request, view=self)
        data = WorkItemSerializer(page, many=True, context={"today": today}).data
        return paginator.get_paginated_response(data)


class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    """Agencies on this deployment (names are public to staff, for referrals)."""

    queryset = Agency.objects.none()
    serializer_class = AgencySerializer
    filterset_fields = ["kind", "region", "slug"]
    search_fields = ["name", "slug"]
    ordering_fields = ["name", "slug"]
    ordering = ["name"]

    def get_queryset(self):
        return selectors.agency_list()


class TeamViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Teams of your own agency; an agency admin can add one."""

    queryset = Team.objects.none()
    serializer_class = TeamSerializer
    search_fields = ["name"]
    ordering_fields = ["name"]
    ordering = ["name"]

    def get_permissions(self):
        if self.action == "create":
            return [IsAgencyAdmin()]
        return super().get_permissions()

    def get_queryset(self):
        return selectors.teams_visible_to(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.team_create(
            actor=self.request.user,
            agency=self.request.user.agency,
            name=serializer.validated_data["name"],
        )


class StaffFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices, method="filter_role")

    class Meta:
        model = User
        fields = ["role", "team", "is_active"]

    def filter_role(self, queryset, name, value):
        return queryset.filter(groups__name=f"role:{value}")


class StaffViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Your agency's staff, for its agency admins. Staff are deactivated, never deleted."""

    queryset = User.objects.none()
    permission_classes = [IsAgencyAdmin]
    serializer_class = StaffSerializer
    filterset_class = StaffFilter
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering_fields = ["username", "last_name", "date_joined"]
    ordering = ["username"]

    def get_queryset(self):
        return selectors.staff_visible_to(self.request.user)

    def _write_serializer(self, serializer_class, data, *, partial=False):
        serializer = serializer_class(
            data=data,
            partial=partial,
            teams=selectors.teams_visible_to(self.request.user),
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(request=StaffWriteSerializer, responses={201: StaffSerializer})
    def create(self, request, *args, **kwargs):
        data = self._write_serializer(StaffWriteSerializer, request.data)
        data.pop("is_active", None)
        staff = services.staff_create(actor=request.user, agency=request.user.agency, **data)
        return Response(self._read(staff), status=status.HTTP_201_CREATED)

    @extend_schema(request=StaffUpdateSerializer, responses=StaffSerializer)
    def update(self, request, *args, **kwargs):
        staff = self.get_object()
        data = self._write_serializer(
            StaffUpdateSerializer, request.data, partial=kwargs.get("partial", False)
        )
        staff = services.staff_update(actor=request.user, staff=staff, **data)
        return Response(self._read(staff))

    def _read(self, staff: User) -> dict:
        return StaffSerializer(selectors.staff_get(actor=self.request.user, staff_id=staff.pk)).data


class AuditEventFilter(django_filters.FilterSet):
    actor = django_filters.UUIDFilter(field_name="actor_id")
    actor_username = django_filters.CharFilter()
    action = django_filters.MultipleChoiceFilter(choices=AuditAction.choices, distinct=False)
    object_type = django_filters.CharFilter()
    object_id = django_filters.CharFilter()
    request_id = django_filters.CharFilter()
    occurred_after = SafeIsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = SafeIsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields = []


class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """Your agency's audit log, for compliance officers and agency admins. It is append-only."""

    queryset = AuditEvent.objects.none()
    permission_classes = [IsAuditReader]
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    ordering_fields = ["occurred_at"]
    ordering = ["-occurred_at", "-id"]
    search_fields = []

    def get_queryset(self):
        return selectors.audit_events_visible_to(self.request.user)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return None if page is None else audit_events_for_display(self.request.user, page)

    def get_object(self):
        event = super().get_object()
        return audit_events_for_display(self.request.user, [event])[0]


def healthz(request):
    """The process is up (no dependencies checked)."""
    return JsonResponse({"status": "ok"})


def readyz(request):
    """The process can serve: the database answers a query."""
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means not ready
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
