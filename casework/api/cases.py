"""Endpoints for cases: /cases/ (list, open, read, edit the summary) and their workflow actions."""

import django_filters
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from casework.models import Case, CaseStatus
from casework.selectors import cases as selectors
from casework.serializers.cases import (
    CaseAssignSerializer,
    CaseCreateSerializer,
    CaseSerializer,
    CaseStatusChangeSerializer,
    CaseTransitionSerializer,
    CaseUpdateSerializer,
)
from casework.services import cases as services
from core.fields import SafeIsoDateTimeFilter
from core.nz.regions import REGION_CHOICES

CASE_ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="Case id.")


class CanOpenCases(BasePermission):
    """Roles that open cases at all (403 otherwise); for which clients is the selectors' job."""

    message = "Your role does not open cases."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.has_perm("casework.add_case"))


class CaseFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=CaseStatus.choices, distinct=False)
    lead_caseworker = django_filters.UUIDFilter(field_name="lead_caseworker_id")
    team = django_filters.UUIDFilter(field_name="team_id")
    client = django_filters.UUIDFilter(field_name="client_id")
    whanau = django_filters.UUIDFilter(field_name="whanau_id")
    region = django_filters.ChoiceFilter(
        choices=REGION_CHOICES, method="filter_region", help_text="The client's region."
    )
    opened_after = SafeIsoDateTimeFilter(field_name="opened_at", lookup_expr="gte")
    opened_before = SafeIsoDateTimeFilter(field_name="opened_at", lookup_expr="lt")
    closed_after = SafeIsoDateTimeFilter(field_name="closed_at", lookup_expr="gte")
    closed_before = SafeIsoDateTimeFilter(field_name="closed_at", lookup_expr="lt")
    search = django_filters.CharFilter(
        method="filter_search",
        help_text="Words of the client's name or the whānau's name (case and macrons do not "
        "matter), or the client's NHI. Restricted clients you may not identify are never "
        "matched.",
    )

    class Meta:
        model = Case
        fields = []

    def filter_region(self, queryset, name, value):
        return selectors.cases_in_region(queryset, region=value)

    def filter_search(self, queryset, name, value):
        return selectors.cases_search(queryset, actor=self.request.user, term=value)


@extend_schema_view(
    retrieve=extend_schema(parameters=[CASE_ID]),
    partial_update=extend_schema(
        parameters=[CASE_ID], request=CaseUpdateSerializer, responses=CaseSerializer
    ),
)
class CaseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Cases you lead, and every case of a team you lead. Cases are closed, never deleted.

    Status changes only through `transition`, the lead caseworker only through
    `assign`; the summary is the one field edited in place. Reading a case is
    audited.
    """

    queryset = Case.objects.none()
    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    ordering_fields = ["opened_at", "closed_at", "updated_at"]
    ordering = ["-opened_at", "id"]
    search_fields = []

    def get_permissions(self):
        if self.action == "create":
            return [IsAuthenticated(), CanOpenCases()]
        return super().get_permissions()

    def get_queryset(self):
        queryset = selectors.case_list(actor=self.request.user)
        if self.action == "list":
            return selectors.cases_listed(queryset)
        return queryset

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def retrieve(self, request, *args, **kwargs):
        case = selectors.case_get(actor=request.user, case_id=kwargs["pk"])
        return Response(self._render(case))

    @extend_schema(request=CaseCreateSerializer, responses={201: CaseSerializer})
    def create(self, request, *args, **kwargs):
        actor = request.user
        serializer = CaseCreateSerializer(
            data=request.data,
            staff=selectors.case_staff(agency_id=actor.agency_id),
            teams=selectors.case_teams(agency_id=actor.agency_id),
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        client_id, whanau_id = data.pop("client", None), data.pop("whanau", None)
        if client_id is not None:
            data["client"] = selectors.case_subject_client_find(actor=actor, client_id=client_id)
        else:
            data["whanau"] = selectors.case_subject_whanau_find(actor=actor, whanau_id=whanau_id)
        case = services.case_open(actor=actor, **data)
        return Response(self._read(case), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        case = selectors.case_find(actor=request.user, case_id=kwargs["pk"])
        serializer = CaseUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if "summary" in serializer.validated_data:
            case = services.case_update(
                actor=request.user, case=case, summary=serializer.validated_data["summary"]
            )
        return Response(self._read(case))

    @extend_schema(
        parameters=[CASE_ID], request=CaseTransitionSerializer, responses={200: CaseSerializer}
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the case to another status; a refused move answers 400 listing the allowed ones.

        referred → intake | closed; intake → active | closed; active → on_hold |
        closed; on_hold → active | closed; closed → active (a reopen, with a
        reason, within CASE_REOPEN_WINDOW_DAYS of closing). Closing needs a
        `closure_reason`.
        """
        case = selectors.case_find(actor=request.user, case_id=pk)
        serializer = CaseTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.case_transition(actor=request.user, case=case, **serializer.validated_data)
        return Response(self._read(case))

    @extend_schema(
        parameters=[CASE_ID], request=CaseAssignSerializer, responses={200: CaseSerializer}
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Hand the case to another lead caseworker (and optionally team), moving access with it.

        For leads of the case's team: anyone who cannot see the case gets 404,
        anyone who can but does not lead its team gets 403.
        """
        case = selectors.case_find(actor=request.user, case_id=pk)
        serializer = CaseAssignSerializer(
            data=request.data,
            staff=selectors.case_staff(agency_id=case.agency_id),
            teams=selectors.case_teams(agency_id=case.agency_id),
        )
        serializer.is_valid(raise_exception=True)
        case = services.case_assign(actor=request.user, case=case, **serializer.validated_data)
        return Response(self._read(case))

    @extend_schema(parameters=[CASE_ID], responses=CaseStatusChangeSerializer(many=True))
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        serializer_class=CaseStatusChangeSerializer,
    )
    def history(self, request, pk=None):
        """Every status change of the case, oldest first: who, when, from, to and why."""
        changes = selectors.case_history(actor=request.user, case_id=pk)
        page = self.paginate_queryset(changes)
        return self.get_paginated_response(CaseStatusChangeSerializer(page, many=True).data)

    def _read(self, case: Case) -> dict:
        # Re-read through the selector: the answer carries the viewer's redaction, and a
        # reassignment that took the case away from its actor must not fail here.
        fresh = selectors.case_list(actor=self.request.user).filter(pk=case.pk).first()
        if fresh is None:
            fresh = selectors.case_handed_away(case_id=case.pk)
        return self._render(fresh)

    def _render(self, case: Case) -> dict:
        return CaseSerializer(case, context=self.get_serializer_context()).data


router = SimpleRouter()
router.register("cases", CaseViewSet, basename="case")

urlpatterns = router.urls
