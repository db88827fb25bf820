"""Baseline (a) of the benchmark asks PostgreSQL for the very page the API shows.

A ratio to (a) means something only if (a) reads the same rows in the same
order: the same permission branches, and the client list's name order with
the clients the viewer may not identify last. Checked here on a small world
for each kind of viewer the benchmark measures.
"""

import json

import pytest

from bench import baselines
from bench.measure import _predicate_shape
from casework import access
from tests.factories import CaseFactory, ClientFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

NAMES = ["Ngata", "Aperahama", "Walker", "Tipene", "Brown", "Rangi", "Hohaia", "Smith"]


def _page_of_a(kind: str, user) -> list[str]:
    params = {
        "user": user.pk,
        "perm": access.permission_id("view_client" if kind == "clients" else "view_case"),
        "identity_perm": access.permission_id("view_client_identity"),
        "agency": user.agency_id,
        "region": None,
        "limit": 50,
        "groups": access.user_group_ids(user),
        **_predicate_shape(user, kind),
    }
    rows = json.loads(baselines.hand_written_page(kind, filtered=False, params=params))["results"]
    return [str(row["id"]) for row in rows]


def _page_of_the_api(client_for, user, url) -> list[str]:
    response = client_for(user).get(url, {"page_size": 50})
    assert response.status_code == 200
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def team_world(staff, led_case):
    cw = staff["north-caseworker"]
    for index, name in enumerate(NAMES):
        client = ClientFactory(
            agency=cw.agency, created_by=cw, legal_family_name=name, is_restricted=index % 3 == 0
        )
        led_case(cw, client=client)
    return staff


@pytest.mark.parametrize("who", ["north-caseworker", "north-lead"])
@pytest.mark.parametrize(
    ("kind", "url"), [("clients", "/api/v1/clients/"), ("cases", "/api/v1/cases/")]
)
def test_a_is_the_api_page(client_for, team_world, who, kind, url):
    user = team_world[who]

    assert _page_of_a(kind, user) == _page_of_the_api(client_for, user, url)


@pytest.mark.parametrize("of_their_team", [False, True])
@pytest.mark.parametrize(
    ("kind", "url"), [("clients", "/api/v1/clients/"), ("cases", "/api/v1/cases/")]
)
def test_a_is_the_api_page_for_a_team_lead_who_leads_cases_of_their_own(
    client_for, team_world, kind, url, of_their_team
):
    lead = team_world["north-lead"]
    for name, restricted in (("Aroha", True), ("Zimmerman", True), ("Kereama", False)):
        client = ClientFactory(
            agency=lead.agency, created_by=lead, legal_family_name=name, is_restricted=restricted
        )
        team = lead.team if of_their_team else None
        case = CaseFactory(
            client=client, agency=lead.agency, lead_caseworker=lead, team=team, created_by=lead
        )
        access.grant_case_to_user(case, lead)
        if team is not None:
            access.grant_case_to_group(case, team.lead_group)
    api_page = _page_of_the_api(client_for, lead, url)

    assert _page_of_a(kind, lead) == api_page
    assert len(api_page) == len(NAMES) + 3
