"""Writes for enrolments: a case joins a programme, and later completes or withdraws."""

from datetime import date

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from casework import access
from casework.models import Case, CaseStatus
from core.audit import audit_record
from core.errors import ApplicationError
from core.models import AuditAction, User
from programs.models import Enrolment, EnrolmentStatus, Programme
from programs.services.common import require_perm


@transaction.atomic
def enrolment_create(
    *,
    actor: User,
    case: Case,
    programme: Programme,
    started_on: date | None = None,
) -> Enrolment:
    """Enrol `case` in `programme` from `started_on` (default today).

    The actor works the case (else 404); the programme is delivered by the
    case's agency and active that day; a closed case cannot be enrolled, nor
    one already active in the programme (`already_enrolled`). Audited.
    """
    require_perm(actor, "programs.add_enrolment", "Your role does not enrol cases.")
    _require_case(actor, case, "change_case")
    started_on = started_on or timezone.localdate()
    errors = {}
    if case.status == CaseStatus.CLOSED:
        errors["case"] = ["The case is closed."]
    if not programme.delivering_agencies.filter(pk=case.agency_id).exists():
        errors["programme"] = ["The case's agency does not deliver this programme."]
    elif not programme.is_active_on(started_on):
        errors["programme"] = ["The programme is not running on that date."]
    if errors:
        raise ApplicationError("The case cannot be enrolled.", fields=errors)
    if Enrolment.objects.filter(
        case=case, programme=programme, status=EnrolmentStatus.ACTIVE
    ).exists():
        raise ApplicationError(
            "The case is already enrolled in this programme.",
            code="already_enrolled",
            fields={"programme": ["Already enrolled."]},
        )
    enrolment = Enrolment.objects.create(
        agency_id=case.agency_id,
        case=case,
        programme=programme,
        started_on=started_on,
        enrolled_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=enrolment,
        changes={
            "case": str(case.pk),
            "programme": str(programme.pk),
            "started_on": started_on.isoformat(),
        },
    )
    return enrolment


@transaction.atomic
def enrolment_end(
    *,
    actor: User,
    enrolment: Enrolment,
    status: str,
    ended_on: date | None = None,
    reason: str = "",
) -> Enrolment:
    """End an active enrolment as completed or withdrawn on `ended_on` (default today).

    The actor works the case (else 404). Raises ApplicationError for an
    enrolment that already ended, an unknown status or an end before the
    start. Audited as a transition.
    """
    require_perm(actor, "programs.change_enrolment", "Your role does not change enrolments.")
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("case")
        .get(pk=enrolment.pk)
    )
    _require_case(actor, enrolment.case, "change_case")
    if status not in (EnrolmentStatus.COMPLETED, EnrolmentStatus.WITHDRAWN):
        raise ApplicationError(
            "An enrolment ends as completed or withdrawn.",
            fields={"status": ["Choose completed or withdrawn."]},
        )
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise ApplicationError(
            "The enrolment has already ended.",
            code="illegal_transition",
            fields={"status": [f"Cannot go from {enrolment.status} to {status}."]},
        )
    ended_on = ended_on or timezone.localdate()
    if ended_on < enrolment.started_on:
        raise ApplicationError(
            "An enrolment cannot end before it started.",
            fields={"ended_on": ["Before the start date."]},
        )
    old = enrolment.status
    enrolment.status = status
    enrolment.ended_on = ended_on
    enrolment.end_reason = reason.strip()
    enrolment.save(update_fields=["status", "ended_on", "end_reason", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=enrolment,
        changes={"status": {"old": old, "new": status}, "reason": enrolment.end_reason},
    )
    return enrolment


def _require_case(actor: User, case: Case, codename: str) -> None:
    if not access.user_can(actor, codename, case):
        raise Http404("No such case.")
