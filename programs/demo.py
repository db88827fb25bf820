"""Demo programmes, budgets for this and last fiscal year, and aid requests in every state.

Made through the programmes services as the people who would have done it:
caseworkers raise and submit, officers within their delegated limits decide
and pay, so budgets, history, decisions and audit rows are the real ones.

A benchmark-sized world adds enrolments and aid requests on its bulk cases
with `bulk_create`: drafts, submitted requests (the officers' queue), declined
and returned ones. No bulk request commits money, so budgets stay true to
the decisions the services made; the allocations grow with the world so the
queue can be approved.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from casework.models import CaseStatus
from core.demo import DemoWorld
from core.nz.fiscal import fiscal_year_bounds, fiscal_year_of
from programs import demo_employment, demo_referrals
from programs.models import (
    AidCategory,
    AidRequest,
    AidRequestStatus,
    AidRequestStatusChange,
    Enrolment,
    PaymentMethod,
    ProgrammeKind,
    Recovery,
    RepaymentFrequency,
    RepaymentMethod,
)
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


# The end state of each bulk aid request (no money moves in bulk), per hundred.
BULK_AID_STATE_MIX = (
    (AidRequestStatus.DRAFT, 15), (AidRequestStatus.SUBMITTED, 45),
    (AidRequestStatus.DECLINED, 25), (AidRequestStatus.RETURNED, 15),
)  # fmt: skip
BULK_BATCH = 5000


def seed_bulk(world: DemoWorld, aid, this_year: int) -> None:
    """Enrol the bulk cases that are under way in hardship aid and raise their aid requests.

    Each case in intake, active or on hold is enrolled and has one to three
    requests in `BULK_AID_STATE_MIX`, raised by its lead; decided ones name
    an agency officer. The agencies' allocations for this year grow in
    proportion to the world, so officers can approve the queue.
    """
    from casework.demo import _uuid

    rng = world.rng
    today = timezone.localdate()
    scale = 1 + len(world.shared["bulk_cases"]) // 200
    for slug, (current, _previous) in AID_ALLOCATIONS.items():
        budget_set(
            actor=None,
            programme=aid,
            fiscal_year=this_year,
            allocated=current * scale,
            agency=world.agencies[slug],
        )
    officers = {slug: world.staff[f"{slug}-officer"] for slug in world.agencies}
    enrolments, requests, changes = [], [], []

    def flush():
        Enrolment.objects.bulk_create(enrolments, batch_size=BULK_BATCH)
        AidRequest.objects.bulk_create(requests, batch_size=BULK_BATCH)
        AidRequestStatusChange.objects.bulk_create(changes, batch_size=BULK_BATCH)
        for rows in (enrolments, requests, changes):
            rows.clear()

    for case_id, client_id, slug, status, worker_id, opened in world.shared["bulk_cases"]:
        if status in (CaseStatus.REFERRED, CaseStatus.CLOSED):
            continue
        agency = world.agencies[slug]
        enrolments.append(
            Enrolment(
                id=_uuid(rng), agency=agency, case_id=case_id, programme=aid,
                started_on=opened.date(), enrolled_by_id=worker_id,
            )
        )  # fmt: skip
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            category = rng.choice(list(JUSTIFICATIONS))
            amount = Decimal(rng.randrange(4000, 350000, 50)) / 100
            state = _weighted(rng, BULK_AID_STATE_MIX)
            raised = _at(
                opened.date() + timedelta(days=rng.randint(0, (today - opened.date()).days))
            )
            submitted = state != AidRequestStatus.DRAFT
            decided = state in (AidRequestStatus.DECLINED, AidRequestStatus.RETURNED)
            request = AidRequest(
                id=_uuid(rng),
                agency=agency,
                case_id=case_id,
                client_id=client_id,
                programme=aid,
                category=category,
                amount=amount,
                justification=JUSTIFICATIONS[category],
                status=state,
                created_by_id=worker_id,
                submitted_by_id=worker_id if submitted else None,
                submitted_at=raised if submitted else None,
                decided_by=officers[slug] if decided else None,
                decided_at=raised if decided else None,
                decision_reason="Covered by another grant." if decided else "",
            )
            requests.append(request)
            if submitted:
                changes.append(
                    AidRequestStatusChange(
                        aid_request=request, from_status=AidRequestStatus.DRAFT,
                        to_status=AidRequestStatus.SUBMITTED, changed_by_id=worker_id,
                        changed_at=raised,
                    )
                )  # fmt: skip
            if decided:
                changes.append(
                    AidRequestStatusChange(
                        aid_request=request, from_status=AidRequestStatus.SUBMITTED,
                        to_status=state, reason="Covered by another grant.",
                        changed_by=officers[slug], changed_at=raised,
                    )
                )  # fmt: skip
        if len(requests) >= BULK_BATCH:
            flush()
    flush()


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
