"""Endpoints for payments, recoveries and repayments (`/payments/`, `/recoveries/`, `/repayments/`).

Creating a payment or a repayment honours the Idempotency-Key header
(programs.idempotency), so a retried POST records the money once.
"""

import django_filters
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core.audit import audit_record
from core.models import AuditAction
from programs import selectors, services
from programs.api.pages import ProgrammeCaseloadPagesMixin
from programs.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from programs.models import (
    AidRequest,
    Payment,
    PaymentMethod,
    Recovery,
    RecoveryStatus,
    Repayment,
    RepaymentMethod,
)
from programs.permissions import CanRecordPayments, CanRecordRepayments
from programs.repayment_schedule import repayment_schedule
from programs.serializers.payments import (
    ClientBalanceSerializer,
    InstalmentSerializer,
    PaymentSerializer,
    RecoverySerializer,
    RepaymentSerializer,
)

IDEMPOTENT_REFUSALS = {
    400: OpenApiResponse(description="Invalid input or a rule refused it; nothing changed."),
    403: OpenApiResponse(description="Your role does not record money."),
    409: OpenApiResponse(description="A request with this Idempotency-Key is still running."),
    422: OpenApiResponse(description="This Idempotency-Key was used with a different request."),
}


class PaymentFilter(django_filters.FilterSet):
    aid_request = django_filters.UUIDFilter(field_name="aid_request_id")
    payment_method = django_filters.MultipleChoiceFilter(
        field_name="method", choices=PaymentMethod.choices, distinct=False
    )
    paid_after = django_filters.DateFilter(field_name="paid_on", lookup_expr="gte")
    paid_before = django_filters.DateFilter(field_name="paid_on", lookup_expr="lte")

    class Meta:
        model = Payment
        fields = []


class PaymentViewSet(
    ProgrammeCaseloadPagesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Payments of aid requests you may see; program officers record them."""

    queryset = Payment.objects.none()
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter
    search_fields = []
    ordering_fields = ["paid_on", "amount", "created_at"]
    ordering = ["-paid_on", "-created_at", "id"]
    sorted_apart_over = Q(method=PaymentMethod.DIRECT_CREDIT)

    def get_permissions(self):
        if self.action == "create":
            return [CanRecordPayments()]
        return super().get_permissions()

    def get_queryset(self):
        queryset = selectors.payments_visible_to(self.request.user)
        if self.action == "list":
            return selectors.payments_listed(queryset)
        return queryset

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: PaymentSerializer, **IDEMPOTENT_REFUSALS},
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        """Pay an approved request: at most the approved amount; the request becomes paid."""
        serializer = PaymentSerializer(
            data=request.data,
            aid_requests=AidRequest.objects.filter(selectors.aid_request_visibility(request.user)),
        )
        serializer.is_valid(raise_exception=True)
        payment = services.payment_record(actor=request.user, **serializer.validated_data)
        payment = selectors.payment_get(actor=request.user, payment_id=payment.pk)
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


class RecoveryFilter(django_filters.FilterSet):
    client = django_filters.UUIDFilter(field_name="client_id")
    aid_request = django_filters.UUIDFilter(field_name="aid_request_id")
    status = django_filters.ChoiceFilter(choices=RecoveryStatus.choices)

    class Meta:
        model = Recovery
        fields = []


class RecoveryViewSet(ProgrammeCaseloadPagesMixin, viewsets.ReadOnlyModelViewSet):
    """Recoverable advances being repaid, with their balance; one's detail has its schedule."""

    queryset = Recovery.objects.none()
    serializer_class = RecoverySerializer
    filterset_class = RecoveryFilter
    search_fields = []
    ordering_fields = ["created_at", "first_due_on"]
    ordering = ["-created_at", "id"]
    sorted_apart_over = Q(status=RecoveryStatus.ACTIVE)

    def get_queryset(self):
        queryset = selectors.recoveries_visible_to(self.request.user)
        if self.action == "list":
            return selectors.recoveries_listed(queryset)
        return queryset

    def retrieve(self, request, *args, **kwargs):
        recovery = self.get_object()
        audit_record(actor=request.user, action=AuditAction.VIEW, obj=recovery)
        return Response(RecoverySerializer(recovery).data)

    @extend_schema(responses=InstalmentSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], filter_backends=[])
    def schedule(self, request, pk=None):
        """The repayment schedule: instalments and due dates that repay the principal exactly."""
        recovery = self.get_object()
        instalments = repayment_schedule(
            principal=recovery.principal,
            instalment=recovery.instalment,
            frequency=recovery.frequency,
            first_due_on=recovery.first_due_on,
        )
        page = self.paginate_queryset(instalments)
        return self.get_paginated_response(InstalmentSerializer(page, many=True).data)

    @extend_schema(
        responses=ClientBalanceSerializer(many=True),
        filters=False,
        parameters=[OpenApiParameter("client", OpenApiTypes.UUID, description="One client.")],
    )
    @action(detail=False, methods=["get"], filter_backends=[])
    def balances(self, request):
        """What each client owes on advances you may see; `?client=` narrows it to one client."""
        rows = selectors.client_balances_visible_to(request.user)
        client_id = request.query_params.get("client")
        if client_id:
            rows = rows.filter(client_id=serializers.UUIDField().run_validation(client_id))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ClientBalanceSerializer(page, many=True).data)


class RepaymentFilter(django_filters.FilterSet):
    recovery = django_filters.UUIDFilter(field_name="recovery_id")
    client = django_filters.UUIDFilter(field_name="recovery__client_id")

    class Meta:
        model = Repayment
        fields = []


class RepaymentViewSet(
    ProgrammeCaseloadPagesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Repayments of advances you may see; program officers record them."""

    queryset = Repayment.objects.none()
    serializer_class = RepaymentSerializer
    filterset_class = RepaymentFilter
    search_fields = []
    ordering_fields = ["received_on", "amount", "created_at"]
    ordering = ["-received_on", "-created_at", "id"]
    sorted_apart_over = Q(method=RepaymentMethod.DEDUCTION)

    def get_permissions(self):
        if self.action == "create":
            return [CanRecordRepayments()]
        return super().get_permissions()

    def get_queryset(self):
        queryset = selectors.repayments_visible_to(self.request.user)
        if self.action == "list":
            return selectors.repayments_listed(queryset)
        return queryset

    @extend_schema(
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: RepaymentSerializer, **IDEMPOTENT_REFUSALS},
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        """Record money received; more than the balance owing is refused (`overpayment`)."""
        serializer = RepaymentSerializer(
            data=request.data, recoveries=selectors.recoveries_visible_to(request.user)
        )
        serializer.is_valid(raise_exception=True)
        repayment = services.repayment_record(actor=request.user, **serializer.validated_data)
        repayment = selectors.repayment_get(actor=request.user, repayment_id=repayment.pk)
        return Response(RepaymentSerializer(repayment).data, status=status.HTTP_201_CREATED)


router = SimpleRouter()
router.register("payments", PaymentViewSet, basename="payment")
router.register("recoveries", RecoveryViewSet, basename="recovery")
router.register("repayments", RepaymentViewSet, basename="repayment")

urlpatterns = router.urls
