"""Endpoints for referrals (`/referrals/`): draft, send, the recipient's answers, and the inbox.

The referring side (who may see the case) and the receiving agency's
caseworkers and team leads see a referral; anyone else gets 404. The
receiving side reads only the fields shared with it, and only while the
referral is open and the client's consent stands.
"""

import django_filters
from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from casework.access import cases_visible_to, clients_visible_to
from programs.models import Referral, ReferralStatus, ReferralUrgency
from programs.selectors.referrals import (
    recipient_side,
    referral_get,
    referral_inbox,
    referrals_listed,
    referrals_visible_to,
    sender_side,
)
from programs.serializers.referrals import (
    ReferralAcceptSerializer,
    ReferralCreateSerializer,
    ReferralNetworkSerializer,
    ReferralReasonSerializer,
    ReferralSerializer,
)
from programs.services import referrals as services

REFUSALS = {
    400: OpenApiResponse(description="A rule refused it (`code` says which); nothing changed."),
    403: OpenApiResponse(description="Your role or side of the referral does not do this."),
    404: OpenApiResponse(description="No such referral, or not one you may see."),
}


class ReferralFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ReferralStatus.choices, distinct=False)
    urgency = django_filters.MultipleChoiceFilter(choices=ReferralUrgency.choices, distinct=False)
    direction = django_filters.ChoiceFilter(
        choices=[("outgoing", "Outgoing"), ("incoming", "Incoming")], method="filter_direction"
    )
    case = django_filters.UUIDFilter(field_name="case_id")
    service = django_filters.UUIDFilter(field_name="service_id")
    reference = django_filters.CharFilter()
    follow_up_before = django_filters.DateFilter(field_name="follow_up_on", lookup_expr="lt")

    class Meta:
        model = Referral
        fields = []

    def filter_direction(self, queryset, name, value):
        user = self.request.user
        return queryset.filter(sender_side(user) if value == "outgoing" else recipient_side(user))


class ReferralViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Referrals you made (outgoing) or your agency received (incoming).

    Status changes only through the actions; each answers the referral as you may see it.
    """

    queryset = Referral.objects.none()
    serializer_class = ReferralSerializer
    filterset_class = ReferralFilter
    search_fields = ["reference"]
    ordering_fields = ["created_at", "sent_at", "follow_up_on"]
    ordering = ["-created_at", "id"]

    def get_queryset(self):
        queryset = referrals_visible_to(self.request.user)
        if self.action == "list":
            return referrals_listed(queryset)
        return queryset

    def retrieve(self, request, *args, **kwargs):
        return Response(self._read(referral_get(actor=request.user, referral_id=kwargs["pk"])))

    @extend_schema(
        request=ReferralCreateSerializer, responses={201: ReferralSerializer, **REFUSALS}
    )
    def create(self, request, *args, **kwargs):
        """Draft a referral of a client of your case to a service; nothing is shared yet."""
        serializer = ReferralCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        case = cases_visible_to(request.user).filter(pk=data.pop("case")).first()
        if case is None:
            raise Http404("No such case.")
        client_id = data.pop("client", None)
        client = None
        if client_id is not None:
            client = clients_visible_to(request.user).filter(pk=client_id).first()
            if client is None:
                raise Http404("No such client.")
        referral = services.referral_create(actor=request.user, case=case, client=client, **data)
        return Response(self._read(referral), status=status.HTTP_201_CREATED)

    @extend_schema(responses=ReferralSerializer(many=True))
    @action(detail=False, methods=["get"])
    def inbox(self, request):
        """Referrals sent to your agency that are still open (sent, accepted or engaged)."""
        queryset = self.filter_queryset(referrals_listed(referral_inbox(request.user)))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ReferralSerializer(page, many=True).data)

    @extend_schema(request=None, responses={200: ReferralSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def send(self, request, pk=None):
        """Send a draft; needs the client's current consent to share with this recipient."""
        return self._move(services.referral_send, pk)

    @extend_schema(
        request=ReferralAcceptSerializer, responses={200: ReferralSerializer, **REFUSALS}
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def accept(self, request, pk=None):
        """Accept (receiving agency); `open_case` registers the client and opens a case for you."""
        serializer = ReferralAcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._move(services.referral_accept, pk, **serializer.validated_data)

    @extend_schema(
        request=ReferralReasonSerializer, responses={200: ReferralSerializer, **REFUSALS}
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def decline(self, request, pk=None):
        """Decline (receiving agency), with a reason the sender reads."""
        return self._move_with_reason(services.referral_decline, request, pk)

    @extend_schema(request=None, responses={200: ReferralSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def engage(self, request, pk=None):
        """Record that the client has started with the service (receiving agency)."""
        return self._move(services.referral_engage, pk)

    @extend_schema(
        request=ReferralReasonSerializer, responses={200: ReferralSerializer, **REFUSALS}
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def complete(self, request, pk=None):
        """Record that the client finished with the service (receiving agency)."""
        return self._move_with_reason(services.referral_complete, request, pk)

    @extend_schema(
        request=ReferralReasonSerializer, responses={200: ReferralSerializer, **REFUSALS}
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def close(self, request, pk=None):
        """End an accepted or engaged referral without completion, with a reason (either side)."""
        return self._move_with_reason(services.referral_close, request, pk)

    @extend_schema(
        request=ReferralReasonSerializer, responses={200: ReferralSerializer, **REFUSALS}
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def withdraw(self, request, pk=None):
        """Take back a draft or sent referral before it is accepted (referring side)."""
        return self._move_with_reason(services.referral_withdraw, request, pk)

    @extend_schema(
        request=ReferralNetworkSerializer,
        responses={
            200: ReferralSerializer,
            409: OpenApiResponse(description="Already in the network."),
            **REFUSALS,
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="add-to-network",
        url_name="add-to-network",
        filter_backends=[],
    )
    def add_to_network(self, request, pk=None):
        """Add the service's organisation to the client's support network (referring side)."""
        serializer = ReferralNetworkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._move(services.referral_network_tie_add, pk, **serializer.validated_data)

    def _move_with_reason(self, service, request, pk):
        serializer = ReferralReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._move(service, pk, reason=serializer.validated_data["reason"])

    def _move(self, service, pk, **kwargs):
        referral = self._target(pk)
        referral = service(actor=self.request.user, referral=referral, **kwargs)
        return Response(self._read(referral))

    def _target(self, pk) -> Referral:
        try:
            referral = referrals_visible_to(self.request.user).filter(pk=pk).first()
        except (ValidationError, ValueError, TypeError) as exc:
            raise Http404 from exc
        if referral is None:
            raise Http404("No such referral.")
        return referral

    def _read(self, referral: Referral) -> dict:
        fresh = referrals_visible_to(self.request.user).filter(pk=referral.pk).first()
        if fresh is None:
            raise Http404("No such referral.")
        return ReferralSerializer(fresh).data


router = SimpleRouter()
router.register("referrals", ReferralViewSet, basename="referral")

urlpatterns = router.urls
