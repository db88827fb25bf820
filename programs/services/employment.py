"""Writes for employment support: employers, plans, activities, placements and check-ins.

Caseworkers and team leads who may see a case keep its employment record;
anyone else gets 404 for the case's records and 403 for a role that does not
do this work. `placement_transition` is the only code that writes
`Placement.status`: it locks the row, checks the move against
programs.employment_workflow, saves, appends the history row and writes a
`transition` audit event. A wage subsidy is money from an employment
programme's budget and follows the financial-aid budget rules
(programs.services.budgets): committed in full when the placement starts,
the unused weeks released when it ends early, never more than the budget holds.
"""

import math
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from casework import access
from casework.models import Case, CaseStatus, Client
from core.audit import audit_changes, audit_record, snapshot
from core.errors import ApplicationError, ConflictError
from core.models import AuditAction, User
from core.nz.regions import REGION_CHOICES
from core.roles import Role
from programs.employment_schedule import check_in_due_dates, minimum_wage_on
from programs.employment_workflow import PLACEMENT_STARTED_STATUSES, check_placement_transition
from programs.models import (
    CENT,
    Employer,
    EmploymentActivity,
    EmploymentActivityKind,
    EmploymentBarrier,
    EmploymentPlan,
    EmploymentPlanStatus,
    Placement,
    PlacementCheckIn,
    PlacementEndReason,
    PlacementStatus,
    PlacementStatusChange,
    Programme,
    ProgrammeKind,
)
from programs.money import clean_money, format_nzd
from programs.selectors.employment import check_in_notice_days, through_case
from programs.services.budgets import budget_commit, budget_for, budget_position, budget_release

P = PlacementStatus

EMPLOYER_FIELDS = (
    "name",
    "nzbn",
    "region",
    "industry",
    "contact_name",
    "contact_phone",
    "contact_email",
    "is_active",
)
PLAN_FIELDS = ("work_goals", "barriers", "barrier_notes", "support_agreed", "next_review_on")
TRAINING_FIELDS = ("provider", "qualification", "nzqa_level", "completed")
# A week has 168 hours; anything above is a typing mistake.
HOURS_IN_WEEK = Decimal("168")
_REGIONS = {code for code, _ in REGION_CHOICES}


# ---- who may -------------------------------------------------------------------------------


def may_work_employment(actor: User) -> bool:
    """Caseworkers and team leads run employment plans and placements."""
    return bool(
        actor
        and actor.is_active
        and actor.agency_id is not None
        and (actor.has_role(Role.CASEWORKER) or actor.has_role(Role.TEAM_LEAD))
    )


def may_keep_employers(actor: User) -> bool:
    """Caseworkers, team leads and agency admins keep the agency's list of employers."""
    return may_work_employment(actor) or bool(
        actor and actor.is_active and actor.agency_id and actor.has_role(Role.AGENCY_ADMIN)
    )


def _require_worker(actor: User) -> None:
    if not may_work_employment(actor):
        raise PermissionDenied("Caseworkers and team leads run employment support.")


def _require_case(actor: User, case: Case) -> None:
    _require_worker(actor)
    if not access.user_can(actor, "view_case", case):
        raise Http404("No such case.")


# ---- employers -----------------------------------------------------------------------------


def nzbn_is_valid(value: str) -> bool:
    """A New Zealand Business Number: 13 digits, a GS1 global location number starting 94.

    The last digit is the GS1 modulus-10 check digit (weights 3 and 1 from the
    right), as the NZBN Register issues them.
    """
    if len(value) != 13 or not value.isdigit() or not value.startswith("94"):
        return False
    digits = [int(d) for d in value]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits[:-1])))
    return (10 - total % 10) % 10 == digits[-1]


def _clean_employer(values: dict, errors: dict) -> dict:
    cleaned = dict(values)
    if "name" in cleaned:
        cleaned["name"] = (cleaned["name"] or "").strip()
        if not cleaned["name"]:
            errors["name"] = ["Give the employer's name."]
    if "nzbn" in cleaned:
        cleaned["nzbn"] = (cleaned["nzbn"] or "").replace(" ", "").strip()
        if cleaned["nzbn"] and not nzbn_is_valid(cleaned["nzbn"]):
            errors["nzbn"] = ["Not a valid NZBN (13 digits starting 94, with its check digit)."]
    if "region" in cleaned and cleaned["region"] not in _REGIONS:
        errors["region"] = ["Choose one of New Zealand's regions."]
    for name in ("industry", "contact_name", "contact_phone", "contact_email"):
        if name in cleaned:
            cleaned[name] = (cleaned[name] or "").strip()
    return cleaned


@transaction.atomic
def employer_create(
    *,
    actor: User,
    name: str,
    region: str,
    nzbn: str = "",
    industry: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
) -> Employer:
    """Add an employer to the actor's agency's list.

    Caseworkers, team leads and agency admins (else PermissionDenied). The
    name is unique within the agency; the NZBN, when given, passes its check
    digit. Raises ApplicationError with field errors; audited.
    """
    if not may_keep_employers(actor):
        raise PermissionDenied("Your role does not keep the employer list.")
    errors: dict[str, list[str]] = {}
    values = _clean_employer(
        {
            "name": name,
            "nzbn": nzbn,
            "region": region,
            "industry": industry,
            "contact_name": contact_name,
            "contact_phone": contact_phone,
            "contact_email": contact_email,
        },
        errors,
    )
    if not errors and Employer.objects.filter(agency_id=actor.agency_id, name=values["name"]):
        errors["name"] = ["Your agency already lists an employer with this name."]
    if errors:
        raise ApplicationError("The employer cannot be added.", fields=errors)
    employer = Employer.objects.create(agency_id=actor.agency_id, created_by=actor, **values)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=employer,
        changes={name: values[name] for name in values},
    )
    return employer


@transaction.atomic
def employer_update(*, actor: User, employer: Employer, **fields) -> Employer:
    """Change an employer of the actor's agency (404 for another agency's); audited."""
    if not may_keep_employers(actor):
        raise PermissionDenied("Your role does not keep the employer list.")
    employer = (
        Employer.objects.select_for_update()
        .filter(pk=employer.pk, agency_id=actor.agency_id)
        .first()
    )
    if employer is None:
        raise Http404("No such employer.")
    unknown = set(fields) - set(EMPLOYER_FIELDS)
    if unknown:
        raise ApplicationError(
            "Unknown fields.", fields={name: ["Not a field."] for name in unknown}
        )
    errors: dict[str, list[str]] = {}
    values = _clean_employer(fields, errors)
    if (
        "name" in values
        and not errors
        and Employer.objects.filter(agency_id=employer.agency_id, name=values["name"])
        .exclude(pk=employer.pk)
        .exists()
    ):
        errors["name"] = ["Your agency already lists an employer with this name."]
    if errors:
        raise ApplicationError("The employer cannot be changed.", fields=errors)
    before = snapshot(employer, EMPLOYER_FIELDS)
    for name, value in values.items():
        setattr(employer, name, value)
    employer.save()
    changes = audit_changes(employer, EMPLOYER_FIELDS, before)
    if changes:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=employer, changes=changes)
    return employer


# ---- plans ---------------------------------------------------------------------------------


def _clean_client(case: Case, client: Client | None, errors: dict) -> Client | None:
    members = access.case_clients(case)
    if client is None:
        if case.client_id is not None:
            return case.client
        errors["client"] = ["Name the whānau member this is for."]
        return None
    if client.pk not in {m.pk for m in members}:
        errors["client"] = ["The client is not part of this case."]
    return client


def _clean_barriers(barriers: Iterable[str] | None, errors: dict) -> list[str]:
    chosen = list(dict.fromkeys(barriers or ()))
    unknown = [b for b in chosen if b not in EmploymentBarrier.values]
    if unknown:
        errors["barriers"] = [
            f"Unknown: {', '.join(map(str, unknown))}. "
            f"Choose from: {', '.join(EmploymentBarrier.values)}."
        ]
    return chosen


def _clean_plan_fields(values: dict, errors: dict, *, today: date) -> dict:
    cleaned = dict(values)
    if "work_goals" in cleaned:
        cleaned["work_goals"] = (cleaned["work_goals"] or "").strip()
        if not cleaned["work_goals"]:
            errors["work_goals"] = ["Say what work the client is aiming for."]
    if "barriers" in cleaned:
        cleaned["barriers"] = _clean_barriers(cleaned["barriers"], errors)
    for name in ("barrier_notes", "support_agreed"):
        if name in cleaned:
            cleaned[name] = (cleaned[name] or "").strip()
    if "next_review_on" in cleaned:
        review = cleaned["next_review_on"]
        if review is None:
            errors["next_review_on"] = ["Set the date the plan is next reviewed."]
        elif review < today:
            errors["next_review_on"] = ["The next review cannot be in the past."]
    return cleaned


@transaction.atomic
def employment_plan_create(
    *,
    actor: User,
    case: Case,
    work_goals: str,
    next_review_on: date,
    client: Client | None = None,
    barriers: Iterable[str] = (),
    barrier_notes: str = "",
    support_agreed: str = "",
) -> EmploymentPlan:
    """Start an employment plan for a client of `case`.

    Caseworker or team lead (else 403) who may see the case (else 404); the
    case is open; `client` defaults to the case's client (a whānau case names
    the member); one active plan per client of a case (409 `plan_exists`);
    barriers are EmploymentBarrier codes; the next review is not in the past.
    Raises ApplicationError with field errors; audited.
    """
    _require_case(actor, case)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if case.status == CaseStatus.CLOSED:
        errors["case"] = ["The case is closed."]
    client = _clean_client(case, client, errors)
    values = _clean_plan_fields(
        {
            "work_goals": work_goals,
            "barriers": barriers,
            "barrier_notes": barrier_notes,
            "support_agreed": support_agreed,
            "next_review_on": next_review_on,
        },
        errors,
        today=today,
    )
    if errors:
        raise ApplicationError("The employment plan cannot be started.", fields=errors)
    if EmploymentPlan.objects.filter(
        case=case, client=client, status=EmploymentPlanStatus.ACTIVE
    ).exists():
        raise ConflictError(
            "This client already has an active employment plan on this case; update it.",
            code="plan_exists",
        )
    plan = EmploymentPlan.objects.create(
        agency_id=case.agency_id, case=case, client=client, created_by=actor, **values
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=plan,
        changes={
            "case": str(case.pk),
            "client": str(client.pk),
            **{k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()},
        },
    )
    return plan


def _lock_plan(actor: User, plan: EmploymentPlan) -> EmploymentPlan:
    _require_worker(actor)
    locked = (
        EmploymentPlan.objects.select_for_update()
        .filter(through_case(actor))
        .filter(pk=plan.pk)
        .first()
    )
    if locked is None:
        raise Http404("No such employment plan.")
    return locked


@transaction.atomic
def employment_plan_update(*, actor: User, plan: EmploymentPlan, **fields) -> EmploymentPlan:
    """Change an active plan's goals, barriers, notes, support agreed or next review date.

    404 unless the actor may see the case; a closed plan is a record and does
    not change (400 `plan_closed`). Audited with the changed fields.
    """
    plan = _lock_plan(actor, plan)
    if plan.status != EmploymentPlanStatus.ACTIVE:
        raise ApplicationError("A closed plan cannot be changed.", code="plan_closed")
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ApplicationError(
            "Unknown fields.", fields={name: ["Not a field."] for name in unknown}
        )
    errors: dict[str, list[str]] = {}
    values = _clean_plan_fields(fields, errors, today=timezone.localdate())
    if errors:
        raise ApplicationError("The employment plan cannot be changed.", fields=errors)
    before = snapshot(plan, PLAN_FIELDS)
    for name, value in values.items():
        setattr(plan, name, value)
    plan.save()
    changes = audit_changes(plan, PLAN_FIELDS, before)
    if changes:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=plan, changes=changes)
    return plan


@transaction.atomic
def employment_plan_review(
    *,
    actor: User,
    plan: EmploymentPlan,
    next_review_on: date,
    reviewed_on: date | None = None,
    support_agreed: str | None = None,
) -> EmploymentPlan:
    """Record a review of an active plan: when it happened and when the next one is.

    `reviewed_on` (default today) is not in the future; the next review comes
    after it. The support agreed may be restated at the review. Audited.
    """
    plan = _lock_plan(actor, plan)
    if plan.status != EmploymentPlanStatus.ACTIVE:
        raise ApplicationError("A closed plan is not reviewed.", code="plan_closed")
    today = timezone.localdate()
    reviewed_on = reviewed_on or today
    errors: dict[str, list[str]] = {}
    if reviewed_on > today:
        errors["reviewed_on"] = ["A review cannot be recorded before it happens."]
    if next_review_on is None or next_review_on <= reviewed_on:
        errors["next_review_on"] = ["The next review comes after this one."]
    if errors:
        raise ApplicationError("The review cannot be recorded.", fields=errors)
    fields = ("last_reviewed_on", "next_review_on", "support_agreed")
    before = snapshot(plan, fields)
    plan.last_reviewed_on = reviewed_on
    plan.next_review_on = next_review_on
    if support_agreed is not None:
        plan.support_agreed = support_agreed.strip()
    plan.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=plan,
        changes=audit_changes(plan, fields, before),
    )
    return plan


@transaction.atomic
def employment_plan_close(*, actor: User, plan: EmploymentPlan) -> EmploymentPlan:
    """Close an active plan (it stays as the record); a closed one answers 400 `plan_closed`."""
    plan = _lock_plan(actor, plan)
    if plan.status != EmploymentPlanStatus.ACTIVE:
        raise ApplicationError("The plan is already closed.", code="plan_closed")
    plan.status = EmploymentPlanStatus.CLOSED
    plan.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=plan,
        changes={"status": {"old": EmploymentPlanStatus.ACTIVE, "new": plan.status}},
    )
    return plan


# ---- activities ----------------------------------------------------------------------------


def _clean_hours(value, field: str, errors: dict) -> Decimal | None:
    if isinstance(value, (float, bool)) or value is None:
        errors[field] = ["Enter the hours as a number, e.g. 2.5."]
        return None
    try:
        hours = Decimal(str(value).strip())
    except InvalidOperation:
        errors[field] = ["Enter the hours as a number, e.g. 2.5."]
        return None
    if not hours.is_finite() or hours != hours.quantize(CENT):
        errors[field] = ["Enter the hours with at most 2 decimal places."]
        return None
    if hours <= 0 or hours > HOURS_IN_WEEK:
        errors[field] = ["The hours must be more than 0 and at most 168."]
        return None
    return hours


def _clean_plan_link(
    plan: EmploymentPlan | None, case: Case, client: Client | None, errors: dict
) -> None:
    if plan is None:
        return
    if plan.case_id != case.pk or (client is not None and plan.client_id != client.pk):
        errors["plan"] = ["The plan belongs to another case or client."]


@transaction.atomic
def employment_activity_create(
    *,
    actor: User,
    case: Case,
    kind: str,
    occurred_on: date,
    hours,
    client: Client | None = None,
    plan: EmploymentPlan | None = None,
    outcome: str = "",
    provider: str = "",
    qualification: str = "",
    nzqa_level: int | None = None,
    completed: bool | None = None,
) -> EmploymentActivity:
    """Record an activity towards work (coaching, CV, interview preparation, training …).

    Caseworker or team lead (else 403) who may see the case (else 404). The
    date is not in the future; hours are above 0 and at most 168; the
    provider, qualification, NZQA level (1–10) and completion belong to
    training courses only. A plan, when named, is the same case's and
    client's. Raises ApplicationError with field errors; audited.
    """
    _require_case(actor, case)
    errors: dict[str, list[str]] = {}
    client = _clean_client(case, client, errors)
    _clean_plan_link(plan, case, client, errors)
    if kind not in EmploymentActivityKind.values:
        errors["kind"] = [f"Choose one of: {', '.join(EmploymentActivityKind.values)}."]
    if occurred_on is None or occurred_on > timezone.localdate():
        errors["occurred_on"] = ["Record an activity once it has happened (not a future date)."]
    clean_hours = _clean_hours(hours, "hours", errors)
    training = {
        "provider": (provider or "").strip(),
        "qualification": (qualification or "").strip(),
        "nzqa_level": nzqa_level,
        "completed": completed,
    }
    if kind != EmploymentActivityKind.TRAINING:
        for name, value in training.items():
            if value not in ("", None):
                errors[name] = ["Only training courses record this."]
    elif not training["provider"]:
        errors["provider"] = ["Name the training provider."]
    if nzqa_level is not None and not (
        isinstance(nzqa_level, int) and not isinstance(nzqa_level, bool) and 1 <= nzqa_level <= 10
    ):
        errors["nzqa_level"] = ["NZQA levels run from 1 to 10."]
    if errors:
        raise ApplicationError("The activity cannot be recorded.", fields=errors)
    activity = EmploymentActivity.objects.create(
        agency_id=case.agency_id,
        case=case,
        client=client,
        plan=plan,
        kind=kind,
        occurred_on=occurred_on,
        hours=clean_hours,
        outcome=(outcome or "").strip(),
        created_by=actor,
        **training,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=activity,
        changes={
            "case": str(case.pk),
            "client": str(client.pk),
            "plan": str(plan.pk) if plan else None,
            "kind": kind,
            "occurred_on": occurred_on.isoformat(),
            "hours": str(clean_hours),
            **training,
        },
    )
    return activity


# ---- placements ----------------------------------------------------------------------------


def subsidy_max_weeks() -> int:
    """The longest wage subsidy accepted (setting EMPLOYMENT_SUBSIDY_MAX_WEEKS)."""
    return int(getattr(settings, "EMPLOYMENT_SUBSIDY_MAX_WEEKS", 52))


def _check_minimum_wage(hourly_wage: Decimal | None, start_on: date, errors: dict):
    """The rate in force on `start_on`, adding a field error when the wage is below it."""
    in_force = minimum_wage_on(start_on)
    if in_force is None:
        errors["start_on"] = ["No minimum wage is configured for that date."]
        return None
    effective, rate = in_force
    if hourly_wage is not None and hourly_wage < rate:
        errors["hourly_wage"] = [
            f"Below the adult minimum wage of {format_nzd(rate)} an hour in force on "
            f"{start_on.isoformat()} (from {effective.isoformat()})."
        ]
    return rate


def _check_subsidy_programme(programme: Programme | None, case: Case, on: date, errors: dict):
    if programme is None:
        errors["programme"] = ["Name the employment programme that pays the subsidy."]
    elif programme.kind != ProgrammeKind.EMPLOYMENT:
        errors["programme"] = ["Wage subsidies are paid from an employment programme."]
    elif not programme.delivering_agencies.filter(pk=case.agency_id).exists():
        errors["programme"] = ["The case's agency does not deliver this programme."]
    elif not programme.is_active_on(on):
        errors["programme"] = ["The programme is not running on the start date."]


@transaction.atomic
def placement_create(
    *,
    actor: User,
    case: Case,
    employer: Employer,
    role: str,
    start_on: date,
    hours_per_week,
    hourly_wage,
    client: Client | None = None,
    plan: EmploymentPlan | None = None,
    is_subsidised: bool = False,
    subsidy_weekly_amount=None,
    subsidy_weeks: int | None = None,
    programme: Programme | None = None,
) -> Placement:
    """Record a job offer for a client of `case`: the placement starts `offered`.

    Caseworker or team lead (else 403) who may see the case (else 404); the
    case is open; the employer is an active one of the case's agency. The
    hourly wage is at least the adult minimum wage in force on `start_on`
    (Minimum Wage Act 1983; rates from EMPLOYMENT_MINIMUM_WAGE_SCHEDULE). A
    subsidised placement names a weekly amount, a number of weeks (at most
    EMPLOYMENT_SUBSIDY_MAX_WEEKS) and an employment programme the agency
    delivers; its total must fit what that programme's budget for the start
    date has available now (400 `over_budget`) — the money is committed when
    the placement starts. Raises ApplicationError with field errors; audited.
    """
    _require_case(actor, case)
    errors: dict[str, list[str]] = {}
    if case.status == CaseStatus.CLOSED:
        errors["case"] = ["The case is closed."]
    client = _clean_client(case, client, errors)
    _clean_plan_link(plan, case, client, errors)
    if employer.agency_id != case.agency_id or not employer.is_active:
        errors["employer"] = ["Choose an active employer of the case's agency."]
    role = (role or "").strip()
    if not role:
        errors["role"] = ["Name the role (job title)."]
    hours = _clean_hours(hours_per_week, "hours_per_week", errors)
    wage = None
    try:
        wage = clean_money(hourly_wage, field="hourly_wage", maximum=Decimal("10000.00"))
    except ApplicationError as exc:
        errors.update(exc.fields)
    minimum = None
    if start_on is None:
        errors["start_on"] = ["Give the start date."]
    else:
        minimum = _check_minimum_wage(wage, start_on, errors)
    weekly = weeks = None
    if is_subsidised:
        try:
            weekly = clean_money(subsidy_weekly_amount, field="subsidy_weekly_amount")
        except ApplicationError as exc:
            errors.update(exc.fields)
        if (
            not isinstance(subsidy_weeks, int)
            or isinstance(subsidy_weeks, bool)
            or not 1 <= subsidy_weeks <= subsidy_max_weeks()
        ):
            errors["subsidy_weeks"] = [f"Between 1 and {subsidy_max_weeks()} weeks."]
        else:
            weeks = subsidy_weeks
        if start_on is not None:
            _check_subsidy_programme(programme, case, start_on, errors)
    elif subsidy_weekly_amount is not None or subsidy_weeks is not None or programme is not None:
        errors["is_subsidised"] = ["Only a subsidised placement names a subsidy."]
    if errors:
        raise ApplicationError("The placement cannot be recorded.", fields=errors)
    if is_subsidised:
        total = (weekly * weeks).quantize(CENT)
        budget = budget_for(programme=programme, agency=case.agency, on=start_on)
        if total > budget.available:
            raise ApplicationError(
                f"Over budget: the {budget.fiscal_year_label} budget of {programme.name} has "
                f"{format_nzd(budget.available)} available and this subsidy is "
                f"{format_nzd(total)}.",
                code="over_budget",
                fields={
                    "subsidy_weekly_amount": [f"Only {format_nzd(budget.available)} is available."]
                },
            )
    placement = Placement.objects.create(
        agency_id=case.agency_id,
        case=case,
        client=client,
        plan=plan,
        employer=employer,
        role=role,
        start_on=start_on,
        hours_per_week=hours,
        hourly_wage=wage,
        minimum_wage=minimum,
        is_subsidised=bool(is_subsidised),
        subsidy_weekly_amount=weekly,
        subsidy_weeks=weeks,
        programme=programme if is_subsidised else None,
        status=P.OFFERED,
        created_by=actor,
    )
    PlacementStatusChange.objects.create(
        placement=placement,
        from_status="",
        to_status=P.OFFERED,
        reason="Job offered.",
        changed_by=actor,
        changed_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=placement,
        changes={
            "case": str(case.pk),
            "client": str(client.pk),
            "employer": str(employer.pk),
            "role": role,
            "start_on": start_on.isoformat(),
            "hours_per_week": str(hours),
            "hourly_wage": str(wage),
            "minimum_wage": str(minimum),
            "is_subsidised": bool(is_subsidised),
            "subsidy_weekly_amount": str(weekly) if weekly is not None else None,
            "subsidy_weeks": weeks,
            "programme": str(programme.pk) if is_subsidised else None,
        },
    )
    return placement


def _lock_placement(actor: User, placement: Placement) -> Placement:
    _require_worker(actor)
    locked = (
        Placement.objects.select_for_update(of=("self",))
        .filter(through_case(actor))
        .filter(pk=placement.pk)
        .select_related("programme", "agency", "employer")
        .first()
    )
    if locked is None:
        raise Http404("No such placement.")
    return locked


@transaction.atomic
def placement_transition(
    *,
    actor: User,
    placement: Placement,
    to_status: PlacementStatus | str,
    on: date | None = None,
    reason: str = "",
    end_reason: str = "",
) -> Placement:
    """Move a placement to `to_status`: the one service that writes a placement's status.

    404 unless the actor may see the case; 403 for a role that does not do
    this work; the move must be in programs.employment_workflow (400
    `illegal_transition`). Starting (on `on`, default the planned start
    date; not in the future) re-checks the wage against the minimum in force
    that day, commits a subsidy against the programme's budget for that day
    (400 `over_budget`, nothing changed) and schedules the 4-, 13- and
    26-week check-ins. Ending (on `on`, default today; not before the start
    nor in the future) needs an `end_reason` and releases the subsidy of the
    weeks not worked. Withdrawing an offer needs a reason. Writes a history
    row and a `transition` audit event.
    """
    try:
        to_status = PlacementStatus(to_status)
    except ValueError as exc:
        raise ApplicationError(
            "Unknown status.", code="illegal_transition", fields={"status": ["Unknown status."]}
        ) from exc
    placement = _lock_placement(actor, placement)
    reason = (reason or "").strip()
    check_placement_transition(placement, to_status, reason=reason, end_reason=end_reason)
    today = timezone.localdate()
    from_status = placement.status
    fields = ["status"]
    changes: dict = {"status": {"old": from_status, "new": to_status.value}}
    if to_status == P.STARTED:
        _start(placement, on or placement.start_on, today, changes)
        fields += ["started_on", "minimum_wage", "budget", "subsidy_committed"]
    elif to_status == P.ENDED:
        _end(placement, on or today, today, end_reason, reason, changes)
        fields += ["ended_on", "end_reason", "end_notes", "subsidy_committed"]
    placement.status = to_status
    placement.save(update_fields=[*fields, "updated_at"])
    PlacementStatusChange.objects.create(
        placement=placement,
        from_status=from_status,
        to_status=to_status,
        reason=reason or (end_reason if to_status == P.ENDED else ""),
        changed_by=actor,
        changed_at=timezone.now(),
    )
    if reason:
        changes["reason"] = reason
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=placement, changes=changes)
    return placement


def _start(placement: Placement, started_on: date, today: date, changes: dict) -> None:
    errors: dict[str, list[str]] = {}
    if started_on > today:
        errors["on"] = ["A placement is started on or after the day the client starts work."]
    minimum = _check_minimum_wage(placement.hourly_wage, started_on, errors)
    if placement.is_subsidised and not errors:
        _check_subsidy_programme(placement.programme, placement.case, started_on, errors)
    if errors:
        raise ApplicationError("The placement cannot start.", fields=errors)
    placement.started_on = started_on
    placement.minimum_wage = minimum
    changes["started_on"] = started_on.isoformat()
    if placement.is_subsidised:
        budget = budget_for(programme=placement.programme, agency=placement.agency, on=started_on)
        total = placement.subsidy_total
        after = budget_commit(budget=budget, amount=total)
        placement.budget = budget
        placement.subsidy_committed = total
        changes["subsidy_committed"] = str(total)
        changes["budget"] = {"id": str(budget.pk), **budget_position(after)}
    PlacementCheckIn.objects.bulk_create(
        PlacementCheckIn(placement=placement, weeks=weeks, due_on=due_on)
        for weeks, due_on in check_in_due_dates(started_on).items()
    )


def subsidy_unused(placement: Placement, ended_on: date) -> Decimal:
    """The subsidy of the weeks not worked when a placement ends on `ended_on`.

    Every week begun is paid (the employer kept the person on that week); the
    weeks after the last one begun are given back to the budget.
    """
    if not placement.is_subsidised or placement.subsidy_committed <= 0:
        return Decimal("0.00")
    weeks_begun = math.ceil(((ended_on - placement.started_on).days + 1) / 7)
    unused_weeks = max(placement.subsidy_weeks - weeks_begun, 0)
    return min(
        (placement.subsidy_weekly_amount * unused_weeks).quantize(CENT),
        placement.subsidy_committed,
    )


def _end(
    placement: Placement, ended_on: date, today: date, end_reason: str, notes: str, changes: dict
) -> None:
    errors: dict[str, list[str]] = {}
    if ended_on > today:
        errors["on"] = ["Record the end once it has happened."]
    elif ended_on < placement.started_on:
        errors["on"] = ["A placement cannot end before it started."]
    if errors:
        raise ApplicationError("The placement cannot end.", fields=errors)
    placement.ended_on = ended_on
    placement.end_reason = PlacementEndReason(end_reason)
    placement.end_notes = notes
    changes.update({"ended_on": ended_on.isoformat(), "end_reason": end_reason})
    unused = subsidy_unused(placement, ended_on)
    if unused > 0:
        after = budget_release(budget=placement.budget, amount=unused)
        placement.subsidy_committed -= unused
        changes["subsidy_released"] = str(unused)
        changes["budget"] = {"id": str(after.pk), **budget_position(after)}


def placement_start(*, actor: User, placement: Placement, on: date | None = None) -> Placement:
    """The client started work (see `placement_transition`)."""
    return placement_transition(actor=actor, placement=placement, to_status=P.STARTED, on=on)


def placement_end(
    *,
    actor: User,
    placement: Placement,
    end_reason: str,
    on: date | None = None,
    notes: str = "",
) -> Placement:
    """The job ended, with why (see `placement_transition`)."""
    return placement_transition(
        actor=actor,
        placement=placement,
        to_status=P.ENDED,
        on=on,
        end_reason=end_reason,
        reason=notes,
    )


def placement_withdraw(*, actor: User, placement: Placement, reason: str) -> Placement:
    """The offer fell through before the client started (see `placement_transition`)."""
    return placement_transition(
        actor=actor, placement=placement, to_status=P.WITHDRAWN, reason=reason
    )


@transaction.atomic
def placement_check_in_record(
    *,
    actor: User,
    placement: Placement,
    weeks: int,
    still_employed: bool,
    hours_per_week=None,
    notes: str = "",
    recorded_on: date | None = None,
) -> PlacementCheckIn:
    """Record the 4-, 13- or 26-week check-in of a started (or since ended) placement.

    404 unless the actor may see the case (or no such milestone); 400
    `not_started` for an offer; 409 `already_recorded` once recorded.
    `recorded_on` (default today) is not in the future and no earlier than
    EMPLOYMENT_CHECK_IN_NOTICE_DAYS before the due date (400 `too_early`).
    Someone still employed says for how many hours a week. Audited.
    """
    placement = _lock_placement(actor, placement)
    if placement.status not in PLACEMENT_STARTED_STATUSES:
        raise ApplicationError(
            "Check-ins begin once the placement has started.", code="not_started"
        )
    check_in = (
        PlacementCheckIn.objects.select_for_update()
        .filter(placement=placement, weeks=weeks)
        .first()
    )
    if check_in is None:
        raise Http404("No such check-in.")
    if check_in.recorded_on is not None:
        raise ConflictError("This check-in is already recorded.", code="already_recorded")
    today = timezone.localdate()
    recorded_on = recorded_on or today
    errors: dict[str, list[str]] = {}
    if not isinstance(still_employed, bool):
        errors["still_employed"] = ["Answer yes or no."]
    if recorded_on > today:
        errors["recorded_on"] = ["A check-in is recorded once it has happened."]
    earliest = check_in.due_on - timedelta(days=check_in_notice_days())
    if recorded_on < earliest:
        raise ApplicationError(
            f"The {weeks}-week check-in is due on {check_in.due_on.isoformat()}; it can be "
            f"recorded from {earliest.isoformat()}.",
            code="too_early",
            fields={"recorded_on": [f"Not before {earliest.isoformat()}."]},
        )
    hours = None
    if still_employed is True:
        hours = _clean_hours(hours_per_week, "hours_per_week", errors)
    elif hours_per_week is not None:
        errors["hours_per_week"] = ["Hours are recorded only for someone still employed."]
    if errors:
        raise ApplicationError("The check-in cannot be recorded.", fields=errors)
    check_in.recorded_on = recorded_on
    check_in.still_employed = still_employed
    check_in.hours_per_week = hours
    check_in.notes = (notes or "").strip()
    check_in.recorded_by = actor
    check_in.recorded_at = timezone.now()
    check_in.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=check_in,
        agency=placement.agency,
        changes={
            "placement": str(placement.pk),
            "weeks": weeks,
            "recorded_on": recorded_on.isoformat(),
            "still_employed": still_employed,
            "hours_per_week": str(hours) if hours is not None else None,
        },
    )
    return check_in
