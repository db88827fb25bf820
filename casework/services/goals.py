"""Plans: goals tied to a Whānau Ora pou and their dated progress reviews."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from casework import access
from casework.models import Case, CaseStatus, Client, Goal, GoalReview, GoalStatus, Pou
from core.audit import audit_changes, audit_record, snapshot
from core.errors import ApplicationError
from core.models import Agency, AuditAction, User

GOAL_EDITABLE_FIELDS = ("description", "target_date", "next_review_on")
FINISHED_STATUSES = (GoalStatus.ACHIEVED, GoalStatus.DISCONTINUED)


@transaction.atomic
def goal_create(
    *,
    actor: User,
    case: Case,
    pou: Pou | int,
    description: str,
    member: Client | None = None,
    target_date: date | None = None,
    next_review_on: date | None = None,
) -> Goal:
    """Add a goal to a case's plan, tied to one of the seven Whānau Ora pou.

    The plan belongs to the case: for a whānau case, `member` None makes a
    whānau-level goal and a member names the client it is for (the case's
    whānau's client members only, and only one the actor may see); for a
    one-client case, None means the client, and the only member allowed is
    the client. Preconditions: the
    actor's role plans (`casework.add_goal`, else PermissionDenied), they may
    change the case (else Http404), and the case is not closed
    (ApplicationError `case_closed`). The goal starts `not_started`; only
    `goal_review` changes its status after that. Writes a `create` audit event.
    """
    _require_role(actor)
    _case_for_change(actor, case)
    # Lock the case so a goal cannot slip in while the case is being closed.
    case = Case.objects.select_for_update().get(pk=case.pk)
    _require_open(case)
    errors: dict[str, list[str]] = {}
    if not _is_int(pou) or pou not in Pou.values:
        errors["pou"] = ["Choose one of the seven pou (1–7)."]
    if not (description or "").strip():
        errors["description"] = ["This field is required."]
    if member is not None and (
        member.pk not in {c.pk for c in access.case_clients(case)}
        or not access.user_can(actor, "view_client", member)
    ):
        # One answer for "not a member" and "a member you may not see": no enumeration.
        errors["member"] = ["Not a client of this case or a client member of its whānau."]
    if errors:
        raise ApplicationError("The goal cannot be added.", fields=errors)

    goal = Goal(
        case=case,
        member=member,
        pou=pou,
        description=description.strip(),
        target_date=target_date,
        next_review_on=next_review_on,
        status=GoalStatus.NOT_STARTED,
        created_by=actor,
    )
    goal.full_clean()
    goal.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=goal,
        agency=Agency(pk=case.agency_id),
        # Descriptions are about the person: kept on the goal, not copied into the log.
        changes={
            "case": str(case.pk),
            "member": str(member.pk) if member else None,
            "pou": pou,
            "target_date": target_date.isoformat() if target_date else None,
            "next_review_on": next_review_on.isoformat() if next_review_on else None,
            "description": "set",
        },
    )
    return goal


@transaction.atomic
def goal_update(*, actor: User, goal: Goal, **fields) -> Goal:
    """Change a goal's description, target date or next review date.

    Status is not among them: it changes only through `goal_review`, so every
    change of status has its dated review. Preconditions as for `goal_create`;
    a closed case's plan is history and refuses changes (ApplicationError
    `case_closed`). Writes an `update` audit event when something changed.
    """
    _require_role(actor)
    unknown = set(fields) - set(GOAL_EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(
            f"Cannot change {', '.join(sorted(unknown))}.",
            fields={name: ["This field cannot be changed here."] for name in sorted(unknown)},
        )
    goal = Goal.objects.select_for_update().select_related("case").get(pk=goal.pk)
    _case_for_change(actor, goal.case)
    _require_open(goal.case)
    if "description" in fields:
        fields["description"] = (fields["description"] or "").strip()
        if not fields["description"]:
            raise ApplicationError(
                "The goal needs a description.",
                fields={"description": ["This field is required."]},
            )
    before = snapshot(goal, GOAL_EDITABLE_FIELDS)
    for name, value in fields.items():
        setattr(goal, name, value)
    changes = audit_changes(goal, GOAL_EDITABLE_FIELDS, before)
    if not changes:
        return goal
    goal.full_clean()
    goal.save(update_fields=[*changes, "updated_at"])
    if "description" in changes:
        changes["description"] = "changed"
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=goal,
        agency=Agency(pk=goal.case.agency_id),
        changes=changes,
    )
    return goal


@transaction.atomic
def goal_review(
    *,
    actor: User,
    goal: Goal,
    reviewed_on: date,
    progress: int,
    status_after: GoalStatus | str,
    comment: str = "",
    next_review_on: date | None = None,
) -> GoalReview:
    """Record a dated progress review of a goal and set the goal's status to `status_after`.

    The only writer of a goal's status after creation. `progress` runs from 0
    (none) to 10 (fully achieved); `reviewed_on` is not in the future;
    `next_review_on`, if given, comes after `reviewed_on`. A review that
    finishes the goal (achieved or discontinued) clears its next review date
    and may not set one. Preconditions as for `goal_create` (closed cases
    refuse reviews). Writes a `create` event for the review and a
    `transition` (status changed) or `update` event for the goal.
    """
    _require_role(actor)
    goal = Goal.objects.select_for_update().select_related("case").get(pk=goal.pk)
    _case_for_change(actor, goal.case)
    _require_open(goal.case)
    errors: dict[str, list[str]] = {}
    if not _is_int(progress) or not 0 <= progress <= 10:
        errors["progress"] = ["Progress is a whole number from 0 to 10."]
    if status_after not in GoalStatus.values:
        errors["status_after"] = ["Unknown status."]
    if reviewed_on > timezone.localdate():
        errors["reviewed_on"] = ["A review cannot be dated in the future."]
    finished = status_after in FINISHED_STATUSES
    if next_review_on is not None:
        if finished:
            errors["next_review_on"] = ["A finished goal has no next review."]
        elif next_review_on <= reviewed_on:
            errors["next_review_on"] = ["The next review comes after this one."]
    if errors:
        raise ApplicationError("The review cannot be recorded.", fields=errors)

    review = GoalReview(
        goal=goal,
        reviewed_on=reviewed_on,
        progress=progress,
        status_after=status_after,
        comment=(comment or "").strip(),
        reviewed_by=actor,
    )
    review.full_clean()
    review.save()
    agency = Agency(pk=goal.case.agency_id)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=review,
        agency=agency,
        changes={
            "goal": str(goal.pk),
            "reviewed_on": reviewed_on.isoformat(),
            "progress": progress,
            "status_after": status_after,
        },
    )

    before = snapshot(goal, ("status", "next_review_on"))
    goal.status = status_after
    if finished:
        goal.next_review_on = None
    elif next_review_on is not None:
        goal.next_review_on = next_review_on
    changes = audit_changes(goal, ("status", "next_review_on"), before)
    if changes:
        goal.save(update_fields=[*changes, "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.TRANSITION if "status" in changes else AuditAction.UPDATE,
            obj=goal,
            agency=agency,
            changes={**changes, "review": str(review.pk)},
        )
    return review


def _require_role(actor: User) -> None:
    if not actor.has_perm("casework.add_goal"):
        raise PermissionDenied("Your role does not plan goals.")


def _case_for_change(actor: User, case: Case) -> None:
    # A case the actor may not change answers as if it did not exist.
    if not access.user_can(actor, "change_case", case):
        raise Http404


def _require_open(case: Case) -> None:
    if case.status == CaseStatus.CLOSED:
        raise ApplicationError(
            "The case is closed: its plan can no longer change.", code="case_closed"
        )


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
