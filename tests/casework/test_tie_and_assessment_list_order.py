"""Network ties and assessments page in their list's order, read along an index of it.

Ties are grouped by client id, strongest first: never by the clients' names, whose
order would hint at a restricted client's name. A caseworker's assessments are
sorted apart from `assessment_given_order`; a team lead's are read along it.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from casework.models import Instrument
from casework.services.assessments import assessment_record
from casework.services.network import tie_add
from tests.plans import is_sorted, page_plan, paged_ids, read_along, uses_index

pytestmark = pytest.mark.django_db

TIES = "/api/v1/network-ties/"
ASSESSMENTS = "/api/v1/assessments/"
ANSWERS = {"q1": 3, "q2": 2, "q3": 1, "q4": 4, "q5": 2, "q6": 1}


@pytest.fixture
def tied(staff, led_case):
    """Three clients of north-caseworker, named in the reverse of their ids' order, each
    with ties of strengths 2, 5 and 3. Returns [(client id, strength, tie id)]."""
    caseworker = staff["north-caseworker"]
    clients = sorted((led_case(caseworker).client for _ in range(3)), key=lambda c: str(c.pk))
    made = []
    # Names in the reverse of the ids' order: a list in client name order fails.
    for client, family_name in zip(clients, ("Waaka", "Moana", "Aperahama"), strict=True):
        client.legal_family_name = family_name
        client.save(update_fields=["legal_family_name"])
        for strength in (2, 5, 3):
            tie = tie_add(
                actor=caseworker,
                client=client,
                name=f"Tie {strength}",
                tie_type="friend",
                strength=strength,
                contact_frequency="weekly",
                quality="supportive",
            )
            made.append((str(client.pk), strength, str(tie.pk)))
    return made


@pytest.mark.parametrize("username", ["north-caseworker", "north-lead"])
def test_ties_page_by_client_id_strongest_first_not_by_client_name(
    client_for, staff, tied, username
):
    listed = paged_ids(client_for(staff[username]), TIES, pages=5)

    assert listed == [pk for _c, _s, pk in sorted(tied, key=lambda t: (t[0], -t[1]))]


def test_ties_of_other_caseloads_and_agencies_stay_out(client_for, staff, tied):
    for username in ("north-caseworker2", "south-caseworker", "south-lead"):
        assert client_for(staff[username]).get(TIES).json()["count"] == 0, username


@pytest.mark.postgres
@pytest.mark.parametrize("username", ["north-caseworker", "north-lead"])
def test_on_postgresql_ties_are_read_along_their_order_index(client_for, staff, tied, username):
    body, plan = page_plan(client_for(staff[username]), TIES, {})

    assert body["count"] == 9
    # Ties of one client and strength are put in name order as they are read.
    assert uses_index(plan, "tie_client_strength"), plan
    assert "Incremental Sort" in plan or not is_sorted(plan), plan


@pytest.fixture
def assessed(staff, led_case):
    """`assessed(days)`: an LSNS-6 per n of `days`, administered n days after a month ago,
    each of a client of a case north-caseworker leads. Returns [(n, assessment id)]."""

    def make(days):
        caseworker = staff["north-caseworker"]
        lsns = Instrument.objects.get(code="lsns-6")
        start = timezone.localdate() - timedelta(days=30)
        made = []
        for n in days:
            assessment = assessment_record(
                actor=caseworker,
                client=led_case(caseworker).client,
                instrument=lsns,
                answers=ANSWERS,
                administered_on=start + timedelta(days=n),
                stage="intake",
            )
            made.append((n, str(assessment.pk)))
        return made

    return make


@pytest.mark.parametrize("username", ["north-caseworker", "north-lead"])
def test_assessments_page_latest_first_whoever_reads_them(client_for, staff, assessed, username):
    made = assessed((3, 0, 4, 1, 2))

    listed = paged_ids(client_for(staff[username]), ASSESSMENTS)

    assert listed == [pk for _n, pk in sorted(made, reverse=True)]


def test_assessments_of_other_caseloads_and_agencies_stay_out(client_for, staff, assessed):
    assessed((0, 1))

    for username in ("north-caseworker2", "south-caseworker", "south-lead"):
        assert client_for(staff[username]).get(ASSESSMENTS).json()["count"] == 0, username


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("username", "read_along_index"), [("north-caseworker", False), ("north-lead", True)]
)
def test_on_postgresql_only_a_caseworkers_assessments_are_sorted_apart(
    client_for, staff, assessed, username, read_along_index
):
    assessed((0, 1, 2))

    body, plan = page_plan(client_for(staff[username]), ASSESSMENTS, {})

    assert body["count"] == 3
    assert read_along(plan, "assessment_given_order") is read_along_index
