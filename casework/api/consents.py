"""Endpoints for consent: /consents/ (list, record, read) and /consents/{id}/withdraw/."""

import django_filters
from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from casework.api.pages import GrantedCaseloadPagesMixin
from casework.models import Consent, ConsentMethod, ConsentPurpose
from casework.selectors import consents as selectors
from casework.serializers.consents import (
    ConsentCreateSerializer,
    ConsentSerializer,
    ConsentWithdrawSerializer,
)
from casework.services import consents as services
from core.fields import SafeIsoDateTimeFilter
from core.selectors import agency_list


class CanRecordConsent(BasePermission):
    """Roles that record consent at all (403 otherwise); which clients is the selectors' job."""

    message = "Your role does not record consent."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.has_perm("casework.add_consent"))


class ConsentFilter(django_filters.FilterSet):
    client = django_filters.UUIDFilter(field_name="client_id")
    purpose = django_filters.MultipleChoiceFilter(choices=ConsentPurpose.choices, distinct=False)
    recipient_agency = django_filters.UUIDFilter(field_name="recipient_agency_id")
    state = django_filters.ChoiceFilter(choices=selectors.ConsentState.choices)
    given_after = SafeIsoDateTimeFilter(field_name="given_at", lookup_expr="gte")
    given_before = SafeIsoDateTimeFilter(field_name="given_at", lookup_expr="lt")

    class Meta:
        model = Consent
        fields = []


class ConsentViewSet(
    GrantedCaseloadPagesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Clients' consents per purpose and recipient. Consents are withdrawn, never edited or deleted.

    `state` is computed when you ask: `current`, `withdrawn` or `expired`.
    Reading one consent is audited.
    """

    queryset = Consent.objects.none()
    serializer_class = ConsentSerializer
    filterset_class = ConsentFilter
    ordering_fields = ["given_at", "expires_at", "created_at"]
    ordering = ["-given_at", "id"]
    search_fields = []
    sorted_apart_over = Q(method=ConsentMethod.WRITTEN)

    def get_permissions(self):
        if self.action == "create":
            return [IsAuthenticated(), CanRecordConsent()]
        return super().get_permissions()

    def get_queryset(self):
        return selectors.consents_visible_to(self.request.user)

    def retrieve(self, request, *args, **kwargs):
        consent = selectors.consent_get(actor=request.user, consent_id=kwargs["pk"])
        return Response(ConsentSerializer(consent).data)

    @extend_schema(request=ConsentCreateSerializer, responses={201: ConsentSerializer})
    def create(self, request, *args, **kwargs):
        serializer = ConsentCreateSerializer(data=request.data, agencies=agency_list())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        client = selectors.consent_client_get(actor=request.user, client_id=data.pop("client"))
        consent = services.consent_record(actor=request.user, client=client, **data)
        return Response(self._read(consent), status=status.HTTP_201_CREATED)

    @extend_schema(request=ConsentWithdrawSerializer, responses={200: ConsentSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Record that the client withdrew this consent (now), with their reason."""
        consent = self.get_object()
        serializer = ConsentWithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consent = services.consent_withdraw(
            actor=request.user, consent=consent, reason=serializer.validated_data["reason"]
        )
        return Response(self._read(consent))

    def _read(self, consent: Consent) -> dict:
        return ConsentSerializer(self.get_queryset().get(pk=consent.pk)).data


router = SimpleRouter()
router.register("consents", ConsentViewSet, basename="consent")

urlpatterns = router.urls
