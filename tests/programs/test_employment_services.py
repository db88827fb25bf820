"""Employment services: plans, activities, placements with wages and subsidies, and check-ins."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from casework.workflow import TransitionRefused
from core.errors import ApplicationError, ConflictError
from core.models import AuditEvent
from programs.models import (
    Budget,
    EmploymentPlanStatus,
    PlacementCheckIn,
    PlacementStatus,
    PlacementStatusChange,
)
from programs.services import employment as services
from tests.programs.factories import EmployerFactory, employment_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def cw(staff):
    return staff["north-caseworker"]


@pytest.fixture
def case(cw, led_case):
    return led_case(cw)


@pytest.fixture
def employer(north):
    return EmployerFactory(agency=north)


@pytest.fixture
def mahi(north, south):
    """An employment programme both agencies deliver, NZD 10,000 for this fiscal year."""
    return employment_programme(north, south, allocated=Decimal("10000.00"))


def today():
    return timezone.localdate()


def offer(cw, case, employer, **fields):
    fields.setdefault("role", "Kitchen hand")
    fields.setdefault("start_on", today() - timedelta(days=3))
    fields.setdefault("hours_per_week", Decimal("30"))
    fields.setdefault("hourly_wage", Decimal("25.00"))
    return services.placement_create(actor=cw, case=case, employer=employer, **fields)


def subsidised(cw, case, employer, mahi, weekly="300.00", weeks=20, **fields):
    return offer(
        cw,
        case,
        employer,
        is_subsidised=True,
        subsidy_weekly_amount=Decimal(weekly),
        subsidy_weeks=weeks,
        programme=mahi,
        **fields,
    )


def budget_of(programme) -> Budget:
    return Budget.objects.get(programme=programme)


# ---- plans and activities -------------------------------------------------------------------


def test_plan_records_goals_barriers_and_review_and_is_audited(cw, case):
    plan = services.employment_plan_create(
        actor=cw,
        case=case,
        work_goals="Part-time work in a café near the whānau's home in Kaitāia.",
        barriers=["transport", "licence", "confidence"],
        support_agreed="Driving lessons; bus card until licence.",
        next_review_on=today() + timedelta(days=28),
    )
    assert plan.client_id == case.client_id
    assert plan.barriers == ["transport", "licence", "confidence"]
    assert AuditEvent.objects.filter(object_id=str(plan.pk), action="create").exists()


def test_plan_refuses_unknown_barriers_and_past_reviews(cw, case):
    with pytest.raises(ApplicationError) as refused:
        services.employment_plan_create(
            actor=cw,
            case=case,
            work_goals="",
            barriers=["bad_luck"],
            next_review_on=today() - timedelta(days=1),
        )
    assert set(refused.value.fields) == {"work_goals", "barriers", "next_review_on"}


def test_one_active_plan_per_client_of_a_case(cw, case):
    kwargs = dict(actor=cw, case=case, work_goals="Work", next_review_on=today())
    plan = services.employment_plan_create(**kwargs)
    with pytest.raises(ConflictError):
        services.employment_plan_create(**kwargs)
    services.employment_plan_close(actor=cw, plan=plan)
    assert services.employment_plan_create(**kwargs).status == EmploymentPlanStatus.ACTIVE


def test_plan_review_sets_dates_and_refuses_a_next_review_before_it(cw, case):
    plan = services.employment_plan_create(
        actor=cw, case=case, work_goals="Work", next_review_on=today()
    )
    plan = services.employment_plan_review(
        actor=cw, plan=plan, next_review_on=today() + timedelta(days=56)
    )
    assert plan.last_reviewed_on == today()
    with pytest.raises(ApplicationError):
        services.employment_plan_review(actor=cw, plan=plan, next_review_on=today())


def test_plans_are_404_for_another_agency_and_403_for_other_roles(cw, case, staff):
    with pytest.raises(Http404):
        services.employment_plan_create(
            actor=staff["south-caseworker"], case=case, work_goals="x", next_review_on=today()
        )
    with pytest.raises(Http404):
        services.employment_plan_create(
            actor=staff["north-caseworker2"], case=case, work_goals="x", next_review_on=today()
        )
    with pytest.raises(PermissionDenied):
        services.employment_plan_create(
            actor=staff["north-officer"], case=case, work_goals="x", next_review_on=today()
        )


def test_training_activity_records_provider_qualification_and_level(cw, case):
    activity = services.employment_activity_create(
        actor=cw,
        case=case,
        kind="training",
        occurred_on=today(),
        hours=Decimal("16"),
        provider="NorthTec — Te Pūkenga",
        qualification="NZ Certificate in Food and Beverage Service",
        nzqa_level=2,
        completed=True,
        outcome="Passed; certificate issued.",
    )
    assert activity.nzqa_level == 2
    assert activity.completed is True


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"kind": "coaching", "hours": Decimal("0")}, "hours"),
        ({"kind": "coaching", "hours": Decimal("169")}, "hours"),
        ({"kind": "coaching", "hours": 1.5}, "hours"),
        ({"kind": "coaching", "hours": Decimal("1"), "nzqa_level": 3}, "nzqa_level"),
        (
            {"kind": "training", "hours": Decimal("1"), "provider": "X", "nzqa_level": 11},
            "nzqa_level",
        ),
        ({"kind": "training", "hours": Decimal("1")}, "provider"),
        ({"kind": "juggling", "hours": Decimal("1")}, "kind"),
        (
            {"kind": "cv", "hours": Decimal("1"), "occurred_on": date.today() + timedelta(days=2)},
            "occurred_on",
        ),
    ],
)
def test_activity_refuses_bad_input(cw, case, fields, bad):
    fields.setdefault("occurred_on", today())
    with pytest.raises(ApplicationError) as refused:
        services.employment_activity_create(actor=cw, case=case, **fields)
    assert bad in refused.value.fields


def test_activity_refuses_another_case_plan(cw, case, led_case):
    other_plan = services.employment_plan_create(
        actor=cw, case=led_case(cw), work_goals="x", next_review_on=today()
    )
    with pytest.raises(ApplicationError) as refused:
        services.employment_activity_create(
            actor=cw, case=case, plan=other_plan, kind="cv", occurred_on=today(), hours=1
        )
    assert "plan" in refused.value.fields


# ---- wages ----------------------------------------------------------------------------------


def test_wage_at_the_minimum_in_force_on_the_start_date_is_accepted(cw, case, employer):
    placement = offer(cw, case, employer, start_on=date(2025, 6, 2), hourly_wage=Decimal("23.50"))
    assert placement.minimum_wage == Decimal("23.50")
    assert placement.status == PlacementStatus.OFFERED


@pytest.mark.parametrize(
    ("start_on", "wage"),
    [
        (date(2025, 3, 31), Decimal("23.14")),
        (date(2025, 4, 1), Decimal("23.49")),
        (date(2026, 4, 1), Decimal("23.50")),
    ],
)
def test_wage_below_the_minimum_in_force_is_refused(cw, case, employer, start_on, wage):
    with pytest.raises(ApplicationError) as refused:
        offer(cw, case, employer, start_on=start_on, hourly_wage=wage)
    assert "hourly_wage" in refused.value.fields
    assert not case.placements.exists()


def test_wage_is_rechecked_against_the_actual_start_date(cw, case, employer, settings):
    start = today() - timedelta(days=3)
    placement = offer(cw, case, employer, start_on=start, hourly_wage=Decimal("24.00"))
    # A new rate took effect the day before the client actually started.
    settings.EMPLOYMENT_MINIMUM_WAGE_SCHEDULE = f"2024-04-01=23.15,{start.isoformat()}=24.50"
    with pytest.raises(ApplicationError) as refused:
        services.placement_start(actor=cw, placement=placement, on=start + timedelta(days=1))
    assert "hourly_wage" in refused.value.fields
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.OFFERED


def test_start_before_any_configured_rate_is_refused(cw, case, employer):
    with pytest.raises(ApplicationError) as refused:
        offer(cw, case, employer, start_on=date(2023, 1, 9))
    assert "start_on" in refused.value.fields


def test_employer_of_another_agency_is_refused(cw, case, south):
    with pytest.raises(ApplicationError) as refused:
        offer(cw, case, EmployerFactory(agency=south))
    assert "employer" in refused.value.fields


# ---- subsidies and the budget ---------------------------------------------------------------


def test_subsidy_is_committed_when_the_placement_starts(cw, case, employer, mahi):
    placement = subsidised(cw, case, employer, mahi)
    assert budget_of(mahi).committed == Decimal("0.00")
    placement = services.placement_start(actor=cw, placement=placement)
    budget = budget_of(mahi)
    assert budget.committed == Decimal("6000.00")
    assert placement.subsidy_committed == Decimal("6000.00")
    assert placement.budget_id == budget.pk


def test_subsidy_over_budget_is_refused_when_offered(cw, case, employer, mahi):
    with pytest.raises(ApplicationError) as refused:
        subsidised(cw, case, employer, mahi, weekly="600.00", weeks=20)
    assert refused.value.code == "over_budget"
    assert not case.placements.exists()


def test_subsidy_over_budget_is_refused_when_started_and_nothing_changes(
    cw, case, employer, mahi, led_case
):
    first = subsidised(cw, case, employer, mahi, weekly="400.00", weeks=20)
    second = subsidised(cw, led_case(cw), employer, mahi, weekly="400.00", weeks=20)
    services.placement_start(actor=cw, placement=first)
    with pytest.raises(ApplicationError) as refused:
        services.placement_start(actor=cw, placement=second)
    assert refused.value.code == "over_budget"
    second.refresh_from_db()
    assert second.status == PlacementStatus.OFFERED
    assert not PlacementCheckIn.objects.filter(placement=second).exists()
    assert budget_of(mahi).committed == Decimal("8000.00")


def test_subsidy_needs_an_employment_programme_with_a_budget(cw, case, employer, programme, north):
    with pytest.raises(ApplicationError) as refused:
        subsidised(cw, case, employer, programme)  # a financial-aid programme
    assert "programme" in refused.value.fields
    with pytest.raises(ApplicationError) as refused:
        subsidised(cw, case, employer, employment_programme(north, allocated=None))
    assert refused.value.code == "no_budget"


def test_subsidy_fields_without_a_subsidy_are_refused(cw, case, employer, mahi):
    with pytest.raises(ApplicationError) as refused:
        offer(cw, case, employer, subsidy_weeks=4)
    assert "is_subsidised" in refused.value.fields
    with pytest.raises(ApplicationError) as refused:
        subsidised(cw, case, employer, mahi, weeks=53)
    assert "subsidy_weeks" in refused.value.fields


def test_ending_early_releases_the_weeks_not_worked(cw, case, employer, mahi):
    start = today() - timedelta(days=20)  # weeks 1–3 begun
    placement = subsidised(cw, case, employer, mahi, start_on=start)
    placement = services.placement_start(actor=cw, placement=placement)
    placement = services.placement_end(actor=cw, placement=placement, end_reason="resigned")
    assert placement.subsidy_committed == Decimal("900.00")
    assert budget_of(mahi).committed == Decimal("900.00")


def test_ending_after_the_subsidy_ran_out_releases_nothing(cw, case, employer, mahi):
    start = today() - timedelta(days=70)
    placement = subsidised(cw, case, employer, mahi, start_on=start, weeks=4)
    placement = services.placement_start(actor=cw, placement=placement)
    services.placement_end(actor=cw, placement=placement, end_reason="fixed_term_finished")
    assert budget_of(mahi).committed == Decimal("1200.00")


# ---- the lifecycle --------------------------------------------------------------------------


def test_lifecycle_writes_history_and_audit(cw, case, employer):
    placement = offer(cw, case, employer)
    placement = services.placement_start(actor=cw, placement=placement)
    placement = services.placement_end(
        actor=cw, placement=placement, end_reason="better_job", notes="Moved to a café in town."
    )
    assert placement.status == PlacementStatus.ENDED
    assert placement.ended_on == today()
    moves = list(
        PlacementStatusChange.objects.filter(placement=placement).values_list(
            "from_status", "to_status"
        )
    )
    assert moves == [("", "offered"), ("offered", "started"), ("started", "ended")]
    assert AuditEvent.objects.filter(object_id=str(placement.pk), action="transition").count() == 2


def test_illegal_transitions_are_refused(cw, case, employer):
    placement = offer(cw, case, employer)
    with pytest.raises(TransitionRefused) as refused:
        services.placement_end(actor=cw, placement=placement, end_reason="resigned")
    assert refused.value.code == "illegal_transition"
    services.placement_withdraw(actor=cw, placement=placement, reason="Took another offer.")
    with pytest.raises(TransitionRefused):
        services.placement_start(actor=cw, placement=placement)


def test_start_in_the_future_and_end_before_start_are_refused(cw, case, employer):
    placement = offer(cw, case, employer, start_on=today() + timedelta(days=7))
    with pytest.raises(ApplicationError) as refused:
        services.placement_start(actor=cw, placement=placement)
    assert "on" in refused.value.fields
    placement = services.placement_start(actor=cw, placement=placement, on=today())
    with pytest.raises(ApplicationError):
        services.placement_end(
            actor=cw, placement=placement, end_reason="other", on=today() - timedelta(days=1)
        )


def test_other_agency_cannot_move_a_placement(cw, case, employer, staff):
    placement = offer(cw, case, employer)
    with pytest.raises(Http404):
        services.placement_start(actor=staff["south-caseworker"], placement=placement)


# ---- check-ins ------------------------------------------------------------------------------


def test_starting_schedules_the_three_check_ins(cw, case, employer):
    start = today() - timedelta(days=30)
    placement = services.placement_start(
        actor=cw, placement=offer(cw, case, employer, start_on=start)
    )
    due = dict(placement.check_ins.values_list("weeks", "due_on"))
    assert due == {
        4: start + timedelta(days=28),
        13: start + timedelta(days=91),
        26: start + timedelta(days=182),
    }


def test_check_in_records_still_employed_and_hours_once(cw, case, employer):
    start = today() - timedelta(days=30)
    placement = services.placement_start(
        actor=cw, placement=offer(cw, case, employer, start_on=start)
    )
    check_in = services.placement_check_in_record(
        actor=cw, placement=placement, weeks=4, still_employed=True, hours_per_week=Decimal("32")
    )
    assert check_in.recorded_on == today()
    assert check_in.hours_per_week == Decimal("32")
    with pytest.raises(ConflictError):
        services.placement_check_in_record(
            actor=cw, placement=placement, weeks=4, still_employed=False
        )


def test_check_in_too_early_or_without_hours_is_refused(cw, case, employer):
    placement = services.placement_start(
        actor=cw, placement=offer(cw, case, employer, start_on=today() - timedelta(days=30))
    )
    with pytest.raises(ApplicationError) as refused:
        services.placement_check_in_record(
            actor=cw, placement=placement, weeks=13, still_employed=True, hours_per_week=30
        )
    assert refused.value.code == "too_early"
    with pytest.raises(ApplicationError) as refused:
        services.placement_check_in_record(
            actor=cw, placement=placement, weeks=4, still_employed=True
        )
    assert "hours_per_week" in refused.value.fields
    with pytest.raises(Http404):
        services.placement_check_in_record(
            actor=cw, placement=placement, weeks=8, still_employed=True, hours_per_week=30
        )


def test_check_in_on_an_offer_is_refused(cw, case, employer):
    with pytest.raises(ApplicationError) as refused:
        services.placement_check_in_record(
            actor=cw, placement=offer(cw, case, employer), weeks=4, still_employed=False
        )
    assert refused.value.code == "not_started"


def test_check_in_may_be_recorded_after_the_placement_ended(cw, case, employer):
    placement = services.placement_start(
        actor=cw, placement=offer(cw, case, employer, start_on=today() - timedelta(days=95))
    )
    services.placement_end(
        actor=cw, placement=placement, end_reason="dismissed", on=today() - timedelta(days=40)
    )
    check_in = services.placement_check_in_record(
        actor=cw, placement=placement, weeks=13, still_employed=False
    )
    assert check_in.still_employed is False
    assert check_in.hours_per_week is None


# ---- employers ------------------------------------------------------------------------------


def test_employer_names_are_unique_in_an_agency_and_nzbn_checked(cw, staff):
    services.employer_create(
        actor=cw, name="Kai Ora Café", region="01", nzbn="9429041535011", industry="Hospitality"
    )
    with pytest.raises(ApplicationError) as refused:
        services.employer_create(actor=cw, name="Kai Ora Café", region="01")
    assert "name" in refused.value.fields
    with pytest.raises(ApplicationError) as refused:
        services.employer_create(actor=cw, name="Other", region="01", nzbn="9429041535012")
    assert "nzbn" in refused.value.fields
    # Another agency keeps its own list.
    services.employer_create(actor=staff["south-caseworker"], name="Kai Ora Café", region="13")


def test_employer_list_is_kept_by_caseworkers_leads_and_admins(staff, north):
    services.employer_create(actor=staff["north-admin"], name="Northland Growers", region="01")
    with pytest.raises(PermissionDenied):
        services.employer_create(actor=staff["north-compliance"], name="X", region="01")
    employer = EmployerFactory(agency=north)
    with pytest.raises(Http404):
        services.employer_update(actor=staff["south-caseworker"], employer=employer, region="13")
