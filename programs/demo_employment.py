"""Demo employment support: employers, plans, activities and placements in every state.

Made through the employment services as the caseworkers who lead the cases,
so history, budgets and audit rows are the real ones. Each agency gets
placements offered, withdrawn, started (check-ins not yet due, due soon,
overdue, recorded) and ended early or after sustained work; some are
wage-subsidised against the employment programme's budget.

A benchmark-sized world adds plans, activities and placements on a share
of its bulk cases in batches (`seed_bulk`).
"""

from datetime import date, timedelta
from decimal import Decimal
from random import Random

from django.utils import timezone

from casework.models import CaseStatus
from core.demo import DemoWorld
from core.errors import ApplicationError
from programs.employment_schedule import check_in_due_dates, minimum_wage_on
from programs.models import (
    EmploymentActivity,
    EmploymentActivityKind,
    EmploymentBarrier,
    EmploymentPlan,
    Placement,
    PlacementCheckIn,
    PlacementStatus,
    PlacementStatusChange,
    ProgrammeKind,
)
from programs.services import employment as services

# (name, industry, NZBN body without its check digit or "") per agency.
EMPLOYERS = {
    "north": (
        ("Kai Ora Café — Kaitāia", "Hospitality", "942904153501"),
        ("Ngāti Kahu Forestry", "Forestry", "942904177302"),
        ("Whangārei Packhouse", "Horticulture", "942904188810"),
        ("Te Tai Tokerau Builders", "Construction", ""),
        ("Pak'nSave Whangārei", "Retail", "942900010617"),
    ),
    "south": (
        ("Ōtautahi Kai Collective", "Hospitality", "942904166620"),
        ("Waitaha Civil", "Construction", "942904199915"),
        ("Rāpaki Aged Care", "Health care", ""),
        ("Canterbury Freight Ltd", "Transport and logistics", "942903300412"),
        ("Tūhaitara Nursery", "Horticulture", "942904123456"),
    ),
}
ROLES = (
    "Kitchen hand", "Café assistant", "Packhouse worker", "Labourer", "Retail assistant",
    "Care assistant", "Forklift driver", "Nursery hand", "Cleaner", "Kaiāwhina",
)  # fmt: skip
GOALS = (
    "Steady part-time work close to home so the tamariki can be collected from kura.",
    "Back into full-time work in construction after recovery.",
    "A first job after the clubhouse's work-ordered day: hospitality or retail.",
    "Work outdoors — horticulture or forestry — with whānau nearby.",
    "Return to care work, building up hours over three months.",
)
PROVIDERS = (
    ("NorthTec — Te Pūkenga", "NZ Certificate in Hospitality (Café Services)", 3),
    ("Te Wānanga o Aotearoa", "NZ Certificate in Te Reo Māori", 2),
    ("Ara Institute of Canterbury", "Forklift operator (OSH) certificate", None),
    ("Site Safe NZ", "Site Safe Foundation Passport", 2),
)
# (scenario, start days ago (negative = ahead), status, weeks recorded, subsidised, end days ago)
SCENARIOS = (
    ("offered", -7, PlacementStatus.OFFERED, (), False, None),
    ("withdrawn", 5, PlacementStatus.WITHDRAWN, (), False, None),
    ("just_started", 10, PlacementStatus.STARTED, (), False, None),
    ("check_in_due_soon", 24, PlacementStatus.STARTED, (), True, None),
    ("check_in_overdue", 40, PlacementStatus.STARTED, (), True, None),
    ("sustained_13", 100, PlacementStatus.STARTED, (4, 13), False, None),
    ("sustained_26", 190, PlacementStatus.STARTED, (4, 13, 26), True, None),
    ("ended_early", 60, PlacementStatus.ENDED, (4,), True, 30),
    ("ended_not_sustained", 120, PlacementStatus.ENDED, (4, 13), False, 50),
)


def seed(world: DemoWorld) -> None:
    """Employers for each agency, then plans, activities and placements on the demo cases."""
    today = timezone.localdate()
    rng = world.rng
    employers = {slug: _employers(world, slug) for slug in world.agencies if slug in EMPLOYERS}
    world.shared["employers"] = employers
    programme = (world.shared.get("programmes") or {}).get(ProgrammeKind.EMPLOYMENT)
    cases = [
        case
        for case in world.shared.get("cases", [])
        if case.client_id is not None
        and case.status not in (CaseStatus.REFERRED, CaseStatus.CLOSED)
        and case.agency.slug in employers
    ]
    made: dict[str, list] = {"plans": [], "activities": [], "placements": []}
    per_agency: dict[str, int] = {}
    for case in cases:
        slug = case.agency.slug
        index = per_agency.get(slug, 0)
        per_agency[slug] = index + 1
        # Every scenario first (so each agency shows them all), then a random mix.
        if index < len(SCENARIOS):
            scenario = SCENARIOS[index]
        elif rng.random() < 0.5:
            scenario = rng.choice(SCENARIOS)
        else:
            scenario = None
        worker = case.lead_caseworker
        plan = services.employment_plan_create(
            actor=worker,
            case=case,
            work_goals=rng.choice(GOALS),
            barriers=rng.sample(EmploymentBarrier.values, rng.randint(1, 3)),
            barrier_notes="Talked through at the first hui with whānau present.",
            support_agreed="Weekly coaching; bus card; help with CV and interview clothes.",
            next_review_on=today + timedelta(days=rng.randint(7, 60)),
        )
        made["plans"].append(plan)
        for _ in range(rng.randint(1, 4)):
            made["activities"].append(_activity(rng, worker, case, plan, today))
        if scenario is not None:
            placement = _placement(
                rng, worker, case, plan, rng.choice(employers[slug]), programme, scenario, today
            )
            if placement is not None:
                made["placements"].append(placement)
    world.shared["employment"] = made


# Of the bulk client cases under way, how many in a hundred have an employment plan.
BULK_PLAN_CASES = 20
# Of those plans, how many in a hundred have a placement (offered, withdrawn or started).
BULK_PLACEMENTS = 40
BULK_OUTCOMES = (PlacementStatus.OFFERED, PlacementStatus.WITHDRAWN, PlacementStatus.STARTED)
BULK_WITHDRAW_REASON = "The client took up another offer."
BULK_BATCH = 5000
ACTIVITY_OUTCOMES = (
    "Went well; confident about the next step.",
    "CV updated and sent to two employers.",
    "Practised interview answers — kōrero about the gap in work history.",
    "Did not attend; rebooked for next week.",
)


def seed_bulk(world: DemoWorld) -> None:
    """Employment plans on `BULK_PLAN_CASES` in a hundred of the bulk client cases under way.

    Each plan, made by the case's lead, has one to four activities in the
    last four months (never before the case opened), and `BULK_PLACEMENTS`
    in a hundred of the plans a placement with one of the agency's
    employers, in turn offered (starting within a fortnight), withdrawn, or
    started in the last three weeks with its 4-, 13- and 26-week check-ins
    scheduled, none yet due. As the employment services would write them,
    with each placement's history; unsubsidised, so no budget moves. Drawn
    from a random source of their own, so the rest of the world is the same
    with or without them.
    """
    from casework.demo import _at, _uuid, bulk_insert

    employers = world.shared.get("employers") or {}
    # Derived from the world's random state without drawing from it.
    rng = Random(hash(world.rng.getstate()))
    today = timezone.localdate()
    rows: dict[str, list] = {
        "plans": [], "activities": [], "placements": [], "changes": [], "check_ins": [],
    }  # fmt: skip

    def flush():
        bulk_insert(EmploymentPlan, rows["plans"])
        bulk_insert(EmploymentActivity, rows["activities"])
        bulk_insert(Placement, rows["placements"])
        bulk_insert(PlacementStatusChange, rows["changes"])
        bulk_insert(PlacementCheckIn, rows["check_ins"])
        for batch in rows.values():
            batch.clear()

    placements = 0
    for case in world.shared.get("bulk_cases", []):
        if case.status in (CaseStatus.REFERRED, CaseStatus.CLOSED) or not employers.get(case.slug):
            continue
        if rng.randrange(100) >= BULK_PLAN_CASES:
            continue
        agency = world.agencies[case.slug]
        opened = case.opened.date()
        made = _at(max(opened, today - timedelta(days=rng.randint(0, 120))))
        plan = EmploymentPlan(
            id=_uuid(rng), agency=agency, case_id=case.case_id, client_id=case.client_id,
            work_goals=rng.choice(GOALS),
            barriers=rng.sample(EmploymentBarrier.values, rng.randint(1, 3)),
            support_agreed="Weekly coaching; bus card; help with CV and interview clothes.",
            next_review_on=today + timedelta(days=rng.randint(7, 60)),
            created_by_id=case.worker_id, created_at=made,
        )  # fmt: skip
        rows["plans"].append(plan)
        for _ in range(rng.randint(1, 4)):
            rows["activities"].append(_bulk_activity(rng, case, plan, made.date(), today))
        if rng.randrange(100) < BULK_PLACEMENTS:
            # The outcomes in turn, so even a small world holds each of them.
            status = BULK_OUTCOMES[placements % len(BULK_OUTCOMES)]
            employer = rng.choice(employers[case.slug])
            placements += _bulk_placement(rng, rows, case, plan, employer, status, today)
        if len(rows["plans"]) >= BULK_BATCH:
            flush()
    flush()


def _bulk_activity(rng, case, plan, made: date, today: date) -> EmploymentActivity:
    """One activity on a bulk plan, on or after the day the plan was made."""
    from casework.demo import _at, _uuid

    kind = rng.choice(EmploymentActivityKind.values)
    training = {}
    if kind == EmploymentActivityKind.TRAINING:
        provider, qualification, level = rng.choice(PROVIDERS)
        training = {
            "provider": provider, "qualification": qualification, "nzqa_level": level,
            "completed": rng.random() < 0.6,
        }  # fmt: skip
    occurred = made + timedelta(days=rng.randint(0, max((today - made).days, 0)))
    return EmploymentActivity(
        id=_uuid(rng), agency_id=plan.agency_id, case_id=case.case_id, client_id=case.client_id,
        plan_id=plan.pk, kind=kind, occurred_on=occurred,
        hours=Decimal({"training": 16, "work_experience": 20, "job_search": 3}.get(kind, 1)),
        outcome=rng.choice(ACTIVITY_OUTCOMES), created_by_id=case.worker_id,
        created_at=_at(occurred), **training,
    )  # fmt: skip


def _bulk_placement(rng, rows, case, plan, employer, status, today: date) -> bool:
    """A placement on a bulk plan in `status`, its history and (once started) its check-ins.

    False, and nothing made, when no minimum wage is known for its start.
    """
    from casework.demo import _at, _uuid

    if status == PlacementStatus.OFFERED:
        start_on = today + timedelta(days=rng.randint(1, 14))
    else:
        start_on = today - timedelta(days=rng.randint(0, 20))
    offered = _at(min(start_on, today) - timedelta(days=rng.randint(1, 10)))
    in_force = minimum_wage_on(start_on)
    if in_force is None:
        return False
    placement = Placement(
        id=_uuid(rng), agency_id=plan.agency_id, case_id=case.case_id,
        client_id=case.client_id, plan_id=plan.pk, employer=employer, role=rng.choice(ROLES),
        start_on=start_on, hours_per_week=Decimal(rng.choice(("20", "25", "30", "37.5", "40"))),
        hourly_wage=in_force[1] + Decimal(rng.randint(0, 12)) / 2, minimum_wage=in_force[1],
        status=status, created_by_id=case.worker_id, created_at=offered,
    )  # fmt: skip
    rows["placements"].append(placement)
    history = [("", PlacementStatus.OFFERED, "Job offered.", offered)]
    if status == PlacementStatus.WITHDRAWN:
        history.append((PlacementStatus.OFFERED, status, BULK_WITHDRAW_REASON, _at(start_on)))
    elif status == PlacementStatus.STARTED:
        placement.started_on = start_on
        history.append((PlacementStatus.OFFERED, status, "", _at(start_on)))
        for weeks, due_on in check_in_due_dates(start_on).items():
            rows["check_ins"].append(
                PlacementCheckIn(id=_uuid(rng), placement=placement, weeks=weeks, due_on=due_on)
            )
    for from_status, to_status, reason, at in history:
        rows["changes"].append(
            PlacementStatusChange(
                placement=placement, from_status=from_status, to_status=to_status,
                reason=reason, changed_by_id=case.worker_id, changed_at=at,
            )
        )  # fmt: skip
    return True


def _employers(world: DemoWorld, slug: str) -> list:
    agency = world.agencies[slug]
    lead = world.staff.get(f"{slug}-caseworker")
    made = []
    for name, industry, nzbn_body in EMPLOYERS[slug]:
        made.append(
            services.employer_create(
                actor=lead,
                name=name,
                region=agency.region,
                nzbn=_with_check_digit(nzbn_body) if nzbn_body else "",
                industry=industry,
                contact_name="Hēmi Walker" if slug == "north" else "Mereana Tāwhai",
                contact_phone="09 555 0142" if slug == "north" else "03 555 0177",
                contact_email=f"mahi@{slug}-employer.example.nz",
            )
        )
    return made


def _with_check_digit(body: str) -> str:
    digits = [int(d) for d in body]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return body + str((10 - total % 10) % 10)


def _activity(rng, worker, case, plan, today: date):
    kind = rng.choice(EmploymentActivityKind.values)
    fields: dict = {}
    if kind == EmploymentActivityKind.TRAINING:
        provider, qualification, level = rng.choice(PROVIDERS)
        fields = {
            "provider": provider,
            "qualification": qualification,
            "nzqa_level": level,
            "completed": rng.random() < 0.6,
        }
    hours = {"training": 16, "work_experience": 20, "job_search": 3}.get(kind, 1)
    return services.employment_activity_create(
        actor=worker,
        case=case,
        plan=plan,
        kind=kind,
        occurred_on=today - timedelta(days=rng.randint(0, 120)),
        hours=Decimal(hours) + Decimal(rng.choice((0, 0.5))),
        outcome=rng.choice(
            (
                "Went well; confident about the next step.",
                "CV updated and sent to two employers.",
                "Practised interview answers — kōrero about the gap in work history.",
                "Did not attend; rebooked for next week.",
            )
        ),
        **fields,
    )


def _placement(rng, worker, case, plan, employer, programme, scenario, today: date):
    _name, days_ago, status, recorded, subsidised, ended_days_ago = scenario
    start_on = today - timedelta(days=days_ago)
    in_force = minimum_wage_on(start_on)
    if in_force is None:
        return None
    wage = in_force[1] + Decimal(rng.randint(0, 12)) / 2
    subsidy = {}
    if subsidised and programme is not None:
        subsidy = {
            "is_subsidised": True,
            "subsidy_weekly_amount": Decimal(rng.choice((200, 250, 300))),
            "subsidy_weeks": rng.choice((13, 26)),
            "programme": programme,
        }
    fields = {
        "actor": worker,
        "case": case,
        "plan": plan,
        "employer": employer,
        "role": rng.choice(ROLES),
        "start_on": start_on,
        "hours_per_week": Decimal(rng.choice(("20", "25", "30", "37.5", "40"))),
        "hourly_wage": wage,
    }
    try:
        placement = services.placement_create(**fields, **subsidy)
    except ApplicationError as refused:
        # A large demo world spends the subsidy budget: the rest are unsubsidised.
        if refused.code != "over_budget":
            raise
        placement = services.placement_create(**fields)
    if status == PlacementStatus.OFFERED:
        return placement
    if status == PlacementStatus.WITHDRAWN:
        return services.placement_withdraw(
            actor=worker, placement=placement, reason="The client took up another offer."
        )
    placement = services.placement_start(actor=worker, placement=placement)
    for weeks in recorded:
        due = start_on + timedelta(weeks=weeks)
        ended = ended_days_ago is not None and due > today - timedelta(days=ended_days_ago)
        services.placement_check_in_record(
            actor=worker,
            placement=placement,
            weeks=weeks,
            still_employed=not ended,
            hours_per_week=None if ended else placement.hours_per_week,
            notes="Phoned the client; employer happy with their mahi." if not ended else "",
            recorded_on=min(due + timedelta(days=rng.randint(0, 4)), today),
        )
    if status == PlacementStatus.ENDED:
        placement = services.placement_end(
            actor=worker,
            placement=placement,
            end_reason=rng.choice(("resigned", "dismissed", "health", "better_job")),
            on=today - timedelta(days=ended_days_ago),
            notes="Recorded after a call with the employer.",
        )
    return placement
