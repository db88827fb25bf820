"""The consent list pages newest consent first, whoever reads it.

A caseworker's consents are their caseload's and are sorted apart from the
`consent_given_order` index; a team lead's are read along it.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from casework.models import Consent
from tests.plans import page_plan, paged_ids, read_along
from tests.programs.referral_helpers import consent_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/consents/"


@pytest.fixture
def consented(staff, led_case):
    """`consented(days)`: a consent per n of `days`, given n days after a month ago, each of
    a client of a case north-caseworker leads. Returns [(n, consent id)]."""

    def make(days):
        caseworker = staff["north-caseworker"]
        start = timezone.now() - timedelta(days=30)
        made = []
        for n in days:
            client = led_case(caseworker).client
            consent = consent_for(caseworker, client, name="Te Whare Tiaki")
            Consent.objects.filter(pk=consent.pk).update(given_at=start + timedelta(days=n))
            made.append((n, str(consent.pk)))
        return made

    return make


@pytest.mark.parametrize("username", ["north-caseworker", "north-lead"])
def test_consents_page_newest_first_whoever_reads_them(client_for, staff, consented, username):
    made = consented((3, 0, 4, 1, 2))
    listed = paged_ids(client_for(staff[username]), URL)

    assert listed == [pk for _n, pk in sorted(made, reverse=True)]


def test_consents_of_other_caseloads_and_agencies_stay_out(client_for, staff, consented):
    consented((0, 1))

    for username in ("north-caseworker2", "south-caseworker", "south-lead"):
        assert client_for(staff[username]).get(URL).json()["count"] == 0, username


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("username", "read_along_index"), [("north-caseworker", False), ("north-lead", True)]
)
def test_on_postgresql_only_a_caseworkers_consents_are_sorted_apart(
    client_for, staff, consented, username, read_along_index
):
    consented((0, 1, 2))

    body, plan = page_plan(client_for(staff[username]), URL, {})

    assert body["count"] == 3
    assert read_along(plan, "consent_given_order") is read_along_index
