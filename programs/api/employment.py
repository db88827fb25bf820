"""Endpoints for employment support: `/employment-plans/`, `/employment-activities/`,
`/employers/` and `/placements/` (lifecycle actions, check-ins, `/placements/due-checkins/`).

Plans, activities and placements are seen through their case: whoever may see
the case sees them, anyone else gets 404. Employers are the agency's own list.
"""

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from casework.access import cases_visible_to, clients_visible_to
from casework.api.pages import GrantedCaseloadPagesMixin
from core.nz.regions import REGION_CHOICES
from programs.models import (
    Employer,
    EmploymentActivity,
    EmploymentActivityKind,
    EmploymentPlan,
    EmploymentPlanStatus,
    Placement,
    PlacementStatus,
)
from programs.selectors.employment import (
    check_ins_due_for,
    employer_get,
    employers_visible_to,
    employment_activities_visible_to,
    employment_activity_get,
    employment_plan_get,
    employment_plans_visible_to,
    placement_get,
    placements_visible_to,
)
from programs.selectors.programmes import programmes_visible_to
from programs.serializers.employment import (
    CheckInRecordSerializer,
    DueCheckInSerializer,
    EmployerSerializer,
    EmployerWriteSerializer,
    EmploymentActivityCreateSerializer,
    EmploymentActivitySerializer,
    EmploymentPlanCreateSerializer,
    EmploymentPlanReviewSerializer,
    EmploymentPlanSerializer,
    EmploymentPlanUpdateSerializer,
    PlacementCheckInSerializer,
    PlacementCreateSerializer,
    PlacementEndSerializer,
    PlacementSerializer,
    PlacementStartSerializer,
    PlacementWithdrawSerializer,
)
from programs.services import employment as services

REFUSALS = {
    400: OpenApiResponse(description="A rule refused it (`code` says which); nothing changed."),
    403: OpenApiResponse(description="Your role does not do this."),
    404: OpenApiResponse(description="No such record, or not one you may see."),
}


def _one(queryset, pk, what: str):
    """The row `pk` of a permission-filtered queryset, or 404 (also for malformed ids)."""
    if pk is None:
        return None
    try:
        obj = queryset.filter(pk=pk).first()
    except (ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc
    if obj is None:
        raise Http404(f"No such {what}.")
    return obj


def _case_and_client(user, data: dict):
    case = _one(cases_visible_to(user), data.pop("case"), "case")
    client = _one(clients_visible_to(user), data.pop("client", None), "client")
    return case, client


# ---- employers ------------------------------------------------------------------------------


class EmployerFilter(django_filters.FilterSet):
    region = django_filters.ChoiceFilter(choices=REGION_CHOICES)
    is_active = django_filters.BooleanFilter()
    industry = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Employer
        fields = []


class EmployerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Your agency's employers; caseworkers, team leads and agency admins keep the list."""

    queryset = Employer.objects.none()
    serializer_class = EmployerSerializer
    filterset_class = EmployerFilter
    search_fields = ["name", "nzbn"]
    ordering_fields = ["name", "created_at"]
    ordering = ["name", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return employers_visible_to(self.request.user)

    def retrieve(self, request, *args, **kwargs):
        employer = employer_get(actor=request.user, employer_id=kwargs["pk"])
        return Response(EmployerSerializer(employer).data)

    @extend_schema(request=EmployerWriteSerializer, responses={201: EmployerSerializer, **REFUSALS})
    def create(self, request, *args, **kwargs):
        """Add an employer to your agency's list."""
        serializer = EmployerWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("is_active", None)
        employer = services.employer_create(actor=request.user, **data)
        return Response(EmployerSerializer(employer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=EmployerWriteSerializer, responses={200: EmployerSerializer, **REFUSALS})
    def partial_update(self, request, *args, **kwargs):
        """Change an employer's details, or mark it inactive."""
        employer = employer_get(actor=request.user, employer_id=kwargs["pk"])
        serializer = EmployerWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        employer = services.employer_update(
            actor=request.user, employer=employer, **serializer.validated_data
        )
        return Response(EmployerSerializer(employer).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)


# ---- plans ----------------------------------------------------------------------------------


class EmploymentPlanFilter(django_filters.FilterSet):
    case = django_filters.UUIDFilter(field_name="case_id")
    client = django_filters.UUIDFilter(field_name="client_id")
    status = django_filters.ChoiceFilter(choices=EmploymentPlanStatus.choices)
    review_before = django_filters.DateFilter(field_name="next_review_on", lookup_expr="lte")

    class Meta:
        model = EmploymentPlan
        fields = []


class EmploymentPlanViewSet(
    GrantedCaseloadPagesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Employment plans on cases you may see: goals, barriers, support agreed, reviews."""

    queryset = EmploymentPlan.objects.none()
    serializer_class = EmploymentPlanSerializer
    filterset_class = EmploymentPlanFilter
    ordering_fields = ["created_at", "next_review_on"]
    ordering = ["-created_at", "id"]
    # A caseworker's are sorted apart from `emp_plan_created_order`; a team's read along it.
    sorted_apart_over = Q(status=EmploymentPlanStatus.CLOSED)
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return employment_plans_visible_to(self.request.user)

    def retrieve(self, request, *args, **kwargs):
        return Response(self._read(employment_plan_get(actor=request.user, plan_id=kwargs["pk"])))

    @extend_schema(
        request=EmploymentPlanCreateSerializer,
        responses={201: EmploymentPlanSerializer, **REFUSALS},
    )
    def create(self, request, *args, **kwargs):
        """Start an employment plan for a client of your case."""
        serializer = EmploymentPlanCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        case, client = _case_and_client(request.user, data)
        plan = services.employment_plan_create(actor=request.user, case=case, client=client, **data)
        return Response(self._read(plan), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=EmploymentPlanUpdateSerializer,
        responses={200: EmploymentPlanSerializer, **REFUSALS},
    )
    def partial_update(self, request, *args, **kwargs):
        """Change an active plan's goals, barriers, notes, support or next review date."""
        plan = self._target(kwargs["pk"])
        serializer = EmploymentPlanUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        plan = services.employment_plan_update(
            actor=request.user, plan=plan, **serializer.validated_data
        )
        return Response(self._read(plan))

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(
        request=EmploymentPlanReviewSerializer,
        responses={200: EmploymentPlanSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def review(self, request, pk=None):
        """Record a review of the plan and set the next one."""
        plan = self._target(pk)
        serializer = EmploymentPlanReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = services.employment_plan_review(
            actor=request.user, plan=plan, **serializer.validated_data
        )
        return Response(self._read(plan))

    @extend_schema(request=None, responses={200: EmploymentPlanSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def close(self, request, pk=None):
        """Close the plan; it stays as the record of what was tried."""
        plan = services.employment_plan_close(actor=request.user, plan=self._target(pk))
        return Response(self._read(plan))

    def _target(self, pk) -> EmploymentPlan:
        return _one(employment_plans_visible_to(self.request.user), pk, "employment plan")

    def _read(self, plan) -> dict:
        return EmploymentPlanSerializer(self._target(plan.pk)).data


# ---- activities -----------------------------------------------------------------------------


class EmploymentActivityFilter(django_filters.FilterSet):
    case = django_filters.UUIDFilter(field_name="case_id")
    client = django_filters.UUIDFilter(field_name="client_id")
    plan = django_filters.UUIDFilter(field_name="plan_id")
    kind = django_filters.MultipleChoiceFilter(
        choices=EmploymentActivityKind.choices, distinct=False
    )
    occurred_from = django_filters.DateFilter(field_name="occurred_on", lookup_expr="gte")
    occurred_to = django_filters.DateFilter(field_name="occurred_on", lookup_expr="lte")

    class Meta:
        model = EmploymentActivity
        fields = []


class EmploymentActivityViewSet(
    GrantedCaseloadPagesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Activities towards work on cases you may see: coaching, CV, interviews, training …"""

    queryset = EmploymentActivity.objects.none()
    serializer_class = EmploymentActivitySerializer
    filterset_class = EmploymentActivityFilter
    ordering_fields = ["occurred_on", "created_at"]
    ordering = ["-occurred_on", "-created_at", "id"]
    # A caseworker's are sorted apart from `emp_activity_order`; a team's read along it.
    sorted_apart_over = Q(hours=0)

    def get_queryset(self):
        return employment_activities_visible_to(self.request.user)

    def retrieve(self, request, *args, **kwargs):
        activity = employment_activity_get(actor=request.user, activity_id=kwargs["pk"])
        return Response(EmploymentActivitySerializer(activity).data)

    @extend_schema(
        request=EmploymentActivityCreateSerializer,
        responses={201: EmploymentActivitySerializer, **REFUSALS},
    )
    def create(self, request, *args, **kwargs):
        """Record an activity for a client of your case."""
        serializer = EmploymentActivityCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        case, client = _case_and_client(request.user, data)
        plan = _one(employment_plans_visible_to(request.user), data.pop("plan", None), "plan")
        activity = services.employment_activity_create(
            actor=request.user, case=case, client=client, plan=plan, **data
        )
        fresh = _one(employment_activities_visible_to(request.user), activity.pk, "activity")
        return Response(EmploymentActivitySerializer(fresh).data, status=status.HTTP_201_CREATED)


# ---- placements -----------------------------------------------------------------------------


class PlacementFilter(django_filters.FilterSet):
    case = django_filters.UUIDFilter(field_name="case_id")
    client = django_filters.UUIDFilter(field_name="client_id")
    employer = django_filters.UUIDFilter(field_name="employer_id")
    status = django_filters.MultipleChoiceFilter(choices=PlacementStatus.choices, distinct=False)
    is_subsidised = django_filters.BooleanFilter()

    class Meta:
        model = Placement
        fields = []


class PlacementViewSet(
    GrantedCaseloadPagesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Placements on cases you may see: offered → started → ended (or withdrawn), with check-ins.

    Status changes only through the actions; each answers the placement as it is after.
    """

    queryset = Placement.objects.none()
    serializer_class = PlacementSerializer
    filterset_class = PlacementFilter
    search_fields = ["role", "employer__name"]
    ordering_fields = ["start_on", "started_on", "created_at"]
    ordering = ["-start_on", "-created_at", "id"]
    # A caseworker's are sorted apart from `placement_start_order`; a team's read along it.
    sorted_apart_over = Q(is_subsidised=True)

    def get_queryset(self):
        return placements_visible_to(self.request.user)

    def retrieve(self, request, *args, **kwargs):
        placement = placement_get(actor=request.user, placement_id=kwargs["pk"])
        return Response(PlacementSerializer(placement).data)

    @extend_schema(
        request=PlacementCreateSerializer, responses={201: PlacementSerializer, **REFUSALS}
    )
    def create(self, request, *args, **kwargs):
        """Record a job offer for a client of your case (the wage is checked, a subsidy priced)."""
        serializer = PlacementCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        user = request.user
        case, client = _case_and_client(user, data)
        plan = _one(employment_plans_visible_to(user), data.pop("plan", None), "plan")
        employer = _one(employers_visible_to(user), data.pop("employer"), "employer")
        programme = _one(programmes_visible_to(user), data.pop("programme", None), "programme")
        placement = services.placement_create(
            actor=user,
            case=case,
            client=client,
            plan=plan,
            employer=employer,
            programme=programme,
            **data,
        )
        return Response(self._read(placement), status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "days", int, description="How far ahead to look (default: the notice period)."
            )
        ],
        responses=DueCheckInSerializer(many=True),
    )
    @action(detail=False, methods=["get"], url_path="due-checkins", url_name="due-checkins")
    def due_checkins(self, request):
        """Sustained-work check-ins not yet recorded: overdue first, then those coming up."""
        today = timezone.localdate()
        days = request.query_params.get("days")
        if days not in (None, ""):
            # A typo here would silently show the default window; say so instead.
            try:
                days = serializers.IntegerField(min_value=0).run_validation(days)
            except exceptions.ValidationError as exc:
                raise exceptions.ValidationError({"days": exc.detail}) from exc
            days = min(days, 366)
        else:
            days = None
        queryset = check_ins_due_for(request.user, today, upcoming_days=days)
        page = self.paginate_queryset(queryset)
        data = DueCheckInSerializer(page, many=True, context={"today": today}).data
        return self.get_paginated_response(data)

    @extend_schema(
        request=PlacementStartSerializer, responses={200: PlacementSerializer, **REFUSALS}
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def start(self, request, pk=None):
        """The client started work: commits any subsidy and schedules the check-ins."""
        serializer = PlacementStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._move(services.placement_start, pk, **serializer.validated_data)

    @extend_schema(request=PlacementEndSerializer, responses={200: PlacementSerializer, **REFUSALS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def end(self, request, pk=None):
        """The job ended, with why; the subsidy of weeks not worked goes back to the budget."""
        serializer = PlacementEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._move(services.placement_end, pk, **serializer.validated_data)

    @extend_schema(
        request=PlacementWithdrawSerializer, responses={200: PlacementSerializer, **REFUSALS}
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def withdraw(self, request, pk=None):
        """The offer fell through before the client started."""
        serializer = PlacementWithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._move(services.placement_withdraw, pk, **serializer.validated_data)

    @extend_schema(
        request=CheckInRecordSerializer,
        responses={
            200: PlacementCheckInSerializer,
            409: OpenApiResponse(description="Already recorded."),
            **REFUSALS,
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"check-ins/(?P<weeks>4|13|26)",
        url_name="check-in",
        filter_backends=[],
    )
    def check_in(self, request, pk=None, weeks=None):
        """Record the 4-, 13- or 26-week check-in: still employed? how many hours?"""
        serializer = CheckInRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        check_in = services.placement_check_in_record(
            actor=request.user,
            placement=self._target(pk),
            weeks=int(weeks),
            **serializer.validated_data,
        )
        return Response(PlacementCheckInSerializer(check_in).data)

    def _move(self, service, pk, **kwargs):
        placement = service(actor=self.request.user, placement=self._target(pk), **kwargs)
        return Response(self._read(placement))

    def _target(self, pk) -> Placement:
        return _one(placements_visible_to(self.request.user), pk, "placement")

    def _read(self, placement) -> dict:
        return PlacementSerializer(self._target(placement.pk)).data


router = SimpleRouter()
router.register("employers", EmployerViewSet, basename="employer")
router.register("employment-plans", EmploymentPlanViewSet, basename="employment-plan")
router.register("employment-activities", EmploymentActivityViewSet, basename="employment-activity")
router.register("placements", PlacementViewSet, basename="placement")

urlpatterns = router.urls
