"""Endpoints for plans: /goals/ (list, add, read, change) and /goals/{id}/reviews/."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from casework.models import Goal, GoalStatus, Pou
from casework.selectors import goals as selectors
from casework.serializers.goals import (
    GoalCreateSerializer,
    GoalReviewCreateSerializer,
    GoalReviewSerializer,
    GoalSerializer,
    GoalUpdateSerializer,
)
from casework.services import goals as services
from core.errors import ApplicationError


class CanPlanGoals(BasePermission):
    """Roles that plan goals at all (403 otherwise); which cases is the selectors' job."""

    message = "Your role does not plan goals."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.has_perm("casework.add_goal"))


class GoalFilter(django_filters.FilterSet):
    case = django_filters.UUIDFilter(field_name="case_id")
    member = django_filters.UUIDFilter(field_name="member_id")
    pou = django_filters.MultipleChoiceFilter(choices=Pou.choices, distinct=False)
    status = django_filters.MultipleChoiceFilter(choices=GoalStatus.choices, distinct=False)
    next_review_before = django_filters.DateFilter(field_name="next_review_on", lookup_expr="lt")

    class Meta:
        model = Goal
        fields = []


class GoalViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Goals of the cases you may see, each tied to a Whānau Ora pou.

    A goal's status changes only by recording a review (`POST /goals/{id}/reviews/`).
    Goals are not deleted: discontinue them with a review.
    """

    queryset = Goal.objects.none()
    serializer_class = GoalSerializer
    filterset_class = GoalFilter
    ordering_fields = ["next_review_on", "target_date", "created_at", "pou"]
    ordering = ["case", "pou", "created_at", "id"]
    search_fields = []

    def get_permissions(self):
        if self.action == "create":
            return [IsAuthenticated(), CanPlanGoals()]
        return super().get_permissions()

    def get_queryset(self):
        return selectors.goals_visible_to(self.request.user)

    @extend_schema(request=GoalCreateSerializer, responses={201: GoalSerializer})
    def create(self, request, *args, **kwargs):
        serializer = GoalCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        case = selectors.goal_case_get(actor=request.user, case_id=data.pop("case"))
        member_id = data.pop("member", None)
        member = None
        if member_id is not None:
            member = selectors.case_member_get(actor=request.user, case=case, member_id=member_id)
            if member is None:
                raise ApplicationError(
                    "The goal cannot be added.",
                    fields={"member": ["Not a client of this case or a member of its whānau."]},
                )
        goal = services.goal_create(actor=request.user, case=case, member=member, **data)
        return Response(self._read(goal), status=status.HTTP_201_CREATED)

    @extend_schema(request=GoalUpdateSerializer, responses={200: GoalSerializer})
    def partial_update(self, request, *args, **kwargs):
        goal = self.get_object()
        serializer = GoalUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        goal = services.goal_update(actor=request.user, goal=goal, **serializer.validated_data)
        return Response(self._read(goal))

    @extend_schema(methods=["GET"], request=None, responses={200: GoalReviewSerializer(many=True)})
    @extend_schema(
        methods=["POST"], request=GoalReviewCreateSerializer, responses={201: GoalReviewSerializer}
    )
    @action(detail=True, methods=["get", "post"], filterset_class=None, ordering=None)
    def reviews(self, request, pk=None):
        """The goal's dated progress reviews, oldest first; POST records one and sets the status."""
        goal = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.goal_reviews(goal=goal))
            return self.get_paginated_response(GoalReviewSerializer(page, many=True).data)
        serializer = GoalReviewCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = services.goal_review(actor=request.user, goal=goal, **serializer.validated_data)
        return Response(GoalReviewSerializer(review).data, status=status.HTTP_201_CREATED)

    def _read(self, goal: Goal) -> dict:
        return GoalSerializer(self.get_queryset().get(pk=goal.pk)).data


router = SimpleRouter()
router.register("goals", GoalViewSet, basename="goal")

urlpatterns = router.urls
