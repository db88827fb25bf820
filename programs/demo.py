"""Demo programmes, budgets for this and last fiscal year, and aid requests in every state.

Made through the programmes services as the people who would have done it:
caseworkers raise and submit, officers within their delegated limits decide
and pay, so budgets, history, decisions and audit rows are the real ones.

A benchmark-sized world adds enrolments, aid requests and referrals on its
bulk cases in batches (`casework.demo.bulk_insert`): requests in every
state, the decided ones with their frozen decisions, the approved ones
committed against the fiscal year's budget and the paid ones with their
payments, recoveries and repayments. The budgets' committed and paid figures
move by exactly what those rows add, and an approval the budget cannot hold
stays in the officers' queue, as the services would leave it; the
allocations grow with the world so the queue can still be approved.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from casework.models import CaseStatus
from core.demo import BULK_OFFICERS, DemoWorld, bulk_notification
from core.models import Notification
from core.nz.fiscal import fiscal_year_bounds, fiscal_year_of
from programs import demo_employment, demo_referrals
from programs.models import (
    AidCategory,
    AidDecision,
    AidRequest,
    AidRequestStatus,
    AidRequestStatusChange,
    Budget,
    DecisionOutcome,
    Enrolment,
    Payment,
    PaymentMethod,
    ProgrammeKind,
    Recovery,
    RecoveryStatus,
    Repayment,
    RepaymentFrequency,
    RepaymentMethod,
    rounded_money,
)
from programs.money import format_nzd
from programs.selectors.aid import budgeting_support_threshold, budgeting_support_window
from programs.services import (
    aid_request_approve,
    aid_request_cancel,
    aid_request_create,
    aid_request_decline,
    aid_request_return,
    aid_request_submit,
    budget_set,
    enrolment_create,
    payment_record,
    programme_create,
    repayment_record,
)
from programs.services.aid import age_band, requester_notice
from programs.services.budgets import budget_decision_facts

MSD = "Ministry of Social Development"
PROGRAMMES = (
    ("Hardship Assistance — Tautoko Pūtea", ProgrammeKind.FINANCIAL_AID, MSD),
    ("Whānau Ora Navigation", ProgrammeKind.NETWORK_SUPPORT, "Te Puni Kōkiri"),
    ("Mahi Pathways", ProgrammeKind.EMPLOYMENT, MSD),
)
# Per-agency aid allocations (NZD) for the current and the previous fiscal year.
AID_ALLOCATIONS = {"north": (Decimal("250000.00"), Decimal("220000.00")),
                   "south": (Decimal("180000.00"), Decimal("160000.00"))}  # fmt: skip
# The end state of each demo aid request, with how many in a hundred end there.
AID_STATE_MIX = (
    (AidRequestStatus.DRAFT, 8), (AidRequestStatus.SUBMITTED, 17), (AidRequestStatus.APPROVED, 15),
    (AidRequestStatus.DECLINED, 10), (AidRequestStatus.RETURNED, 8), (AidRequestStatus.PAID, 35),
    (AidRequestStatus.CANCELLED, 7),
)  # fmt: skip
JUSTIFICATIONS = {
    AidCategory.FOOD: "No food in the house until the next benefit payment.",
    AidCategory.POWER: "Disconnection notice from the power company; whānau with tamariki.",
    AidCategory.RENT_ARREARS: "Two weeks behind on rent after a hospital stay; tenancy at risk.",
    AidCategory.ACCOMMODATION: "Bond for a new flat closer to whānau and the clubhouse.",
    AidCategory.MEDICAL: "Dental treatment needed before starting a new job.",
    AidCategory.TRANSPORT: "Bus fares to attend the work-readiness course.",
    AidCategory.TANGIHANGA: "Travel and koha for a tangihanga at the marae in Kaitāia.",
    AidCategory.FURNITURE: "Beds and a fridge for the new tenancy.",
    AidCategory.CLOTHING: "Work clothes and boots for a placement.",
    AidCategory.EDUCATION: "Course fees for a forklift licence.",
}
RECOVERABLE = {AidCategory.RENT_ARREARS, AidCategory.ACCOMMODATION, AidCategory.FURNITURE}


def seed(world: DemoWorld) -> None:
    """Programmes delivered by both agencies, budgets and aid requests on the demo cases."""
    today = timezone.localdate()
    this_year = fiscal_year_of(today)
    agencies = list(world.agencies.values())
    programmes = {}
    for name, kind, funder in PROGRAMMES:
        programmes[kind] = programme_create(
            actor=None,
            name=name,
            kind=kind,
            funder=funder,
            delivering_agencies=agencies,
            eligibility_notes="Clients of the delivering agencies in recovery after a breakdown.",
            active_from=fiscal_year_bounds(this_year - 1)[0],
        )
    aid = programmes[ProgrammeKind.FINANCIAL_AID]
    for slug, (current, previous) in AID_ALLOCATIONS.items():
        if slug not in world.agencies:
            continue
        for year, allocated in ((this_year, current), (this_year - 1, previous)):
            budget_set(
                actor=None,
                programme=aid,
                fiscal_year=year,
                allocated=allocated,
                agency=world.agencies[slug],
            )
    for kind in (ProgrammeKind.NETWORK_SUPPORT, ProgrammeKind.EMPLOYMENT):
        for year in (this_year - 1, this_year):
            budget_set(
                actor=None,
                programme=programmes[kind],
                fiscal_year=year,
                allocated=Decimal("120000.00"),
            )
    world.shared["programmes"] = programmes

    rng = world.rng
    for case in world.shared.get("cases", []):
        if case.client_id is None or case.status in (CaseStatus.REFERRED, CaseStatus.CLOSED):
            continue
        worker = case.lead_caseworker
        opened = timezone.localtime(case.opened_at).date()
        enrolment_create(actor=worker, case=case, programme=aid, started_on=opened)
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            _aid_request(rng, world, case, worker, aid, opened, today)
    # The directory and referrals build on the cases and agencies above.
    demo_referrals.seed(world)
    # Employment plans and placements on the same cases; subsidies draw on the
    # employment programme's budget made above.
    demo_employment.seed(world)
    if world.shared.get("bulk_cases"):
        seed_bulk(world, aid, this_year)
        demo_referrals.seed_bulk(world)
        demo_employment.seed_bulk(world)


# The end state of each bulk aid request, per hundred. Approvals the budget cannot hold
# stay submitted, so the queue ends up a little longer than this.
BULK_AID_STATE_MIX = (
    (AidRequestStatus.DRAFT, 10), (AidRequestStatus.SUBMITTED, 30),
    (AidRequestStatus.APPROVED, 10), (AidRequestStatus.PAID, 22),
    (AidRequestStatus.DECLINED, 15), (AidRequestStatus.RETURNED, 8),
    (AidRequestStatus.CANCELLED, 5),
)  # fmt: skip
# States reached through an approval, which commits money.
BULK_MONEY_STATES = {AidRequestStatus.APPROVED, AidRequestStatus.PAID, AidRequestStatus.CANCELLED}
BULK_BATCH = 5000
APPROVAL_NOTE = "Meets the hardship criteria."
DECLINE_REASON = "Covered by another grant."
RETURN_REASON = "Please attach the quote."
CANCEL_REASON = "Found other support."


@dataclass
class _BulkRequest:
    """One bulk aid request as drawn, and what became of it (filled in as it is decided)."""

    category: str
    amount: Decimal
    state: str
    raised: datetime
    decided: datetime
    recoverable: bool
    repaid_soon: bool
    reference: str
    request: AidRequest | None = None
    paid_at: datetime | None = None
    repaid: Decimal = Decimal("0.00")
    repaid_on: date | None = None


class _BulkBudgets:
    """The agencies' aid budgets as the bulk approvals leave them, kept in memory.

    Mirrors `programs.services.budgets`: an approval is drawn from the budget
    of the fiscal year of its approval day (the agency's own, else the
    programme-wide one) only if that much is still available; payment moves
    the amount from committed to paid. `save` moves the stored figures once,
    by what the bulk rows added.
    """

    def __init__(self, programme):
        self.budgets = {
            (budget.agency_id, budget.fiscal_year): budget
            for budget in Budget.objects.filter(programme=programme)
        }
        self.start = {key: (b.committed, b.paid) for key, b in self.budgets.items()}
        self.touched: set = set()

    def commit(self, agency_id, day: date, amount: Decimal) -> tuple[Budget, Budget] | None:
        """Commit `amount`; the budget's position before and after, or None if it cannot."""
        year = fiscal_year_of(day)
        budget = self.budgets.get((agency_id, year)) or self.budgets.get((None, year))
        if budget is None or budget.available < amount:
            return None
        before = Budget(allocated=budget.allocated, committed=budget.committed, paid=budget.paid)
        budget.committed += amount
        self.touched.add((budget.agency_id, budget.fiscal_year))
        return before, budget

    def settle(self, budget: Budget, amount: Decimal) -> None:
        """Pay an approval in full: its amount leaves the commitment and joins what is paid."""
        budget.committed -= amount
        budget.paid += amount

    def release(self, budget: Budget, amount: Decimal) -> None:
        """Give a cancelled approval's amount back."""
        budget.committed -= amount

    def save(self) -> None:
        """Add what the bulk approvals committed and paid to every budget they touched."""
        now = timezone.now()
        for key in sorted(self.touched, key=str):
            budget = self.budgets[key]
            committed, paid = self.start[key]
            Budget.objects.filter(pk=budget.pk).update(
                committed=rounded_money(F("committed") + (budget.committed - committed)),
                paid=rounded_money(F("paid") + (budget.paid - paid)),
                updated_at=now,
            )


def seed_bulk(world: DemoWorld, aid, this_year: int) -> None:
    """Enrol the bulk cases that are under way in hardship aid and raise their aid requests.

    Each client case in intake, active or on hold is enrolled and has one to
    three requests in `BULK_AID_STATE_MIX`, raised and submitted by its lead.
    Declines and returns are an agency officer's; approvals, payments and
    cancellations the bulk officers' (`<agency>-po01` …, whose delegated limit
    covers every bulk amount), each with the decision, history, payment,
    recovery and repayment rows the aid and payment services write, and the
    requester's notification of each decision (no audit events). Approvals
    commit against the budget of their fiscal year only while it holds the
    money; the budgets' committed and paid figures are then moved by exactly
    the sums of those rows. The allocations of this and last fiscal year
    grow in proportion to the world, so most approvals fit and officers can
    still approve the queue.
    """
    from casework.demo import _uuid, bulk_insert

    rng = world.rng
    today = timezone.localdate()
    scale = 1 + len(world.shared["bulk_cases"]) // 200
    for slug, allocations in AID_ALLOCATIONS.items():
        if slug not in world.agencies:
            continue
        for year, allocated in zip((this_year, this_year - 1), allocations, strict=True):
            budget_set(
                actor=None,
                programme=aid,
                fiscal_year=year,
                allocated=allocated * scale,
                agency=world.agencies[slug],
            )
    budgets = _BulkBudgets(aid)
    officers = {slug: world.staff[f"{slug}-officer"] for slug in world.agencies}
    payers = {
        slug: [world.staff[f"{slug}-po{n:02d}"] for n in range(1, BULK_OFFICERS + 1)]
        for slug in world.agencies
    }
    rows: dict[str, list] = {
        "enrolments": [], "requests": [], "changes": [], "decisions": [], "payments": [],
        "recoveries": [], "repayments": [], "notifications": [],
    }  # fmt: skip

    def flush():
        bulk_insert(Enrolment, rows["enrolments"])
        bulk_insert(AidRequest, rows["requests"])
        bulk_insert(AidRequestStatusChange, rows["changes"])
        bulk_insert(AidDecision, rows["decisions"])
        bulk_insert(Payment, rows["payments"])
        bulk_insert(Recovery, rows["recoveries"])
        bulk_insert(Repayment, rows["repayments"])
        bulk_insert(Notification, rows["notifications"])
        for batch in rows.values():
            batch.clear()

    for case in world.shared["bulk_cases"]:
        if case.status in (CaseStatus.REFERRED, CaseStatus.CLOSED):
            continue
        rows["enrolments"].append(
            Enrolment(
                id=_uuid(rng), agency=world.agencies[case.slug], case_id=case.case_id,
                programme=aid, started_on=case.opened.date(), enrolled_by_id=case.worker_id,
            )
        )  # fmt: skip
        drawn = [_bulk_draw(rng, case, today) for _ in range(rng.choice((1, 1, 1, 2, 3)))]
        # Decided in the order they were raised, so each decision's facts see the earlier ones.
        for item in sorted(drawn, key=lambda d: d.raised):
            payer = payers[case.slug][len(rows["requests"]) % BULK_OFFICERS]
            _bulk_request(
                rng, rows, world, case, aid, item, drawn, budgets, officers[case.slug], payer
            )
        if len(rows["requests"]) >= BULK_BATCH:
            flush()
    flush()
    budgets.save()


def _bulk_draw(rng, case, today: date) -> _BulkRequest:
    """Draw one bulk request's category, amount, end state and dates."""
    category = rng.choice(list(JUSTIFICATIONS))
    amount = Decimal(rng.randrange(4000, 350000, 50)) / 100
    state = _weighted(rng, BULK_AID_STATE_MIX)
    raised = _at(
        case.opened.date() + timedelta(days=rng.randint(0, (today - case.opened.date()).days))
    )
    return _BulkRequest(
        category=category,
        amount=amount,
        state=state,
        raised=raised,
        decided=min(raised + timedelta(days=rng.randint(0, 3), hours=2), timezone.now()),
        recoverable=category in RECOVERABLE and rng.random() < 0.7,
        repaid_soon=rng.random() < 0.7,
        reference=f"TK-{rng.randint(100000, 999999)}",
    )


def _bulk_request(rng, rows, world, case, aid, item, drawn, budgets, officer, payer) -> None:
    """The rows one bulk request ends with, as the aid and payment services would write them."""
    from casework.demo import _uuid

    agency = world.agencies[case.slug]
    state = item.state
    before = budget = None
    if state in BULK_MONEY_STATES:
        committed = budgets.commit(agency.pk, timezone.localdate(item.decided), item.amount)
        if committed is None:
            # No budget for that year, or not enough left: the approval is refused.
            state = AidRequestStatus.SUBMITTED
        else:
            before, budget = committed
    decider = payer if budget else officer
    is_decided = state not in (AidRequestStatus.DRAFT, AidRequestStatus.SUBMITTED)
    reason = {
        AidRequestStatus.DECLINED: DECLINE_REASON,
        AidRequestStatus.RETURNED: RETURN_REASON,
    }.get(state, APPROVAL_NOTE if budget else "")
    submitted = state != AidRequestStatus.DRAFT
    request = AidRequest(
        id=_uuid(rng),
        agency=agency,
        case_id=case.case_id,
        client_id=case.client_id,
        programme=aid,
        category=item.category,
        amount=item.amount,
        is_recoverable=item.recoverable,
        repayment_instalment=(item.amount / 10).quantize(Decimal("0.01"))
        if item.recoverable
        else None,
        repayment_frequency=RepaymentFrequency.WEEKLY if item.recoverable else "",
        repayment_start_on=timezone.localdate(item.raised) + timedelta(days=14)
        if item.recoverable
        else None,
        justification=JUSTIFICATIONS[item.category],
        supplier_name="Kaitāia Power Ltd" if item.category == AidCategory.POWER else "",
        status=state,
        created_by_id=case.worker_id,
        submitted_by_id=case.worker_id if submitted else None,
        submitted_at=item.raised if submitted else None,
        decided_by_id=decider.pk if is_decided else None,
        decided_at=item.decided if is_decided else None,
        decision_reason=reason,
        budget_id=budget.pk if budget else None,
    )
    item.request = request
    rows["requests"].append(request)
    history = [(AidRequestStatus.DRAFT, item.raised, case.worker_id, "")]
    if submitted:
        history.append((AidRequestStatus.SUBMITTED, item.raised, case.worker_id, ""))
    if is_decided:
        outcome = AidRequestStatus.APPROVED if budget else state
        history.append((outcome, item.decided, decider.pk, reason))
        facts = _bulk_facts(case, aid, item, drawn)
        if budget:
            facts["budget"] = budget_decision_facts(before, budget)
        rows["decisions"].append(
            AidDecision(
                id=_uuid(rng),
                aid_request_id=request.pk,
                outcome=DecisionOutcome(outcome),
                decided_by_id=decider.pk,
                decided_at=item.decided,
                reason=reason,
                facts=facts,
                budget_id=budget.pk if budget else None,
            )
        )
        notice = requester_notice(request, DecisionOutcome(outcome))
        rows["notifications"].append(
            bulk_notification(request, case.worker_id, item.decided, **notice)
        )
    if state == AidRequestStatus.CANCELLED:
        budgets.release(budget, item.amount)
        history.append((state, item.decided, payer.pk, CANCEL_REASON))
    elif state == AidRequestStatus.PAID:
        budgets.settle(budget, item.amount)
        _bulk_payment(rng, rows, world, case, item, payer, history)
    previous = ""
    for to_status, at, actor_id, why in history:
        rows["changes"].append(
            AidRequestStatusChange(
                aid_request_id=request.pk, from_status=previous, to_status=to_status,
                reason=why, changed_by_id=actor_id, changed_at=at,
            )
        )  # fmt: skip
        previous = to_status


def _bulk_payment(rng, rows, world, case, item, payer, history) -> None:
    """Pay a bulk approval in full, opening the recovery of an advance and its first repayment."""
    from casework.demo import _uuid

    agency = world.agencies[case.slug]
    request = item.request
    item.paid_at = min(item.decided + timedelta(days=1), timezone.now())
    paid_on = timezone.localdate(item.paid_at)
    method = PaymentMethod.DIRECT_CREDIT
    if request.supplier_name:
        method = PaymentMethod.SUPPLIER_INVOICE
    rows["payments"].append(
        Payment(
            id=_uuid(rng), agency=agency, aid_request=request, amount=item.amount,
            method=method, reference=item.reference, paid_on=paid_on, recorded_by=payer,
        )
    )  # fmt: skip
    history.append(
        (
            AidRequestStatus.PAID,
            item.paid_at,
            payer.pk,
            f"Paid {format_nzd(item.amount)} by {PaymentMethod(method).label.lower()}.",
        )
    )
    if not item.recoverable:
        return
    recovery = Recovery(
        id=_uuid(rng),
        agency=agency,
        aid_request=request,
        client_id=case.client_id,
        principal=item.amount,
        instalment=min(request.repayment_instalment, item.amount),
        frequency=request.repayment_frequency,
        first_due_on=request.repayment_start_on,
        status=RecoveryStatus.ACTIVE,
    )
    rows["recoveries"].append(recovery)
    if item.repaid_soon:
        item.repaid = recovery.instalment
        item.repaid_on = min(paid_on + timedelta(days=14), timezone.localdate())
        recovery.repaid = item.repaid
        rows["repayments"].append(
            Repayment(
                id=_uuid(rng), agency=agency, recovery=recovery, amount=item.repaid,
                received_on=item.repaid_on, method=RepaymentMethod.DEDUCTION,
                recorded_by=payer,
            )
        )  # fmt: skip


def _bulk_facts(case, aid, item, drawn) -> dict:
    """The facts a decision on `item` rests on, shaped as `programs.services.aid.decision_facts`.

    Read from the client's other bulk requests instead of the database: those
    submitted in the 12 months before the decision, and the payments and
    advances of the ones decided before it.
    """
    at = item.decided
    request = item.request
    window_start = at - budgeting_support_window()
    others = [other for other in drawn if other is not item]
    prior = sum(
        1
        for other in others
        if other.state != AidRequestStatus.DRAFT and window_start < other.raised <= at
    )
    paid = sum(
        (
            other.amount
            for other in others
            if other.paid_at is not None
            and other.paid_at <= at
            and timezone.localdate(other.paid_at) > timezone.localdate(window_start)
        ),
        Decimal("0.00"),
    )
    owing = sum(
        (
            other.amount
            - (other.repaid if other.repaid_on and other.repaid_on <= timezone.localdate(at) else 0)
            for other in others
            if other.recoverable and other.paid_at is not None and other.paid_at <= at
        ),
        Decimal("0.00"),
    )
    return {
        "recorded_at": at.isoformat(),
        "request": {
            "id": str(request.pk),
            "programme": str(aid.pk),
            "programme_name": aid.name,
            "category": request.category,
            "amount": str(request.amount),
            "is_recoverable": request.is_recoverable,
            "repayment_instalment": _str_or_none(request.repayment_instalment),
            "repayment_frequency": request.repayment_frequency,
            "repayment_start_on": _str_or_none(request.repayment_start_on),
            "justification": request.justification,
            "supplier_name": request.supplier_name,
            "supplier_bank_account": "",
            "supplier_reference": "",
            "created_by": str(case.worker_id),
            "submitted_by": str(case.worker_id),
            "submitted_at": item.raised.isoformat(),
        },
        "client": {
            "id": str(case.client_id),
            "region": case.region,
            "age_band": age_band(case.date_of_birth, timezone.localdate(at)),
            "gender": case.gender,
            "interpreter_required": False,
            "case_for": "client",
            "whanau_size": None,
        },
        "aid_history": {
            "other_requests_12_months": prior,
            "budgeting_support_flag": prior + 1 >= budgeting_support_threshold(),
            "paid_12_months": str(paid),
            "owing_on_advances": str(owing),
        },
    }


def _str_or_none(value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def _aid_request(rng, world: DemoWorld, case, worker, programme, opened: date, today: date) -> None:
    category = rng.choice(list(JUSTIFICATIONS))
    amount = Decimal(rng.randrange(4000, 350000, 50)) / 100
    recoverable = category in RECOVERABLE and rng.random() < 0.7
    raised_on = opened + timedelta(days=rng.randint(0, max((today - opened).days, 0)))
    request = aid_request_create(
        actor=worker,
        case=case,
        programme=programme,
        category=category,
        amount=amount,
        is_recoverable=recoverable,
        repayment_instalment=(amount / 10).quantize(Decimal("0.01")) if recoverable else None,
        repayment_frequency=RepaymentFrequency.WEEKLY if recoverable else "",
        repayment_start_on=raised_on + timedelta(days=14) if recoverable else None,
        justification=JUSTIFICATIONS[category],
        supplier_name="Kaitāia Power Ltd" if category == AidCategory.POWER else "",
    )
    state = _weighted(rng, AID_STATE_MIX)
    if state == AidRequestStatus.DRAFT:
        return
    at = _at(raised_on)
    aid_request_submit(actor=worker, aid_request=request, at=at)
    slug = case.agency.slug
    officer = world.staff[
        f"{slug}-officer" if amount <= Decimal("2000") else f"{slug}-senior-officer"
    ]
    decided = min(at + timedelta(days=rng.randint(0, 3), hours=2), timezone.now())
    if state == AidRequestStatus.SUBMITTED:
        return
    if state == AidRequestStatus.DECLINED:
        aid_request_decline(
            actor=officer, aid_request=request, reason="Covered by another grant.", at=decided
        )
        return
    if state == AidRequestStatus.RETURNED:
        aid_request_return(
            actor=officer, aid_request=request, reason="Please attach the quote.", at=decided
        )
        return
    aid_request_approve(
        actor=officer, aid_request=request, note="Meets the hardship criteria.", at=decided
    )
    if state == AidRequestStatus.CANCELLED:
        aid_request_cancel(
            actor=officer, aid_request=request, reason="Found other support.", at=decided
        )
    elif state == AidRequestStatus.PAID:
        payment = payment_record(
            actor=officer,
            aid_request=request,
            amount=amount,
            method=PaymentMethod.SUPPLIER_INVOICE
            if request.supplier_name
            else PaymentMethod.DIRECT_CREDIT,
            reference=f"TK-{rng.randint(100000, 999999)}",
            paid_on=timezone.localtime(decided).date(),
            at=decided,
        )
        recovery = Recovery.objects.filter(aid_request_id=payment.aid_request_id).first()
        if recovery is not None and rng.random() < 0.7:
            repayment_record(
                actor=officer,
                recovery=recovery,
                amount=recovery.instalment,
                method=RepaymentMethod.DEDUCTION,
                received_on=min(
                    timezone.localtime(decided).date() + timedelta(days=14), timezone.localdate()
                ),
            )


def _weighted(rng, options):
    return rng.choices([v for v, _ in options], weights=[w for _, w in options], k=1)[0]


def _at(day: date) -> datetime:
    """Eleven in the morning on `day`, or now if that is still to come."""
    return min(timezone.make_aware(datetime.combine(day, time(11, 0))), timezone.now())
