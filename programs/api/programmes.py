"""Endpoints for programmes (`/programs/`) and their budgets (`/programs/{id}/budgets/`)."""

import django_filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from programs import selectors, services
from programs.models import Budget, Programme, ProgrammeKind
from programs.permissions import (
    CanManageProgrammes,
    CanRegisterProgrammes,
    CanSetBudgets,
    IsBudgetReader,
)
from programs.serializers.programmes import (
    BudgetSerializer,
    BudgetWriteSerializer,
    FiscalYearField,
    ProgrammeSerializer,
)


class ProgrammeFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ProgrammeKind.choices)
    active_on = django_filters.DateFilter(method="filter_active_on")

    class Meta:
        model = Programme
        fields = ["kind", "active_on"]

    def filter_active_on(self, queryset, name, value):
        return queryset.filter(active_from__lte=value).exclude(active_to__lt=value)


class ProgrammeViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Programmes your agency delivers. Agency admins register and change their own."""

    queryset = Programme.objects.none()
    serializer_class = ProgrammeSerializer
    filterset_class = ProgrammeFilter
    search_fields = ["name", "funder"]
    ordering_fields = ["name", "active_from"]
    ordering = ["name"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_permissions(self):
        if self.action == "create":
            return [CanRegisterProgrammes()]
        if self.action in ("update", "partial_update"):
            return [CanManageProgrammes()]
        return super().get_permissions()

    def get_queryset(self):
        return selectors.programmes_visible_to(self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = ProgrammeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        programme = services.programme_create(actor=request.user, **serializer.validated_data)
        return Response(self._read(programme), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        programme = self.get_object()
        serializer = ProgrammeSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        programme = services.programme_update(
            actor=request.user, programme=programme, **serializer.validated_data
        )
        return Response(self._read(programme))

    def _read(self, programme: Programme) -> dict:
        return ProgrammeSerializer(
            selectors.programme_get(actor=self.request.user, programme_id=programme.pk)
        ).data


class BudgetViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """A programme's budgets by NZ fiscal year: the programme-wide one and your agency's own.

    Program officers, compliance officers and agency admins read them; agency
    admins set allocations. `committed` is approved aid not yet paid;
    `available` = allocated − committed − paid.
    """

    queryset = Budget.objects.none()
    serializer_class = BudgetSerializer
    permission_classes = [IsBudgetReader]
    filter_backends = []

    def get_permissions(self):
        if self.action == "create":
            return [CanSetBudgets()]
        return super().get_permissions()

    def _programme(self) -> Programme:
        return selectors.programme_get(
            actor=self.request.user, programme_id=self.kwargs["programme_pk"]
        )

    def get_queryset(self):
        queryset = selectors.budgets_visible_to(self.request.user, programme=self._programme())
        label = self.request.query_params.get("fiscal_year")
        if label:
            queryset = queryset.filter(fiscal_year=FiscalYearField().run_validation(label))
        return queryset.order_by("-fiscal_year", "agency__slug")

    @extend_schema(
        parameters=[
            OpenApiParameter("fiscal_year", str, description='A fiscal year such as "2025/26".')
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=BudgetWriteSerializer, responses={200: BudgetSerializer})
    def create(self, request, *args, **kwargs):
        """Set (create or change) the allocation for one fiscal year."""
        programme = self._programme()
        serializer = BudgetWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        budget = services.budget_set(
            actor=request.user, programme=programme, **serializer.validated_data
        )
        budget = selectors.budgets_visible_to(request.user).get(pk=budget.pk)
        return Response(BudgetSerializer(budget).data)


router = SimpleRouter()
router.register("programs", ProgrammeViewSet, basename="programme")
router.register(
    r"programs/(?P<programme_pk>[0-9a-fA-F-]{36})/budgets",
    BudgetViewSet,
    basename="programme-budget",
)

urlpatterns = router.urls
