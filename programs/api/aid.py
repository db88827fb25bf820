"""Endpoints for aid requests (`/aid-requests/`): raise, edit, submit and decide.

Caseworkers see the requests of the cases they work; program officers see
their agency's queue (submitted and later) and decide within their delegated
limit; compliance officers read their agency's. Requests anyone else raised
for another agency answer 404.
"""

from datetime import timedelta

import django_filters
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core.audit import audit_record
from core.fields import SafeIsoDateTimeFilter
from core.models import AuditAction
from programs import selectors, services
from programs.models import AidCategory, AidRequest, AidRequestStatus
from programs.permissions import CanRaiseAid
from programs.serializers.aid import (
    AidApproveSerializer,
    AidDecisionSerializer,
    AidReasonSerializer,
    AidRequestCreateSerializer,
    AidRequestSerializer,
    AidRequestUpdateSerializer,
)

REFUSALS = {
    400: OpenApiResponse(description="A rule refused it (`code` says which); nothing changed."),
    403: OpenApiResponse(description="Your role, limit or separation of duties refuses it."),
    404: OpenApiResponse(description="No such aid request, or not one you may see."),
}


class AidRequestFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=AidRequestStatus.choices, distinct=False)
    category = django_filters.MultipleChoiceFilter(choices=AidCategory.choices, distinct=False)
    programme = django_filters.UUIDFilter(field_name="programme_id")
    case = django_filters.UUIDFilter(field_name="case_id")
    client = django_filters.UUIDFilter(field_name="client_id")
    is_recoverable = django_filters.BooleanFilter()
    amount_min = django_filters.NumberFilter(field_name="amount", lookup_expr="gte")
    amount_max = django_filters.NumberFilter(field_name="amount", lookup_expr="lte")
    submitted_after = SafeIsoDateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = SafeIsoDateTimeFilter(field_name="submitted_at", lookup_expr="lt")
    # Bounded so an absurd age is a 400, not an overflowing date sum.
    min_age_days = django_filters.NumberFilter(
        method="filter_min_age_days",
        label="Submitted at least this many days ago.",
        min_value=0,
        max_value=36_500,
    )
    max_age_days = django_filters.NumberFilter(
        method="filter_max_age_days",
        label="Submitted at most this many days ago.",
        min_value=0,
        max_value=36_500,
    )
    budgeting_support = django_filters.BooleanFilter(
        method="filter_budgeting_support",
        label="The client reached the budgeting-support threshold of requests in 12 months.",
    )
    within_my_limit = django_filters.BooleanFilter(
        method="filter_within_my_limit", label="The amount is within your delegated limit."
    )

    class Meta:
        model = AidRequest
        fields = []

    def filter_min_age_days(self, queryset, name, value):
        return queryset.filter(submitted_at__lte=timezone.now() - timedelta(days=int(value)))

    def filter_max_age_days(self, queryset, name, value):
        return queryset.filter(submitted_at__gte=timezone.now() - timedelta(days=int(value)))

    def filter_budgeting_support(self, queryset, name, value):
        threshold = selectors.budgeting_support_threshold()
        if value:
            return queryset.filter(requests_12_months__gte=threshold)
        return queryset.filter(requests_12_months__lt=threshold)

    def filter_within_my_limit(self, queryset, name, value):
        limit = getattr(self.request.user, "delegated_limit", None)
        if limit is None:
            return queryset.none() if value else queryset
        return queryset.filter(amount__lte=limit) if value else queryset.filter(amount__gt=limit)


class AidRequestViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Aid requests you may see, filterable by status, category, amount and age.

    Each row carries `requests_12_months` and `budgeting_support_flag`: three
    or more requests for the client in 12 months suggests offering budgeting
    support. Status changes only through the actions.
    """

    queryset = AidRequest.objects.none()
    serializer_class = AidRequestSerializer
    filterset_class = AidRequestFilter
    search_fields = []
    ordering_fields = ["created_at", "submitted_at", "amount", "requests_12_months"]
    ordering = ["-created_at", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_permissions(self):
        if self.action in ("create", "partial_update", "update", "submit"):
            return [CanRaiseAid()]
        return super().get_permissions()

    def get_queryset(self):
        queryset = selectors.aid_requests_visible_to(self.request.user)
        if self.action == "list":
            return selectors.aid_requests_listed(queryset)
        return queryset

    def paginate_queryset(self, queryset):
        if self.action == "list":
            queryset = selectors.aid_requests_in_pages(queryset, actor=self.request.user)
        page = super().paginate_queryset(queryset)
        if self.action == "list" and page is not None:
            return selectors.with_history(page)
        return page

    def retrieve(self, request, *args, **kwargs):
        aid_request = selectors.with_history([self.get_object()])[0]
        audit_record(actor=request.user, action=AuditAction.VIEW, obj=aid_request)
        return Response(AidRequestSerializer(aid_request).data)

    @extend_schema(responses=AidDecisionSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], filter_backends=[])
    def decisions(self, request, pk=None):
        """The decisions taken on the request, each with the facts it relied on, frozen."""
        decisions = selectors.aid_decisions_of(actor=request.user, aid_request=self.get_object())
        page = self.paginate_queryset(decisions)
        return self.get_paginated_response(AidDecisionSerializer(page, many=True).data)

    @extend_schema(
        request=AidRequestCreateSerializer,
        responses={201: AidRequestSerializer, **REFUSALS},
    )
    def create(self, request, *args, **kwargs):
        """Raise a draft aid request for a case you work."""
        serializer = AidRequestCreateSerializer(data=request.data, actor=request.user)
        serializer.is_valid(raise_exception=True)
        aid_request = services.aid_request_create(actor=request.user, **serializer.validated_data)
        return Response(self._read(aid_request), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=AidRequestUpdateSerializer, responses={200: AidRequestSerializer, **REFUSALS}
    )
    def partial_update(self, request, *args, **kwargs):
        """Change a draft or returned request."""
        aid_request = self.get_object()
        serializer = AidRequestUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        aid_request = services.aid_request_update(
            actor=request.user, aid_request=aid_request, **serializer.validated_data
        )
        return Response(self._read(aid_request))

    def update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: AidRequestSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send the request to the program officers (a justification is required)."""
        aid_request = services.aid_request_submit(actor=request.user, aid_request=self.get_object())
        return Response(self._read(aid_request))

    @extend_schema(request=AidApproveSerializer, responses={200: AidRequestSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve within your delegated limit; the amount is committed against the budget."""
        aid_request = self.get_object()
        serializer = AidApproveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        aid_request = services.aid_request_approve(
            actor=request.user, aid_request=aid_request, note=serializer.validated_data["note"]
        )
        return Response(self._read(aid_request))

    @extend_schema(request=AidReasonSerializer, responses={200: AidRequestSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline, with a reason the caseworker sees."""
        return self._with_reason(request, services.aid_request_decline)

    @extend_schema(request=AidReasonSerializer, responses={200: AidRequestSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_to_caseworker(self, request, pk=None):
        """Return to the caseworker for more information, with a reason."""
        return self._with_reason(request, services.aid_request_return)

    @extend_schema(request=AidReasonSerializer, responses={200: AidRequestSerializer, **REFUSALS})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Withdraw the request, with a reason; an approved one gives its commitment back."""
        return self._with_reason(request, services.aid_request_cancel)

    def _with_reason(self, request, service):
        aid_request = self.get_object()
        serializer = AidReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        aid_request = service(
            actor=request.user, aid_request=aid_request, reason=serializer.validated_data["reason"]
        )
        return Response(self._read(aid_request))

    def _read(self, aid_request: AidRequest) -> dict:
        return AidRequestSerializer(
            selectors.aid_request_get(actor=self.request.user, aid_request_id=aid_request.pk)
        ).data


router = SimpleRouter()
router.register("aid-requests", AidRequestViewSet, basename="aid-request")

urlpatterns = router.urls
