"""Payments, recoveries and repayments page in their order whoever reads them.

A caseworker's rows (their caseload's) are sorted apart from the list's order
index; a team lead's and an officer's are read along it.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from programs import services
from programs.models import Payment, Recovery, Repayment
from tests.plans import page_plan, paged_ids, read_along

pytestmark = pytest.mark.django_db

# list → (URL, the model, its date column, the order index)
LISTS = {
    "payments": ("/api/v1/payments/", Payment, "paid_on", "payment_paid_order"),
    "recoveries": ("/api/v1/recoveries/", Recovery, None, "recovery_created_order"),
    "repayments": ("/api/v1/repayments/", Repayment, "received_on", "repayment_received_order"),
}
READERS = ["north-caseworker", "north-lead", "north-officer"]


@pytest.fixture
def repaid_advances(approved_request, staff):
    """`repaid_advances(days)`: for each n of `days`, an advance paid, its recovery opened and a
    repayment received n days after a start a month ago (dates and creation times alike).
    Returns {list name: [(n, row id)]}."""

    def make(days):
        start = timezone.now() - timedelta(days=30)
        made = {name: [] for name in LISTS}
        for n in days:
            advance = approved_request(
                "100.00",
                is_recoverable=True,
                repayment_instalment=Decimal("10.00"),
                repayment_frequency="weekly",
                category="accommodation",
            )
            payment = services.payment_record(
                actor=staff["north-officer"],
                aid_request=advance,
                amount=Decimal("100.00"),
                method="direct_credit",
            )
            recovery = Recovery.objects.get(aid_request=advance)
            repayment = services.repayment_record(
                actor=staff["north-officer"],
                recovery=recovery,
                amount=Decimal("10.00"),
                method="deduction",
            )
            moment = start + timedelta(days=n)
            for name, row in (
                ("payments", payment),
                ("recoveries", recovery),
                ("repayments", repayment),
            ):
                _url, model, date_column, _index = LISTS[name]
                dates = {date_column: moment.date()} if date_column else {}
                model.objects.filter(pk=row.pk).update(created_at=moment, **dates)
                made[name].append((n, str(row.pk)))
        return made

    return make


@pytest.mark.parametrize("username", READERS)
@pytest.mark.parametrize("listed", list(LISTS))
def test_money_rows_page_newest_first_whoever_reads_them(
    client_for, staff, repaid_advances, username, listed
):
    made = repaid_advances((3, 0, 4, 1, 2))[listed]
    url = LISTS[listed][0]
    client = client_for(staff[username])

    assert paged_ids(client, url) == [pk for _n, pk in sorted(made, reverse=True)]


@pytest.mark.parametrize("listed", list(LISTS))
def test_other_caseworkers_and_agencies_see_none_of_them(
    client_for, staff, repaid_advances, listed
):
    repaid_advances((0, 1))
    url = LISTS[listed][0]

    for username in ("north-caseworker2", "south-caseworker", "south-officer"):
        assert client_for(staff[username]).get(url).json()["count"] == 0, username


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("username", "read_along_index"),
    [("north-caseworker", False), ("north-lead", True), ("north-officer", True)],
)
@pytest.mark.parametrize("listed", list(LISTS))
def test_on_postgresql_only_a_caseworkers_money_rows_are_sorted_apart(
    client_for, staff, repaid_advances, listed, username, read_along_index
):
    """A caseworker's rows are found through their grants and sorted; a team's or an
    agency's are read along the order index, where they turn up early."""
    repaid_advances((0, 1, 2))
    url, _model, _date, index = LISTS[listed]

    body, plan = page_plan(client_for(staff[username]), url, {})

    assert body["count"] == 3
    assert read_along(plan, index) is read_along_index
