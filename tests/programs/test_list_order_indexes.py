"""Enrolments and referrals page in their order, read along an index of it where that pays.

A caseworker's enrolments are their caseload's and are sorted apart from the
index; a team lead's and an officer's are read along it. Referrals are read
along their index by everyone who sees them: a caseworker also sees what
their agency received.
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from programs import services
from programs.models import Enrolment, Referral
from tests.plans import page_plan, paged_ids, read_along
from tests.programs.referral_helpers import draft, outside_service

pytestmark = pytest.mark.django_db

ENROLMENTS = "/api/v1/enrolments/"
REFERRALS = "/api/v1/referrals/"


@pytest.fixture
def enrolled(staff, led_case, programme):
    """`enrolled(days)`: one case enrolled per n of `days`, started n days after a day a month
    ago. Returns [(n, enrolment id)]."""

    def make(days):
        start = date.today() - timedelta(days=30)
        made = []
        for n in days:
            enrolment = services.enrolment_create(
                actor=staff["north-caseworker"],
                case=led_case(staff["north-caseworker"]),
                programme=programme,
            )
            Enrolment.objects.filter(pk=enrolment.pk).update(started_on=start + timedelta(days=n))
            made.append((n, str(enrolment.pk)))
        return made

    return make


@pytest.fixture
def referred(staff, led_case):
    """`referred(days)`: one draft referral per n of `days`, made n days after a month ago."""

    def make(days):
        service = outside_service()
        start = timezone.now() - timedelta(days=30)
        made = []
        caseworker = staff["north-caseworker"]
        for n in days:
            referral = draft(caseworker, led_case(caseworker), service)
            Referral.objects.filter(pk=referral.pk).update(created_at=start + timedelta(days=n))
            made.append((n, str(referral.pk)))
        return made

    return make


@pytest.mark.parametrize("username", ["north-caseworker", "north-lead", "north-officer"])
def test_enrolments_page_latest_start_first_whoever_reads_them(
    client_for, staff, enrolled, username
):
    made = enrolled((3, 0, 4, 1, 2))

    assert paged_ids(client_for(staff[username]), ENROLMENTS) == [
        pk for _n, pk in sorted(made, reverse=True)
    ]


@pytest.mark.parametrize("username", ["north-caseworker", "north-lead"])
def test_referrals_page_newest_first(client_for, staff, referred, username):
    made = referred((3, 0, 4, 1, 2))

    assert paged_ids(client_for(staff[username]), REFERRALS) == [
        pk for _n, pk in sorted(made, reverse=True)
    ]


def test_enrolments_and_referrals_of_others_stay_out_of_the_lists(
    client_for, staff, enrolled, referred
):
    enrolled((0, 1))
    referred((0, 1))

    for username in ("north-caseworker2", "south-caseworker", "south-officer"):
        client = client_for(staff[username])
        assert client.get(ENROLMENTS).json()["count"] == 0, username
        assert client.get(REFERRALS).json()["count"] == 0, username


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("username", "read_along_index"),
    [("north-caseworker", False), ("north-lead", True), ("north-officer", True)],
)
def test_on_postgresql_only_a_caseworkers_enrolments_are_sorted_apart(
    client_for, staff, enrolled, username, read_along_index
):
    enrolled((0, 1, 2))

    body, plan = page_plan(client_for(staff[username]), ENROLMENTS, {})

    assert body["count"] == 3
    assert read_along(plan, "enrolment_started_order") is read_along_index


@pytest.mark.postgres
@pytest.mark.parametrize("username", ["north-caseworker", "north-lead"])
def test_on_postgresql_referrals_are_read_along_their_order_index(
    client_for, staff, referred, username
):
    """Sorting every visible referral joined to the eleven rows a page shows took a team
    lead 50 ms at national scale; along the index a page stops after its rows."""
    referred((0, 1, 2))

    body, plan = page_plan(client_for(staff[username]), REFERRALS, {})

    assert body["count"] == 3
    assert read_along(plan, "referral_created_order")
