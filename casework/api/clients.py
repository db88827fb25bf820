"""Endpoints for clients: `/clients/` list, register, read, change, archive and unarchive."""

import django_filters
from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from casework.api.filters import strict_boolean_filter
from casework.models import CaseStatus, Client, Gender
from casework.selectors import clients as selectors
from casework.serializers.clients import (
    ClientCreateSerializer,
    ClientSerializer,
    ClientUpdateSerializer,
    PossibleDuplicateErrorSerializer,
)
from casework.services import clients as services
from core.errors import error_body
from core.fields import SafeIsoDateTimeFilter
from core.filters import StrictFilterBackend
from core.nz.ethnicity import ETHNICITY_LEVEL1, ETHNICITY_LEVEL1_CHOICES, is_valid_ethnicity_code
from core.nz.iwi import IWI, IWI_GROUPINGS, IWI_REGIONS
from core.nz.regions import REGION_CHOICES


class CanRegisterClients(BasePermission):
    """Only roles holding `casework.add_client` (caseworkers, team leads) register clients."""

    message = "Your role does not register clients."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("casework.add_client"))


def _validate_ethnicity_filter(value: str) -> None:
    if value not in ETHNICITY_LEVEL1 and not is_valid_ethnicity_code(value):
        raise ValidationError("Use a Stats NZ ethnicity code of level 1, 2 or 4.")


def _validate_iwi_filter(value: str) -> None:
    if value not in IWI and value not in IWI_REGIONS and value not in IWI_GROUPINGS:
        raise ValidationError("Use a Stats NZ iwi code, or a two-digit region code.")


def _searched(params) -> bool:
    """Does the list's query ask for a search the name-search indexes serve?"""
    return selectors.search_is_indexed(params.get("search") or "")


class ClientFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search",
        help_text="Words of the client's names, or an NHI number. Restricted clients you may "
        "not identify are never matched.",
    )
    region = django_filters.ChoiceFilter(choices=REGION_CHOICES)
    gender = django_filters.ChoiceFilter(choices=Gender.choices)
    ethnicity = django_filters.CharFilter(
        method="filter_ethnicity",
        validators=[_validate_ethnicity_filter],
        help_text="A Stats NZ ethnicity code; matches it and every finer code under it.",
    )
    prioritised_ethnicity = django_filters.ChoiceFilter(
        choices=ETHNICITY_LEVEL1_CHOICES,
        method="filter_prioritised_ethnicity",
        help_text="Level-1 prioritised ethnicity (HISO 10001:2017).",
    )
    iwi = django_filters.CharFilter(
        method="filter_iwi",
        validators=[_validate_iwi_filter],
        help_text="A Stats NZ iwi code; a two-digit region code matches every iwi in it.",
    )
    is_restricted = strict_boolean_filter(method="filter_is_restricted")
    archived = strict_boolean_filter(
        method="filter_archived",
        help_text="true: only archived clients; false or absent: only current ones.",
    )
    created_after = SafeIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = SafeIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    date_of_birth_after = django_filters.DateFilter(field_name="date_of_birth", lookup_expr="gte")
    date_of_birth_before = django_filters.DateFilter(field_name="date_of_birth", lookup_expr="lte")
    caseworker = django_filters.UUIDFilter(
        method="filter_caseworker",
        help_text="Staff id: clients with a case (theirs or their whānau's) this caseworker "
        "leads. Only cases you may see count.",
    )
    case_status = django_filters.MultipleChoiceFilter(
        choices=CaseStatus.choices,
        method="filter_case_status",
        help_text="Clients with a case (theirs or their whānau's) in this status; repeatable. "
        "Only cases you may see count.",
    )
    ordering = django_filters.ChoiceFilter(
        choices=[(key, key) for key in selectors.CLIENT_ORDERINGS],
        method="filter_ordering",
        help_text="name (default) or created_at; prefix - to reverse.",
    )

    class Meta:
        model = Client
        fields = []

    def filter_search(self, queryset, name, value):
        return selectors.client_search(queryset, actor=self.request.user, term=value)

    def filter_ethnicity(self, queryset, name, value):
        return selectors.clients_with_ethnicity(queryset, code=value)

    def filter_prioritised_ethnicity(self, queryset, name, value):
        return selectors.clients_with_prioritised_ethnicity(queryset, level1=value)

    def filter_iwi(self, queryset, name, value):
        return selectors.clients_with_iwi(queryset, code=value)

    def filter_caseworker(self, queryset, name, value):
        return selectors.clients_with_caseworker(
            queryset, actor=self.request.user, caseworker_id=value
        )

    def filter_case_status(self, queryset, name, value):
        if not value:
            return queryset
        return selectors.clients_with_case_status(queryset, actor=self.request.user, statuses=value)

    def filter_is_restricted(self, queryset, name, value: bool):
        return selectors.clients_by_restriction(queryset, restricted=value)

    def filter_archived(self, queryset, name, value: bool):
        return queryset.filter(archived_at__isnull=not value)

    def filter_ordering(self, queryset, name, value):
        return selectors.clients_ordered(
            queryset, actor=self.request.user, ordering=value, searched=_searched(self.data)
        )

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        cleaned = self.form.cleaned_data
        if cleaned.get("archived") is None:
            queryset = queryset.filter(archived_at__isnull=True)
        if not cleaned.get("ordering"):
            queryset = selectors.clients_ordered(
                queryset,
                actor=self.request.user,
                ordering=selectors.DEFAULT_CLIENT_ORDERING,
                searched=_searched(self.data),
            )
        return queryset


class ClientViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Clients you may see. Restricted clients' identifying details show only to their
    assigned staff. Clients are archived, never deleted; every read of one is audited."""

    queryset = Client.objects.none()
    serializer_class = ClientSerializer
    filter_backends = [StrictFilterBackend]
    filterset_class = ClientFilter

    def get_permissions(self):
        if self.action == "create":
            return [*super().get_permissions(), CanRegisterClients()]
        return super().get_permissions()

    def get_queryset(self):
        return selectors.client_list(actor=self.request.user)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.action == "list":
            user = self.request.user
            queryset = selectors.clients_listed(queryset)
            queryset = selectors.clients_counted_with_page(queryset, actor=user)
            # The filter set has refused any ordering it does not know (400) by now.
            ordering = (
                self.request.query_params.get("ordering") or selectors.DEFAULT_CLIENT_ORDERING
            )
            return selectors.clients_in_pages(
                queryset,
                actor=user,
                ordering=ordering,
                searched=_searched(self.request.query_params),
            )
        return queryset

    def get_object(self) -> Client:
        # No list filters here: an archived client is still reachable by id.
        return selectors.client_find(actor=self.request.user, client_id=self.kwargs["pk"])

    @extend_schema(
        request=ClientCreateSerializer,
        responses={
            201: ClientSerializer,
            409: OpenApiResponse(
                PossibleDuplicateErrorSerializer,
                description="The person may already be registered (`possible_duplicate`), "
                "or the NHI number is taken (`nhi_in_use`).",
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        serializer = ClientCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            client = services.client_create(actor=request.user, **serializer.validated_data)
        except services.PossibleDuplicateClient as exc:
            body = error_body(status_code=exc.status_code, code=exc.code, message=exc.message)
            body["error"]["candidates"] = exc.candidates
            return Response(body, status=exc.status_code)
        return Response(self._read(client), status=status.HTTP_201_CREATED)

    @extend_schema(responses=ClientSerializer)
    def retrieve(self, request, *args, **kwargs):
        client = selectors.client_get(actor=request.user, client_id=kwargs["pk"])
        return Response(ClientSerializer(client).data)

    @extend_schema(request=ClientUpdateSerializer, responses=ClientSerializer)
    def partial_update(self, request, *args, **kwargs):
        client = self.get_object()
        serializer = ClientUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        client = services.client_update(
            actor=request.user, client=client, **serializer.validated_data
        )
        return Response(self._read(client))

    @extend_schema(request=None, responses=ClientSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        """Archive the client: hidden from lists by default, never deleted."""
        client = services.client_archive(actor=request.user, client=self.get_object())
        return Response(self._read(client))

    @extend_schema(request=None, responses=ClientSerializer)
    @action(detail=True, methods=["post"])
    def unarchive(self, request, pk=None):
        """Bring an archived client back to the lists."""
        client = services.client_unarchive(actor=request.user, client=self.get_object())
        return Response(self._read(client))

    def _read(self, client: Client) -> dict:
        return ClientSerializer(
            selectors.client_find(actor=self.request.user, client_id=client.pk)
        ).data


router = SimpleRouter()
router.register("clients", ClientViewSet, basename="client")

urlpatterns = router.urls
