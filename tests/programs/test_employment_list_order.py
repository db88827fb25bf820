"""Employment plans, activities and placements page in their list's order.

A caseworker's are their caseload's and are sorted apart from each list's
order index; a team lead's are read along it.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from programs.models import EmploymentActivity, EmploymentPlan, Placement
from programs.services import employment as services
from tests.plans import page_plan, paged_ids, read_along
from tests.programs.factories import EmployerFactory

pytestmark = pytest.mark.django_db


def _plan(caseworker, case, n, start):
    plan = services.employment_plan_create(
        actor=caseworker,
        case=case,
        work_goals="Back to part-time work",
        next_review_on=timezone.localdate() + timedelta(days=30),
    )
    EmploymentPlan.objects.filter(pk=plan.pk).update(created_at=start + timedelta(days=n))
    return plan


def _activity(caseworker, case, n, start):
    activity = services.employment_activity_create(
        actor=caseworker,
        case=case,
        kind="cv",
        occurred_on=timezone.localdate(),
        hours=Decimal("2"),
    )
    EmploymentActivity.objects.filter(pk=activity.pk).update(
        occurred_on=(start + timedelta(days=n)).date()
    )
    return activity


def _placement(caseworker, case, n, start):
    placement = services.placement_create(
        actor=caseworker,
        case=case,
        employer=EmployerFactory(agency=caseworker.agency),
        role="Kitchen hand",
        start_on=timezone.localdate(),
        hours_per_week=Decimal("30"),
        hourly_wage=Decimal("25.00"),
    )
    Placement.objects.filter(pk=placement.pk).update(start_on=(start + timedelta(days=n)).date())
    return placement


# list: (url, maker, order index)
LISTS = {
    "plans": ("/api/v1/employment-plans/", _plan, "emp_plan_created_order"),
    "activities": ("/api/v1/employment-activities/", _activity, "emp_activity_order"),
    "placements": ("/api/v1/placements/", _placement, "placement_start_order"),
}


@pytest.fixture
def recorded(staff, led_case):
    """`recorded(listed, days)`: one record of the list per n of `days`, dated n days after
    a month ago, each on a case north-caseworker leads. Returns [(n, id)]."""

    def make(listed, days):
        caseworker = staff["north-caseworker"]
        _url, maker, _index = LISTS[listed]
        start = timezone.now() - timedelta(days=30)
        return [(n, str(maker(caseworker, led_case(caseworker), n, start).pk)) for n in days]

    return make


@pytest.mark.parametrize("username", ["north-caseworker", "north-lead"])
@pytest.mark.parametrize("listed", list(LISTS))
def test_employment_lists_page_newest_first_whoever_reads_them(
    client_for, staff, recorded, listed, username
):
    made = recorded(listed, (3, 0, 4, 1, 2))

    listed_ids = paged_ids(client_for(staff[username]), LISTS[listed][0])

    assert listed_ids == [pk for _n, pk in sorted(made, reverse=True)]


@pytest.mark.parametrize("listed", list(LISTS))
def test_employment_records_of_other_caseloads_and_agencies_stay_out(
    client_for, staff, recorded, listed
):
    recorded(listed, (0, 1))

    for username in ("north-caseworker2", "south-caseworker", "south-lead"):
        assert client_for(staff[username]).get(LISTS[listed][0]).json()["count"] == 0, username


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("username", "read_along_index"), [("north-caseworker", False), ("north-lead", True)]
)
@pytest.mark.parametrize("listed", list(LISTS))
def test_on_postgresql_only_a_caseworkers_employment_records_are_sorted_apart(
    client_for, staff, recorded, listed, username, read_along_index
):
    recorded(listed, (0, 1, 2))
    url, _maker, index = LISTS[listed]

    body, plan = page_plan(client_for(staff[username]), url, {})

    assert body["count"] == 3
    assert read_along(plan, index) is read_along_index
