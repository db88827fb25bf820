"""Writes for aid requests: raise, edit, submit, and the program officer's decisions.

Every state change goes through `apply_transition`: the request row is locked,
the move checked against programs.workflow, the changed fields saved, a
history row appended and a `transition` audit event written, all in one
transaction. Separation of duties and delegated limits follow the agency's
delegations (DESIGN.md: nobody approves their own request; officers approve
up to their delegated limit).
"""

import re
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone

from casework import access
from casework.models import Case, CaseStatus, Client, WhanauMember
from core.audit import audit_changes, audit_record, snapshot
from core.errors import ApplicationError
from core.models import AuditAction, User
from core.notifications import notify
from programs import workflow
from programs.models import (
    AidCategory,
    AidDecision,
    AidRequest,
    AidRequestStatus,
    AidRequestStatusChange,
    Budget,
    DecisionOutcome,
    Payment,
    Programme,
    ProgrammeKind,
    Recovery,
    RecoveryStatus,
    RepaymentFrequency,
)
from programs.money import aid_amount_max, clean_money, format_nzd, to_money
from programs.repayment_schedule import instalment_count, max_instalments
from programs.selectors.aid import (
    aid_request_visibility,
    budgeting_support_threshold,
    budgeting_support_window,
)
from programs.services.budgets import (
    budget_commit,
    budget_decision_facts,
    budget_for,
    budget_release,
)

S = AidRequestStatus

EDITABLE_FIELDS = (
    "category",
    "amount",
    "is_recoverable",
    "repayment_instalment",
    "repayment_frequency",
    "repayment_start_on",
    "justification",
    "supplier_name",
    "supplier_bank_account",
    "supplier_reference",
)

PLAN_FIELDS = {"repayment_instalment": None, "repayment_frequency": "", "repayment_start_on": None}

# NZ bank account numbers: bank (2) - branch (4) - account (7) - suffix (2 or 3).
_BANK_ACCOUNT = re.compile(r"^[0-9]{2}-[0-9]{4}-[0-9]{7}-[0-9]{2,3}$")


@transaction.atomic
def aid_request_create(
    *,
    actor: User,
    case: Case,
    programme: Programme,
    category: str,
    amount: Decimal,
    client: Client | None = None,
    is_recoverable: bool = False,
    repayment_instalment: Decimal | None = None,
    repayment_frequency: str = "",
    repayment_start_on: date | None = None,
    justification: str = "",
    supplier_name: str = "",
    supplier_bank_account: str = "",
    supplier_reference: str = "",
) -> AidRequest:
    """Raise a draft aid request for a client of `case`.

    The actor's role raises aid requests (else 403) and they work the case
    (else 404). `client` defaults to the case's client; a whānau case names
    the member it is for. The programme must be a financial-aid programme the
    case's agency delivers, running today; amounts are exact cents, above
    zero and at most AID_REQUEST_MAX_AMOUNT; a recoverable request carries a
    repayment plan. Raises ApplicationError with field errors; audited.
    """
    require_caseworker(actor)
    if not access.user_can(actor, "view_case", case):
        raise Http404("No such case.")
    errors: dict[str, list[str]] = {}
    if case.status == CaseStatus.CLOSED:
        errors["case"] = ["The case is closed."]
    client = _clean_client(case, client, errors)
    _check_programme(programme, case, errors)
    if errors:
        raise ApplicationError("The aid request cannot be raised.", fields=errors)
    aid_request = AidRequest(
        agency_id=case.agency_id,
        case=case,
        client=client,
        programme=programme,
        created_by=actor,
    )
    _apply_fields(
        aid_request,
        {
            "category": category,
            "amount": amount,
            "is_recoverable": is_recoverable,
            "repayment_instalment": repayment_instalment,
            "repayment_frequency": repayment_frequency,
            "repayment_start_on": repayment_start_on,
            "justification": justification,
            "supplier_name": supplier_name,
            "supplier_bank_account": supplier_bank_account,
            "supplier_reference": supplier_reference,
        },
    )
    aid_request.save()
    AidRequestStatusChange.objects.create(
        aid_request=aid_request,
        from_status="",
        to_status=S.DRAFT,
        changed_by=actor,
        changed_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=aid_request,
        changes={
            "case": str(case.pk),
            "client": str(client.pk),
            "programme": str(programme.pk),
            **{
                name: {"old": None, "new": change["new"]}
                for name, change in audit_changes(
                    aid_request, EDITABLE_FIELDS, dict.fromkeys(EDITABLE_FIELDS)
                ).items()
            },
        },
    )
    return aid_request


@transaction.atomic
def aid_request_update(*, actor: User, aid_request: AidRequest, **fields) -> AidRequest:
    """Change a draft or returned request's details (category, amount, plan, supplier …).

    Only while the request is with the caseworker (draft or returned; else
    400 `not_editable`), by someone who raises aid requests and works the
    case. Audited with old and new values.
    """
    require_caseworker(actor)
    aid_request = lock_aid_request(actor, aid_request)
    if not _works_case(actor, aid_request):
        raise PermissionDenied("Only the case's workers change its aid requests.")
    if aid_request.status not in workflow.EDITABLE_STATUSES:
        raise ApplicationError(
            f"An aid request that is {aid_request.get_status_display().lower()} cannot be changed.",
            code="not_editable",
        )
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(f"Cannot change {', '.join(sorted(unknown))}.")
    before = snapshot(aid_request, EDITABLE_FIELDS)
    merged = {**before, **fields}
    if not merged["is_recoverable"]:
        # Turning an advance into a grant drops its plan rather than failing on it.
        for name, empty in PLAN_FIELDS.items():
            if name not in fields:
                merged[name] = empty
    _apply_fields(aid_request, merged)
    changes = audit_changes(aid_request, EDITABLE_FIELDS, before)
    aid_request.save()
    if changes:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=aid_request, changes=changes)
    return aid_request


@transaction.atomic
def aid_request_submit(
    *, actor: User, aid_request: AidRequest, at: datetime | None = None
) -> AidRequest:
    """Send a draft (or a returned request, after edits) to the program officers.

    The actor raises aid requests and works the case. A justification is
    required (`justification_required`). `at` backdates the submission for
    data loads; it defaults to now.
    """
    require_caseworker(actor)
    aid_request = lock_aid_request(actor, aid_request)
    if not _works_case(actor, aid_request):
        raise PermissionDenied("Only the case's workers submit its aid requests.")
    workflow.check_transition(aid_request, S.SUBMITTED)
    at = at or timezone.now()
    return apply_transition(
        actor=actor,
        aid_request=aid_request,
        to_status=S.SUBMITTED,
        at=at,
        fields={
            "submitted_by": actor,
            "submitted_at": at,
            "decided_by": None,
            "decided_at": None,
            "decision_reason": "",
        },
    )


@transaction.atomic
def aid_request_approve(
    *, actor: User, aid_request: AidRequest, note: str = "", at: datetime | None = None
) -> AidRequest:
    """Approve a submitted request and commit its amount against the fiscal year's budget.

    Preconditions, in order: the actor may see the request (else 404); they
    are a program officer of the request's agency, which delivers the
    programme (403); the request is submitted (400 `illegal_transition`); the
    actor neither raised nor submitted it and is not the case's lead
    caseworker (403 `separation_of_duties`); the amount is within their
    delegated limit (403 `over_delegated_limit`: it waits for an officer with
    a higher limit); the budget of the fiscal year of the approval date (the
    agency's own, else the programme-wide one) exists (400 `no_budget`) and
    has the money (400 `over_budget`). The commitment is one conditional
    UPDATE. The facts the decision relied on are frozen in an AidDecision.
    """
    at = at or timezone.now()
    aid_request = _lock_for_decision(actor, aid_request)
    workflow.check_transition(aid_request, S.APPROVED)
    check_separation_of_duties(actor, aid_request, "approve")
    limit = actor.delegated_limit
    if limit is None or aid_request.amount > limit:
        raise ApplicationError(
            f"{format_nzd(aid_request.amount)} is above your delegated limit of "
            f"{format_nzd(limit or Decimal('0'))}; an officer with a higher limit must decide it.",
            code="over_delegated_limit",
            status_code=403,
        )
    facts = decision_facts(aid_request, at=at)
    budget = budget_for(
        programme=aid_request.programme, agency=aid_request.agency, on=timezone.localdate(at)
    )
    after = budget_commit(budget=budget, amount=aid_request.amount)
    before = Budget(
        allocated=after.allocated,
        committed=after.committed - aid_request.amount,
        paid=after.paid,
    )
    facts["budget"] = budget_decision_facts(before, after)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=after,
        agency=aid_request.agency,
        changes={
            "committed": {"old": str(before.committed), "new": str(after.committed)},
            "aid_request": str(aid_request.pk),
        },
    )
    note = (note or "").strip()
    AidDecision.objects.create(
        aid_request=aid_request,
        outcome=DecisionOutcome.APPROVED,
        decided_by=actor,
        decided_at=at,
        reason=note,
        facts=facts,
        budget=after,
    )
    aid_request = apply_transition(
        actor=actor,
        aid_request=aid_request,
        to_status=S.APPROVED,
        at=at,
        reason=note,
        fields={
            "decided_by": actor,
            "decided_at": at,
            "decision_reason": note,
            "budget": after,
        },
    )
    notify_requester(aid_request, DecisionOutcome.APPROVED)
    return aid_request


@transaction.atomic
def aid_request_decline(
    *, actor: User, aid_request: AidRequest, reason: str, at: datetime | None = None
) -> AidRequest:
    """Decline a submitted request, with a reason the caseworker sees.

    Same visibility, role and separation-of-duties rules as approval; no
    delegated limit applies, as nothing is spent. Raises 400
    `reason_required` without a reason. The facts are frozen as for approval.
    """
    return _decide_without_money(
        actor=actor, aid_request=aid_request, outcome=DecisionOutcome.DECLINED, reason=reason, at=at
    )


@transaction.atomic
def aid_request_return(
    *, actor: User, aid_request: AidRequest, reason: str, at: datetime | None = None
) -> AidRequest:
    """Send a submitted request back to the caseworker for more information (reason required).

    The caseworker edits it and submits it again. Same rules as declining.
    """
    return _decide_without_money(
        actor=actor, aid_request=aid_request, outcome=DecisionOutcome.RETURNED, reason=reason, at=at
    )


@transaction.atomic
def aid_request_cancel(
    *, actor: User, aid_request: AidRequest, reason: str, at: datetime | None = None
) -> AidRequest:
    """Withdraw a request that is not final yet, with a reason.

    The case's workers (who raise aid requests) and the agency's program
    officers may cancel. Cancelling an approved request releases its
    commitment back to the budget it was committed against.
    """
    at = at or timezone.now()
    aid_request = lock_aid_request(actor, aid_request)
    officer = is_deciding_officer(actor, aid_request)
    worker = actor.has_perm("programs.add_aidrequest") and _works_case(actor, aid_request)
    if not (officer or worker):
        raise PermissionDenied("Only the case's workers or the agency's officers cancel aid.")
    workflow.check_transition(aid_request, S.CANCELLED, reason=reason)
    reason = reason.strip()
    if aid_request.status == S.APPROVED:
        budget = Budget.objects.get(pk=aid_request.budget_id)
        after = budget_release(budget=budget, amount=aid_request.amount)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=after,
            agency=aid_request.agency,
            changes={
                "committed": {
                    "old": str(after.committed + aid_request.amount),
                    "new": str(after.committed),
                },
                "aid_request": str(aid_request.pk),
            },
        )
    return apply_transition(
        actor=actor, aid_request=aid_request, to_status=S.CANCELLED, at=at, reason=reason
    )


def decision_facts(aid_request: AidRequest, *, at: datetime) -> dict:
    """The facts a decision on `aid_request` rests on, as plain JSON, read fresh from the database.

    The request as it stands; the client's circumstances without identifying
    details (region, age band, gender, household); and their aid history in
    the 12 months before `at`: other requests, payments, and what they still
    owe on advances. Amounts are exact decimal strings.
    """
    client = Client.objects.get(pk=aid_request.client_id)
    case = Case.objects.get(pk=aid_request.case_id)
    window_start = at - budgeting_support_window()
    prior_requests = (
        AidRequest.objects.filter(
            client_id=client.pk, submitted_at__gt=window_start, submitted_at__lte=at
        )
        .exclude(pk=aid_request.pk)
        .count()
    )
    paid = Payment.objects.filter(
        aid_request__client_id=client.pk, paid_on__gt=timezone.localdate(window_start)
    ).aggregate(total=Sum("amount"))["total"]
    owing = Recovery.objects.filter(client_id=client.pk, status=RecoveryStatus.ACTIVE).aggregate(
        principal=Sum("principal"), repaid=Sum("repaid")
    )
    household = {"case_for": "whanau" if case.whanau_id else "client", "whanau_size": None}
    if case.whanau_id:
        household["whanau_size"] = WhanauMember.objects.filter(whanau_id=case.whanau_id).count()
    on = timezone.localdate(at)
    return {
        "recorded_at": at.isoformat(),
        "request": {
            "id": str(aid_request.pk),
            "programme": str(aid_request.programme_id),
            "programme_name": aid_request.programme.name,
            "category": aid_request.category,
            "amount": str(aid_request.amount),
            "is_recoverable": aid_request.is_recoverable,
            "repayment_instalment": _str_or_none(aid_request.repayment_instalment),
            "repayment_frequency": aid_request.repayment_frequency,
            "repayment_start_on": _str_or_none(aid_request.repayment_start_on),
            "justification": aid_request.justification,
            "supplier_name": aid_request.supplier_name,
            "supplier_bank_account": aid_request.supplier_bank_account,
            "supplier_reference": aid_request.supplier_reference,
            "created_by": str(aid_request.created_by_id),
            "submitted_by": _str_or_none(aid_request.submitted_by_id),
            "submitted_at": _str_or_none(aid_request.submitted_at),
        },
        "client": {
            "id": str(client.pk),
            "region": client.region,
            "age_band": age_band(client.date_of_birth, on),
            "gender": client.gender,
            "interpreter_required": client.interpreter_required,
            **household,
        },
        "aid_history": {
            "other_requests_12_months": prior_requests,
            "budgeting_support_flag": prior_requests + 1 >= budgeting_support_threshold(),
            "paid_12_months": str(to_money(paid)),
            "owing_on_advances": str(to_money(owing["principal"]) - to_money(owing["repaid"])),
        },
    }


def age_band(date_of_birth: date, on: date) -> str:
    """The ten-year age band (Stats NZ style) of someone born on `date_of_birth`, on day `on`."""
    age = (
        on.year
        - date_of_birth.year
        - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    )
    if age < 18:
        return "under 18"
    if age < 25:
        return "18–24"
    if age >= 65:
        return "65 and over"
    low = (age - 5) // 10 * 10 + 5
    return f"{low}–{low + 9}"


def require_caseworker(actor: User) -> None:
    """Raise PermissionDenied unless the actor's role raises aid requests."""
    if actor is None or not (actor.is_active and actor.has_perm("programs.add_aidrequest")):
        raise PermissionDenied("Your role does not raise aid requests.")


def _decide_without_money(
    *,
    actor: User,
    aid_request: AidRequest,
    outcome: DecisionOutcome,
    reason: str,
    at: datetime | None,
) -> AidRequest:
    at = at or timezone.now()
    to_status = S.DECLINED if outcome == DecisionOutcome.DECLINED else S.RETURNED
    aid_request = _lock_for_decision(actor, aid_request)
    workflow.check_transition(aid_request, to_status, reason=reason)
    check_separation_of_duties(actor, aid_request, "decide")
    reason = reason.strip()
    AidDecision.objects.create(
        aid_request=aid_request,
        outcome=outcome,
        decided_by=actor,
        decided_at=at,
        reason=reason,
        facts=decision_facts(aid_request, at=at),
    )
    aid_request = apply_transition(
        actor=actor,
        aid_request=aid_request,
        to_status=to_status,
        at=at,
        reason=reason,
        fields={"decided_by": actor, "decided_at": at, "decision_reason": reason},
    )
    notify_requester(aid_request, outcome)
    return aid_request


def notify_requester(aid_request: AidRequest, outcome: DecisionOutcome) -> None:
    """Tell whoever submitted (else raised) the request what the officer decided.

    Written inside the decision's transaction rather than on commit: the
    notification is one row in the same database, so it commits with the
    decision or not at all, and a rolled-back decision can never announce
    itself. Delivery beyond the in-app list (email, push) would go on commit.
    """
    notify(
        recipient=aid_request.submitted_by or aid_request.created_by,
        obj=aid_request,
        **requester_notice(aid_request, outcome),
    )


def requester_notice(aid_request: AidRequest, outcome: DecisionOutcome) -> dict:
    """What the requester is told of a decision: the `kind`, `title` and `body` to notify."""
    amount = format_nzd(aid_request.amount)
    category = aid_request.get_category_display()
    return {
        "kind": f"aid_{outcome.value}",
        "title": f"Aid request {outcome.label.lower()}: {category} {amount}",
        "body": aid_request.decision_reason,
    }


def apply_transition(
    *,
    actor: User,
    aid_request: AidRequest,
    to_status: str,
    at: datetime,
    reason: str = "",
    fields: dict | None = None,
) -> AidRequest:
    """Apply one status change to a locked request: save, history row, `transition` event.

    The building block every aid and payment service ends with; callers lock
    the row (`lock_aid_request`) and check the actor first.
    """
    from_status = aid_request.status
    workflow.check_transition(aid_request, to_status, reason=reason)
    aid_request.status = to_status
    for name, value in (fields or {}).items():
        setattr(aid_request, name, value)
    aid_request.save(update_fields=["status", *(fields or {}), "updated_at"])
    AidRequestStatusChange.objects.create(
        aid_request=aid_request,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        changed_by=actor,
        changed_at=at,
    )
    audit_record(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=aid_request,
        changes={"status": {"old": from_status, "new": to_status}, "reason": reason},
    )
    return aid_request


def lock_aid_request(actor: User, aid_request: AidRequest) -> AidRequest:
    """The request, row-locked for this transaction, if the actor may see it; 404 otherwise."""
    locked = (
        AidRequest.objects.select_for_update(of=("self",))
        .filter(aid_request_visibility(actor))
        .filter(pk=aid_request.pk)
        .select_related("programme", "case", "agency")
        .first()
    )
    if locked is None:
        raise Http404("No such aid request.")
    return locked


def _lock_for_decision(actor: User, aid_request: AidRequest) -> AidRequest:
    locked = lock_aid_request(actor, aid_request)
    if not is_deciding_officer(actor, locked):
        raise PermissionDenied(
            "Only program officers of an agency delivering the programme decide aid requests."
        )
    return locked


def is_deciding_officer(actor: User, aid_request: AidRequest) -> bool:
    """True for a program officer of the request's agency, if it delivers the programme."""
    return (
        actor.is_active
        and actor.has_perm("programs.decide_aidrequest")
        and actor.agency_id == aid_request.agency_id
        and aid_request.programme.delivering_agencies.filter(pk=actor.agency_id).exists()
    )


def _works_case(actor: User, aid_request: AidRequest) -> bool:
    return access.user_can(actor, "view_case", aid_request.case)


def check_separation_of_duties(actor: User, aid_request: AidRequest, verb: str) -> None:
    """Refuse (403 `separation_of_duties`) whoever raised the request or leads its case."""
    if actor.pk in (aid_request.created_by_id, aid_request.submitted_by_id):
        raise ApplicationError(
            f"You raised this request, so you cannot {verb} it.",
            code="separation_of_duties",
            status_code=403,
        )
    if aid_request.case.lead_caseworker_id == actor.pk:
        raise ApplicationError(
            f"You are the lead caseworker of this case, so you cannot {verb} its aid.",
            code="separation_of_duties",
            status_code=403,
        )


def _clean_client(case: Case, client: Client | None, errors: dict) -> Client | None:
    members = access.case_clients(case)
    if client is None:
        if case.client_id is not None:
            return case.client
        errors["client"] = ["Name the whānau member the aid is for."]
        return None
    if client.pk not in {m.pk for m in members}:
        errors["client"] = ["The client is not part of this case."]
    return client


def _check_programme(programme: Programme, case: Case, errors: dict) -> None:
    if programme.kind != ProgrammeKind.FINANCIAL_AID:
        errors["programme"] = ["Aid is requested under a financial-aid programme."]
    elif not programme.delivering_agencies.filter(pk=case.agency_id).exists():
        errors["programme"] = ["The case's agency does not deliver this programme."]
    elif not programme.is_active_on(timezone.localdate()):
        errors["programme"] = ["The programme is not running."]


def _apply_fields(aid_request: AidRequest, values: dict) -> None:
    """Validate a request's editable fields together and set them, or raise field errors."""
    errors: dict[str, list[str]] = {}

    def check(name, fn):
        try:
            return fn()
        except ApplicationError as exc:
            errors.update(exc.fields or {name: [exc.message]})
            return None

    if values.get("category") not in AidCategory.values:
        errors["category"] = ["Choose a category."]
    amount = check(
        "amount",
        lambda: clean_money(values.get("amount"), field="amount", maximum=aid_amount_max()),
    )
    recoverable = bool(values.get("is_recoverable"))
    instalment = values.get("repayment_instalment")
    frequency = values.get("repayment_frequency") or ""
    start_on = values.get("repayment_start_on")
    if recoverable:
        if instalment is None:
            errors["repayment_instalment"] = ["A recoverable advance needs an instalment."]
        else:
            instalment = check(
                "repayment_instalment",
                lambda: clean_money(instalment, field="repayment_instalment"),
            )
            if instalment is not None and amount is not None:
                if instalment > amount:
                    errors["repayment_instalment"] = ["The instalment cannot exceed the amount."]
                elif instalment_count(amount, instalment) > max_instalments():
                    errors["repayment_instalment"] = [
                        f"The plan would take more than {max_instalments()} instalments."
                    ]
        if frequency not in RepaymentFrequency.values:
            errors["repayment_frequency"] = ["Choose weekly, fortnightly or monthly."]
    else:
        if instalment is not None or frequency or start_on is not None:
            errors["is_recoverable"] = ["A grant has no repayment plan."]
        instalment, frequency, start_on = None, "", None
    account = (values.get("supplier_bank_account") or "").strip()
    if account and not _BANK_ACCOUNT.match(account):
        errors["supplier_bank_account"] = ["Use the form 12-3456-0123456-00."]
    for name, limit in (("supplier_name", 200), ("supplier_reference", 100)):
        if len(values.get(name) or "") > limit:
            errors[name] = [f"At most {limit} characters."]
    if errors:
        raise ApplicationError("The aid request breaks a rule.", fields=errors)
    aid_request.category = values["category"]
    aid_request.amount = amount
    aid_request.is_recoverable = recoverable
    aid_request.repayment_instalment = instalment
    aid_request.repayment_frequency = frequency
    aid_request.repayment_start_on = start_on
    aid_request.justification = (values.get("justification") or "").strip()
    aid_request.supplier_name = (values.get("supplier_name") or "").strip()
    aid_request.supplier_bank_account = account
    aid_request.supplier_reference = (values.get("supplier_reference") or "").strip()


def _str_or_none(value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, (date, datetime)) else str(value)
