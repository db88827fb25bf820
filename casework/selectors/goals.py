"""Reads of plans: goals and their reviews, filtered to cases the actor may see."""

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from casework import access
from casework.models import Case, Client, Goal, GoalReview
from core.models import User


def goals_visible_to(actor: User) -> QuerySet[Goal]:
    """Goals of cases `actor` may see, with their latest review's date and progress.

    One query a page: visibility is an EXISTS on the case grants and the
    latest review comes from correlated subqueries, not per-row lookups.
    """
    if not (actor and actor.is_authenticated and actor.is_active):
        return Goal.objects.none()
    latest = GoalReview.objects.filter(goal_id=OuterRef("pk")).order_by(
        "-reviewed_on", "-created_at"
    )
    return Goal.objects.filter(
        access.case_permission_exists(actor, "view_case", case_ref="case_id")
    ).annotate(
        last_reviewed_on=Subquery(latest.values("reviewed_on")[:1]),
        last_progress=Subquery(latest.values("progress")[:1]),
    )


def goal_get(*, actor: User, goal_id) -> Goal:
    """One goal `actor` may see; 404 otherwise."""
    return get_object_or_404(goals_visible_to(actor), pk=goal_id)


def goal_reviews(*, goal: Goal) -> QuerySet[GoalReview]:
    """A goal's reviews, oldest first; the caller fetched the goal through a selector."""
    return GoalReview.objects.filter(goal=goal).order_by("reviewed_on", "created_at", "id")


def goal_case_get(*, actor: User, case_id) -> Case:
    """The case a goal is being added to, if `actor` may see it; 404 otherwise."""
    return get_object_or_404(access.cases_visible_to(actor), pk=case_id)


def case_member_get(*, actor: User, case: Case, member_id) -> Client | None:
    """The client `member_id`, if they are the case's client or a client member of its whānau
    and `actor` may see them; None otherwise, the same answer either way.

    Seeing a whānau case does not mean seeing every member (one may join the
    whānau later, or be another caseworker's client), so a goal may not name
    a member the actor could not look up.
    """
    return (
        Client.objects.filter(pk=member_id)
        .filter(Q(cases=case) | Q(whanau_memberships__whanau__cases=case))
        .filter(access.client_permission_exists(actor, "view_client"))
        .distinct()
        .first()
    )
