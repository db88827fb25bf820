"""Reads of employment support: plans, activities, placements (through the case) and employers.

A user sees an employment plan, activity or placement exactly when they may
see its case (its lead caseworker and the team's leads, casework.access);
anyone else gets 404. Employers are the agency's own directory: every active
member of staff of the agency sees them, no other agency does.
"""

from collections.abc import Iterator
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from casework.access import case_permission_exists, client_identity_exists
from core.audit import audit_record
from core.models import AuditAction, User
from core.querysets import with_joined_columns
from core.work import WorkItem
from programs.employment_workflow import PLACEMENT_STARTED_STATUSES
from programs.models import (
    Employer,
    EmploymentActivity,
    EmploymentPlan,
    EmploymentPlanStatus,
    Placement,
    PlacementCheckIn,
    PlacementStatusChange,
)


def _active(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def check_in_notice_days() -> int:
    """How many days before its due date a check-in may be recorded and shows as upcoming."""
    return int(getattr(settings, "EMPLOYMENT_CHECK_IN_NOTICE_DAYS", 7))


def through_case(user: User) -> Q:
    """A filter for employment records whose case `user` may see; none for the inactive."""
    if not _active(user):
        return Q(pk__in=[])
    return Q(case_permission_exists(user, "view_case", case_ref="case_id"))


def _get(queryset: QuerySet, pk, what: str):
    try:
        return get_object_or_404(queryset, pk=pk)
    except (ValidationError, ValueError, TypeError) as exc:
        raise Http404(f"No such {what}.") from exc


# ---- employers ------------------------------------------------------------------------------


def employers_visible_to(user: User) -> QuerySet[Employer]:
    """Employers of `user`'s agency (none for the inactive or agency-less)."""
    if not _active(user) or user.agency_id is None:
        return Employer.objects.none()
    return Employer.objects.filter(agency_id=user.agency_id)


def employer_get(*, actor: User, employer_id) -> Employer:
    """One employer of the actor's agency, or Http404."""
    return _get(employers_visible_to(actor), employer_id, "employer")


# ---- plans and activities -------------------------------------------------------------------


def employment_plans_visible_to(user: User) -> QuerySet[EmploymentPlan]:
    """Plans on cases `user` may see, with client identity visibility annotated."""
    queryset = EmploymentPlan.objects.select_related("client", "created_by")
    if not _active(user):
        return queryset.none()
    return queryset.filter(through_case(user)).annotate(
        identity_visible=client_identity_exists(user, client_ref="client_id")
    )


def employment_plan_get(*, actor: User, plan_id) -> EmploymentPlan:
    """One plan the actor may see (404 otherwise); the read is audited (it names a client)."""
    plan = _get(employment_plans_visible_to(actor), plan_id, "employment plan")
    audit_record(actor=actor, action=AuditAction.VIEW, obj=plan)
    return plan


def employment_activities_visible_to(user: User) -> QuerySet[EmploymentActivity]:
    """Activities on cases `user` may see, with client identity visibility annotated."""
    queryset = EmploymentActivity.objects.select_related("client", "created_by")
    if not _active(user):
        return queryset.none()
    return queryset.filter(through_case(user)).annotate(
        identity_visible=client_identity_exists(user, client_ref="client_id")
    )


def employment_activity_get(*, actor: User, activity_id) -> EmploymentActivity:
    """One activity the actor may see (404 otherwise); the read is audited."""
    activity = _get(employment_activities_visible_to(actor), activity_id, "activity")
    audit_record(actor=actor, action=AuditAction.VIEW, obj=activity)
    return activity


# ---- placements and check-ins ---------------------------------------------------------------


def placements_visible_to(user: User) -> QuerySet[Placement]:
    """Placements on cases `user` may see, ready to list: three queries a page whatever its size."""
    queryset = Placement.objects.select_related("client", "employer").prefetch_related(
        Prefetch("check_ins", queryset=PlacementCheckIn.objects.order_by("weeks")),
        Prefetch(
            "status_changes",
            # Each change shows its author's name: the rest of the user row is never read.
            queryset=with_joined_columns(
                PlacementStatusChange.objects.select_related("changed_by"),
                changed_by=("first_name", "last_name", "username"),
            ).order_by("changed_at", "id"),
        ),
    )
    if not _active(user):
        return queryset.none()
    return queryset.filter(through_case(user)).annotate(
        identity_visible=client_identity_exists(user, client_ref="client_id")
    )


def placement_get(*, actor: User, placement_id) -> Placement:
    """One placement the actor may see (404 otherwise); the read is audited."""
    placement = _get(placements_visible_to(actor), placement_id, "placement")
    audit_record(actor=actor, action=AuditAction.VIEW, obj=placement)
    return placement


def check_ins_due_for(
    user: User, today: date, *, upcoming_days: int | None = None
) -> QuerySet[PlacementCheckIn]:
    """Check-ins not yet recorded on `user`'s visible started placements, due by today + notice.

    Overdue ones (due before `today`) come first; `upcoming_days` defaults to
    EMPLOYMENT_CHECK_IN_NOTICE_DAYS, the window in which a check-in may be recorded.
    """
    if not _active(user):
        return PlacementCheckIn.objects.none()
    days = check_in_notice_days() if upcoming_days is None else upcoming_days
    return (
        PlacementCheckIn.objects.filter(
            recorded_on__isnull=True,
            due_on__lte=today + timedelta(days=days),
            placement__status__in=PLACEMENT_STARTED_STATUSES,
        )
        .filter(case_permission_exists(user, "view_case", case_ref="placement__case_id"))
        .select_related("placement", "placement__employer", "placement__client")
        .annotate(identity_visible=client_identity_exists(user, client_ref="placement__client_id"))
        .order_by("due_on", "placement_id", "weeks")
    )


def check_in_work_for(user: User, today: date) -> Iterator[WorkItem]:
    """`placement_check_in` work: sustained-work check-ins overdue or open for recording.

    One query whatever the caseload; a check-in leaves the list once recorded.
    """
    for check_in in check_ins_due_for(user, today):
        placement = check_in.placement
        yield WorkItem(
            kind="placement_check_in",
            title=f"{check_in.weeks}-week check-in: {placement.role} at {placement.employer.name}",
            due_on=check_in.due_on,
            object_type="programs.placement",
            object_id=str(placement.pk),
            case_id=str(placement.case_id),
            detail={
                "weeks": check_in.weeks,
                "overdue": check_in.due_on < today,
                "check_in": str(check_in.pk),
            },
        )


def plan_review_work_for(user: User, today: date) -> Iterator[WorkItem]:
    """`employment_plan_review` work: active plans on the user's cases whose review is due.

    One query whatever the caseload; a plan leaves the list once reviewed (its
    next review moves on) or closed.
    """
    if not _active(user):
        return
    due = (
        EmploymentPlan.objects.filter(status=EmploymentPlanStatus.ACTIVE, next_review_on__lte=today)
        .filter(through_case(user))
        .order_by("next_review_on", "id")
    )
    for plan in due:
        yield WorkItem(
            kind="employment_plan_review",
            title="Review the employment plan",
            due_on=plan.next_review_on,
            object_type="programs.employmentplan",
            object_id=str(plan.pk),
            case_id=str(plan.case_id),
            detail={"barriers": list(plan.barriers)},
        )
