"""Casework's part of "my work": goal reviews, quiet cases, assessments and corrections due."""

from collections.abc import Iterator
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q

from casework.access import client_identity_exists, client_permission_exists
from casework.models import (
    Assessment,
    Case,
    CaseStatus,
    CorrectionRequest,
    CorrectionStatus,
    Goal,
    GoalStatus,
    NoteKind,
)
from casework.redaction import client_display_name
from core.models import User
from core.work import WorkItem

# Reviews and assessments show up this many days before they fall due.
LOOKAHEAD_DAYS = 7
OPEN_STATUSES = (CaseStatus.REFERRED, CaseStatus.INTAKE, CaseStatus.ACTIVE, CaseStatus.ON_HOLD)
CONTACT_KINDS = (NoteKind.CONTACT, NoteKind.HOME_VISIT, NoteKind.PHONE, NoteKind.HUI)


def casework_work_for(user: User, today: date) -> Iterator[WorkItem]:
    """Work due on the open cases `user` leads: four queries whatever the caseload.

    - `goal_review`: goals not yet achieved or discontinued whose next review is
      due within a week (or overdue);
    - `no_contact`: intake or active cases with no contact note (contact, home
      visit, phone or hui) for settings.CASE_NO_CONTACT_DAYS days;
    - `assessment_due`: the latest assessment of each client and instrument
      whose next one is due within a week (or overdue), for clients of those
      cases that `user` may see;
    - `correction_due`: correction requests (IPP 7) not yet answered, about
      clients of those cases that `user` may see, due within a week (or overdue).
    """
    if not (user and user.is_authenticated and user.is_active):
        return
    horizon = today + timedelta(days=LOOKAHEAD_DAYS)
    led = Case.objects.filter(lead_caseworker=user, status__in=OPEN_STATUSES)

    goals = (
        Goal.objects.filter(
            case__in=led,
            status__in=(GoalStatus.NOT_STARTED, GoalStatus.IN_PROGRESS),
            next_review_on__lte=horizon,
        )
        .select_related("case")
        .order_by("next_review_on", "id")
    )
    for goal in goals:
        yield WorkItem(
            kind="goal_review",
            title=f"Review goal: {goal.description[:80]}",
            due_on=goal.next_review_on,
            object_type="casework.goal",
            object_id=str(goal.pk),
            case_id=str(goal.case_id),
            detail={"pou": goal.pou},
        )

    quiet_since = today - timedelta(days=settings.CASE_NO_CONTACT_DAYS)
    quiet_cases = (
        led.filter(status__in=(CaseStatus.INTAKE, CaseStatus.ACTIVE))
        .annotate(
            last_contact_at=Max("notes__occurred_at", filter=Q(notes__kind__in=CONTACT_KINDS)),
            identity_visible=client_identity_exists(user, client_ref="client_id"),
        )
        .filter(
            Q(last_contact_at__date__lt=quiet_since)
            | Q(last_contact_at__isnull=True, opened_at__date__lt=quiet_since)
        )
        .select_related("client", "whanau")
        .order_by("opened_at", "id")
    )
    for case in quiet_cases:
        last = case.last_contact_at or case.opened_at
        yield WorkItem(
            kind="no_contact",
            title=f"No contact since {last.date():%d %b %Y}: {_case_subject(case)}",
            due_on=last.date() + timedelta(days=settings.CASE_NO_CONTACT_DAYS),
            object_type="casework.case",
            object_id=str(case.pk),
            case_id=str(case.pk),
            detail={
                "last_contact_at": case.last_contact_at.isoformat()
                if case.last_contact_at
                else None
            },
        )

    newer = Assessment.objects.filter(
        client_id=OuterRef("client_id"),
        instrument_id=OuterRef("instrument_id"),
        administered_on__gt=OuterRef("administered_on"),
    )
    due = (
        Assessment.objects.filter(
            Q(client__cases__in=led) | Q(client__whanau_memberships__whanau__cases__in=led),
            next_due_on__lte=horizon,
        )
        # A member who joined the whānau after the case opened may be someone
        # else's client: leading the case does not mean seeing them.
        .filter(client_permission_exists(user, "view_client", client_ref="client_id"))
        .exclude(Exists(newer))
        .annotate(identity_visible=client_identity_exists(user, client_ref="client_id"))
        .select_related("client", "instrument")
        .distinct()
        .order_by("next_due_on", "id")
    )
    for assessment in due:
        name = client_display_name(assessment.client, assessment.identity_visible)
        yield WorkItem(
            kind="assessment_due",
            title=f"{assessment.instrument.name} due: {name}",
            due_on=assessment.next_due_on,
            object_type="casework.assessment",
            object_id=str(assessment.pk),
            detail={"client_id": str(assessment.client_id), "instrument": assessment.instrument_id},
        )

    corrections = (
        CorrectionRequest.objects.filter(
            client__cases__in=led,
            status=CorrectionStatus.RECEIVED,
            due_on__lte=horizon,
        )
        .filter(client_permission_exists(user, "view_client", client_ref="client_id"))
        .annotate(identity_visible=client_identity_exists(user, client_ref="client_id"))
        .select_related("client")
        .distinct()
        .order_by("due_on", "id")
    )
    for correction in corrections:
        name = client_display_name(correction.client, correction.identity_visible)
        yield WorkItem(
            kind="correction_due",
            title=f"Answer correction request: {name}",
            due_on=correction.due_on,
            object_type="casework.correctionrequest",
            object_id=str(correction.pk),
            detail={"client_id": str(correction.client_id)},
        )


def _case_subject(case: Case) -> str:
    if case.client_id is not None:
        return client_display_name(case.client, case.identity_visible)
    return f"whānau {case.whanau.name}"
