"""Which branch of the aid visibility rule an agency reader gets, and that each still holds.

A program officer reads their agency's requests for programmes it delivers;
anyone who may see a case reads its requests. An officer holding no case
grant gets the agency branch alone (the OR of both hid the agency index);
one who holds a case grant keeps both.
"""

import pytest

from casework import access
from core.request_context import RequestContext, reset_request_context, set_request_context
from programs.selectors.aid import aid_requests_visible_to

pytestmark = pytest.mark.django_db

URL = "/api/v1/aid-requests/"


def _ids(user):
    return set(aid_requests_visible_to(user).values_list("pk", flat=True))


@pytest.fixture
def withdrawn_programme_request(make_request, programme, north):
    """A north request for a programme north has since stopped delivering."""
    aid_request = make_request()
    programme.delivering_agencies.remove(north)
    return aid_request


def test_officer_without_case_grants_reads_their_agencys_delivered_programmes(
    staff, make_request, programme, north
):
    officer = staff["north-officer"]
    aid_request = make_request()

    assert not access.holds_case_grants(officer, "view_case")
    assert aid_request.pk in _ids(officer)

    programme.delivering_agencies.remove(north)

    assert aid_request.pk not in _ids(officer)


def test_officer_with_a_case_grant_also_reads_that_cases_requests(
    client_for, staff, withdrawn_programme_request
):
    officer = staff["north-officer"]
    detail = f"{URL}{withdrawn_programme_request.pk}/"

    assert withdrawn_programme_request.pk not in _ids(officer)
    assert client_for(officer).get(detail).status_code == 404

    access.grant_case_to_user(withdrawn_programme_request.case, officer)

    assert access.holds_case_grants(officer, "view_case")
    assert withdrawn_programme_request.pk in _ids(officer)
    assert client_for(officer).get(detail).status_code == 200


def test_other_agencys_officer_gets_nothing_either_way(staff, make_request):
    aid_request = make_request()
    south_officer = staff["south-officer"]

    assert aid_request.pk not in _ids(south_officer)


def test_case_grants_held_through_a_team_lead_group_count(staff, led_case):
    lead = staff["north-lead"]
    officer = staff["south-officer"]
    led_case(staff["north-caseworker"])

    assert access.holds_case_grants(lead, "view_case")
    assert not access.holds_case_grants(officer, "view_case")


def test_the_answer_is_read_once_per_request_and_fresh_outside_one(
    staff, withdrawn_programme_request, django_assert_num_queries
):
    officer = staff["north-officer"]
    token = set_request_context(RequestContext(request_id="t", ip_address=None, memo={}))
    try:
        assert not access.holds_case_grants(officer, "view_case")
        with django_assert_num_queries(0):
            assert not access.holds_case_grants(officer, "view_case")
    finally:
        reset_request_context(token)

    access.grant_case_to_user(withdrawn_programme_request.case, officer)
    assert access.holds_case_grants(officer, "view_case")
