"""The clients API: registration rules, the 404 wall, redaction, audit and list contracts."""

import pytest

from casework.models import Client
from core.models import AuditAction, AuditEvent
from tests.plans import page_plan

pytestmark = pytest.mark.django_db

URL = "/api/v1/clients/"
OTHER_USERS = [
    "north-caseworker2",
    "south-caseworker",
    "south-caseworker2",
    "south-lead",
    "south-officer",
    "south-senior-officer",
    "south-compliance",
    "south-admin",
]


def new_client(**overrides):
    return {
        "legal_given_names": "Mereana Aroha",
        "legal_family_name": "Ngātai",
        "preferred_name": "Mere",
        "date_of_birth": "1988-03-14",
        "gender": "female",
        "region": "01",
        "phone": "021 555 0101",
        "email": "mere@example.nz",
        "address": "12 Kōwhai Street, Whangārei",
        "preferred_language": "te reo Māori",
        "ethnicities": ["21111", "11"],
        "iwi": ["0104"],
        **overrides,
    }


def detail(client):
    return f"{URL}{client.pk}/"


def writes_nothing():
    """Snapshot of what a refused request must leave untouched."""
    return (Client.objects.count(), AuditEvent.objects.count())


# Registration


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("ZAC5361", "ZAC5361"),
        ("ZBN77VL", "ZBN77VL"),
        ("ACA31FM", "ACA31FM"),
        ("zac5361", "ZAC5361"),
        (" zbn77vl ", "ZBN77VL"),
    ],
)
def test_valid_nhi_in_either_format_is_stored_upper_case(client_for, staff, given, stored):
    response = client_for(staff["north-caseworker"]).post(URL, new_client(nhi=given))

    assert response.status_code == 201, response.json()
    assert response.json()["nhi"] == stored
    assert Client.objects.get().nhi == stored


@pytest.mark.parametrize(
    "nhi",
    ["JBX3657", "ZZZ0044", "ZZZ00AX", "ZIC5361", "ZOC5361", "ZAC536", "ZAC53611", "1234567"],
)
def test_invalid_nhi_is_a_field_error_and_writes_nothing(client_for, staff, nhi):
    before = writes_nothing()

    response = client_for(staff["north-caseworker"]).post(URL, new_client(nhi=nhi))

    assert response.status_code == 400
    assert "nhi" in response.json()["error"]["fields"]
    assert writes_nothing() == before


def test_test_nhis_are_refused_when_the_setting_forbids_them(client_for, staff, settings):
    settings.NHI_ALLOW_TEST_NUMBERS = False
    client = client_for(staff["north-caseworker"])

    refused = client.post(URL, new_client(nhi="ZAC5361"))
    accepted = client.post(URL, new_client(nhi="ACA31FM"))

    assert refused.status_code == 400
    assert "test numbers" in refused.json()["error"]["fields"]["nhi"][0]
    assert accepted.status_code == 201
    assert Client.objects.get().nhi == "ACA31FM"


def test_client_without_nhi_is_registered_with_none(client_for, staff):
    response = client_for(staff["north-caseworker"]).post(URL, new_client(nhi=""))

    assert response.status_code == 201
    assert Client.objects.get().nhi is None


def test_six_ethnicities_are_kept_in_order_with_prioritised_ethnicity_derived(client_for, staff):
    codes = ["11", "31111", "42", "21111", "12", "53"]

    response = client_for(staff["north-caseworker"]).post(URL, new_client(ethnicities=codes))

    assert response.status_code == 201
    assert response.json()["ethnicities"] == codes
    assert response.json()["prioritised_ethnicity"] == "2"
    stored = Client.objects.get().ethnicities.order_by("position")
    assert [(e.position, e.code) for e in stored] == list(enumerate(codes, start=1))


@pytest.mark.parametrize(
    "codes",
    [
        ["11", "12", "21", "31", "42", "43", "53"],
        ["2"],
        ["77"],
        ["21", "21"],
    ],
)
def test_bad_ethnicities_are_a_field_error_and_write_nothing(client_for, staff, codes):
    before = writes_nothing()

    response = client_for(staff["north-caseworker"]).post(URL, new_client(ethnicities=codes))

    assert response.status_code == 400
    assert "ethnicities" in response.json()["error"]["fields"]
    assert writes_nothing() == before


def test_iwi_are_stored_with_the_classification_version(client_for, staff):
    response = client_for(staff["north-caseworker"]).post(URL, new_client(iwi=["0104", "1109"]))

    assert response.status_code == 201
    assert response.json()["iwi"] == ["0104", "1109"]
    stored = Client.objects.get().iwi_affiliations.all()
    assert {(i.code, i.classification_version) for i in stored} == {
        ("0104", "2017"),
        ("1109", "2017"),
    }


@pytest.mark.parametrize("codes", [["0199"], ["01"], ["Ngāpuhi"], ["0104", "0104"]])
def test_unknown_or_non_selectable_iwi_is_a_field_error(client_for, staff, codes):
    before = writes_nothing()

    response = client_for(staff["north-caseworker"]).post(URL, new_client(iwi=codes))

    assert response.status_code == 400
    assert "iwi" in response.json()["error"]["fields"]
    assert writes_nothing() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"region": "10"}, "region"),
        ({"region": "Northland"}, "region"),
        ({"gender": "unknown"}, "gender"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"date_of_birth": "14/03/1988"}, "date_of_birth"),
        ({"legal_family_name": "   "}, "legal_family_name"),
        ({"email": "not-an-email"}, "email"),
        ({"interpreter_required": True, "interpreter_language": ""}, "interpreter_language"),
    ],
)
def test_bad_client_fields_are_field_errors_and_write_nothing(client_for, staff, overrides, field):
    before = writes_nothing()

    response = client_for(staff["north-caseworker"]).post(URL, new_client(**overrides))

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert writes_nothing() == before


def test_macrons_round_trip_through_the_api(client_for, staff):
    client = client_for(staff["north-caseworker"])
    names = {
        "legal_given_names": "Tūī Ānaru",
        "legal_family_name": "Te Kōti-Pōmare",
        "preferred_name": "Tūī",
        "address": "3 Ōtaki Road, Whakatāne",
    }

    created = client.post(URL, new_client(**names)).json()
    read = client.get(f"{URL}{created['id']}/").json()

    for name, value in names.items():
        assert read[name] == value
    assert read["display_name"] == "Tūī Te Kōti-Pōmare"
    stored = Client.objects.get()
    assert stored.legal_family_name == "Te Kōti-Pōmare"


def test_creator_gets_access_and_the_agency_is_theirs(client_for, staff):
    cw = staff["north-caseworker"]

    body = client_for(cw).post(URL, new_client()).json()

    assert body["agency"] == "north"
    assert body["legal_given_names"] == "Mereana Aroha"
    assert client_for(cw).get(f"{URL}{body['id']}/").status_code == 200


def test_mass_assignment_of_agency_creator_and_archive_is_ignored(client_for, staff):
    cw = staff["north-caseworker"]
    south_admin = staff["south-admin"]

    response = client_for(cw).post(
        URL,
        new_client(
            agency=str(south_admin.agency_id),
            created_by=str(south_admin.pk),
            archived_at="2020-01-01T00:00:00Z",
            id="00000000-0000-0000-0000-000000000001",
        ),
    )

    assert response.status_code == 201
    stored = Client.objects.get()
    assert stored.agency.slug == "north"
    assert stored.created_by == cw
    assert stored.archived_at is None
    assert str(stored.pk) != "00000000-0000-0000-0000-000000000001"


def test_patch_cannot_move_a_client_to_another_agency(client_for, staff, assigned_client):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)

    response = client_for(cw).patch(
        detail(client), {"agency": str(staff["south-admin"].agency_id), "region": "13"}
    )

    assert response.status_code == 200
    client.refresh_from_db()
    assert client.agency.slug == "north"
    assert client.region == "13"


@pytest.mark.parametrize(
    "username", ["north-officer", "north-senior-officer", "north-compliance", "north-admin"]
)
def test_roles_without_add_client_cannot_register_clients(client_for, staff, username):
    before = writes_nothing()

    response = client_for(staff[username]).post(URL, new_client())

    assert response.status_code == 403
    assert writes_nothing() == before


@pytest.mark.parametrize("username", ["north-caseworker", "north-lead", "south-caseworker"])
def test_caseworkers_and_team_leads_register_clients(client_for, staff, username):
    response = client_for(staff[username]).post(URL, new_client())

    assert response.status_code == 201


def test_unauthenticated_requests_are_401(api_client):
    assert api_client.get(URL).status_code == 401
    assert api_client.post(URL, new_client()).status_code == 401


# Duplicates


def test_same_nhi_is_a_possible_duplicate_with_the_candidate(client_for, staff, assigned_client):
    cw = staff["north-caseworker"]
    existing = assigned_client(cw, nhi="ZAC5361", legal_given_names="Hēmi")

    response = client_for(cw).post(URL, new_client(nhi="zac5361"))

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "possible_duplicate"
    assert error["candidates"] == [
        {
            "id": str(existing.pk),
            "display_name": existing.display_name,
            "match": "nhi",
            "archived": False,
        }
    ]
    assert Client.objects.count() == 1


def test_a_registered_nhi_cannot_be_confirmed_into_a_twin(client_for, staff, assigned_client):
    cw = staff["north-caseworker"]
    assigned_client(cw, nhi="ZAC5361")

    response = client_for(cw).post(URL, new_client(nhi="ZAC5361", confirm_not_duplicate=True))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "nhi_in_use"
    assert Client.objects.count() == 1


def test_same_nhi_in_another_agency_conflicts_without_revealing_the_client(
    client_for, staff, assigned_client
):
    assigned_client(staff["south-caseworker"], nhi="ZAC5361", legal_family_name="Fifita")

    response = client_for(staff["north-caseworker"]).post(URL, new_client(nhi="ZAC5361"))

    assert response.status_code == 409
    candidates = response.json()["error"]["candidates"]
    assert candidates == [{"id": None, "display_name": None, "match": "nhi", "archived": None}]
    assert "Fifita" not in response.content.decode()


def test_same_name_and_birth_date_is_a_possible_duplicate_until_confirmed(
    client_for, staff, assigned_client
):
    cw = staff["north-caseworker"]
    existing = assigned_client(
        cw,
        legal_given_names="Mereana Aroha",
        legal_family_name="Ngātai",
        date_of_birth="1988-03-14",
    )
    client = client_for(cw)

    refused = client.post(URL, new_client(legal_given_names="MEREANA aroha"))
    confirmed = client.post(
        URL, new_client(legal_given_names="MEREANA aroha", confirm_not_duplicate=True)
    )

    assert refused.status_code == 409
    assert [c["id"] for c in refused.json()["error"]["candidates"]] == [str(existing.pk)]
    assert refused.json()["error"]["candidates"][0]["match"] == "name_and_date_of_birth"
    assert confirmed.status_code == 201
    assert Client.objects.count() == 2


def test_same_name_with_another_birth_date_or_agency_is_not_a_duplicate(
    client_for, staff, assigned_client
):
    assigned_client(
        staff["north-caseworker"],
        legal_given_names="Mereana Aroha",
        legal_family_name="Ngātai",
        date_of_birth="1988-03-15",
    )
    assigned_client(
        staff["south-caseworker"],
        legal_given_names="Mereana Aroha",
        legal_family_name="Ngātai",
        date_of_birth="1988-03-14",
    )

    response = client_for(staff["north-caseworker"]).post(URL, new_client())

    assert response.status_code == 201


def test_restricted_duplicate_candidate_is_redacted_for_staff_who_may_not_identify_them(
    client_for, staff, assigned_client
):
    assigned_client(
        staff["north-caseworker"],
        is_restricted=True,
        legal_given_names="Mereana Aroha",
        legal_family_name="Ngātai",
        preferred_name="Mere",
        date_of_birth="1988-03-14",
    )

    response = client_for(staff["north-caseworker2"]).post(URL, new_client(preferred_name=""))

    assert response.status_code == 409
    # Another caseworker's client: neither id nor name, only that a match exists.
    assert response.json()["error"]["candidates"] == [
        {"id": None, "display_name": None, "match": "name_and_date_of_birth", "archived": None}
    ]
    assert "ask your team lead" in response.json()["error"]["message"]
    assert "Mere " not in response.content.decode()


# The 404 wall


@pytest.mark.parametrize("username", OTHER_USERS)
def test_staff_without_access_get_404_on_read_update_and_actions(
    client_for, staff, assigned_client, username
):
    client = assigned_client(staff["north-caseworker"], legal_family_name="Pōmare")
    api = client_for(staff[username])
    events_before = AuditEvent.objects.count()

    assert api.get(detail(client)).status_code == 404
    assert api.patch(detail(client), {"legal_family_name": "Hacked"}).status_code == 404
    assert api.post(f"{detail(client)}archive/").status_code == 404
    assert api.post(f"{detail(client)}unarchive/").status_code == 404
    client.refresh_from_db()
    assert client.legal_family_name == "Pōmare"
    assert client.archived_at is None
    assert AuditEvent.objects.count() == events_before


def test_the_assigned_caseworker_reads_updates_and_archives(client_for, staff, assigned_client):
    client = assigned_client(staff["north-caseworker"])
    api = client_for(staff["north-caseworker"])

    assert api.get(detail(client)).status_code == 200
    assert api.patch(detail(client), {"phone": "09 555 0000"}).status_code == 200
    assert api.post(f"{detail(client)}archive/").status_code == 200


def test_unknown_and_malformed_ids_are_404(client_for, staff):
    api = client_for(staff["north-caseworker"])

    assert api.get(f"{URL}not-a-uuid/").status_code == 404
    assert api.get(f"{URL}00000000-0000-0000-0000-000000000000/").status_code == 404
    assert api.patch(f"{URL}not-a-uuid/", {"phone": "1"}).status_code == 404
    assert api.post(f"{URL}not-a-uuid/archive/").status_code == 404


def test_caseworker_lists_only_their_own_clients(client_for, staff, assigned_client):
    mine = assigned_client(staff["north-caseworker"])
    assigned_client(staff["north-caseworker2"])
    assigned_client(staff["south-caseworker"])

    body = client_for(staff["north-caseworker"]).get(URL).json()

    assert [row["id"] for row in body["results"]] == [str(mine.pk)]
    assert body["count"] == 1


@pytest.mark.parametrize("username", ["north-officer", "north-compliance", "north-admin"])
def test_roles_without_assignments_list_no_clients(client_for, staff, assigned_client, username):
    assigned_client(staff["north-caseworker"])

    body = client_for(staff[username]).get(URL).json()

    assert body["count"] == 0


# Restriction and the team lead


@pytest.fixture
def restricted_case(staff, led_case):
    from tests.factories import ClientFactory

    cw = staff["north-caseworker"]
    client = ClientFactory(
        agency=cw.agency,
        created_by=cw,
        is_restricted=True,
        legal_given_names="Huia",
        legal_family_name="Rangihuna",
        preferred_name="",
        nhi="ZBN77VL",
        phone="027 000 1111",
        email="huia@example.nz",
        address="Safe house",
    )
    return led_case(cw, client=client)


def test_team_lead_sees_a_team_case_client_with_identity_redacted(
    client_for, staff, restricted_case
):
    api = client_for(staff["north-lead"])
    url = f"{URL}{restricted_case.client_id}/"

    row = api.get(URL).json()["results"][0]
    read = api.get(url).json()

    for body in (row, read):
        assert body["id"] == str(restricted_case.client_id)
        assert body["is_restricted"] is True
        assert body["legal_given_names"] == "[restricted]"
        assert body["legal_family_name"] == "[restricted]"
        assert body["display_name"] == "Restricted client"
        assert body["nhi"] is None
        assert body["phone"] == body["email"] == body["address"] == "[restricted]"
    text = api.get(url).content.decode()
    for secret in ("Huia", "Rangihuna", "ZBN77VL", "027 000 1111", "Safe house"):
        assert secret not in text


def test_assigned_caseworker_sees_the_restricted_clients_identity(
    client_for, staff, restricted_case
):
    read = client_for(staff["north-caseworker"]).get(f"{URL}{restricted_case.client_id}/").json()

    assert read["legal_given_names"] == "Huia"
    assert read["nhi"] == "ZBN77VL"
    assert read["address"] == "Safe house"
    assert read["display_name"] == "Huia Rangihuna"


@pytest.mark.parametrize("term", ["Rangihuna", "huia", "ZBN77VL", "zbn77vl"])
def test_search_does_not_find_a_restricted_client_for_the_team_lead(
    client_for, staff, restricted_case, term
):
    lead = client_for(staff["north-lead"]).get(URL, {"search": term}).json()
    assigned = client_for(staff["north-caseworker"]).get(URL, {"search": term}).json()

    assert lead["count"] == 0
    assert [r["id"] for r in assigned["results"]] == [str(restricted_case.client_id)]


def test_team_lead_finds_unrestricted_team_clients_by_name_and_nhi(client_for, staff, led_case):
    from tests.factories import ClientFactory

    cw = staff["north-caseworker"]
    client = ClientFactory(
        agency=cw.agency, created_by=cw, legal_family_name="Wīrihana", nhi="ACA31FM"
    )
    led_case(cw, client=client)
    api = client_for(staff["north-lead"])

    by_name = api.get(URL, {"search": "wīrihana"}).json()
    by_nhi = api.get(URL, {"search": "aca31fm"}).json()

    assert [r["id"] for r in by_name["results"]] == [str(client.pk)]
    assert [r["id"] for r in by_nhi["results"]] == [str(client.pk)]
    assert by_name["results"][0]["legal_family_name"] == "Wīrihana"


def test_team_lead_does_not_see_clients_of_other_teams_or_without_cases(
    client_for, staff, assigned_client, led_case
):
    assigned_client(staff["north-caseworker"])
    led_case(staff["south-caseworker"])

    body = client_for(staff["north-lead"]).get(URL).json()

    assert body["count"] == 0


def test_name_ordering_puts_clients_hidden_from_the_viewer_last(
    client_for, staff, restricted_case, led_case
):
    from tests.factories import ClientFactory

    cw = staff["north-caseworker"]
    for family in ("Zane", "Adams"):
        led_case(
            cw, client=ClientFactory(agency=cw.agency, created_by=cw, legal_family_name=family)
        )

    lead = client_for(staff["north-lead"]).get(URL, {"ordering": "name"}).json()
    reverse = client_for(staff["north-lead"]).get(URL, {"ordering": "-name"}).json()
    assigned = client_for(cw).get(URL, {"ordering": "name"}).json()

    assert [r["display_name"].split()[-1] for r in lead["results"]] == [
        "Adams",
        "Zane",
        "client",
    ]
    assert [r["display_name"].split()[-1] for r in reverse["results"]] == [
        "Zane",
        "Adams",
        "client",
    ]
    assert [r["legal_family_name"] for r in assigned["results"]] == ["Adams", "Rangihuna", "Zane"]


def test_a_team_lead_who_leads_a_restricted_client_themselves_sees_them_in_name_order(
    client_for, staff, restricted_case, led_case
):
    from casework import access
    from tests.factories import CaseFactory, ClientFactory

    cw = staff["north-caseworker"]
    lead = staff["north-lead"]
    led_case(cw, client=ClientFactory(agency=cw.agency, created_by=cw, legal_family_name="Zane"))
    own = ClientFactory(
        agency=lead.agency, created_by=lead, is_restricted=True, legal_family_name="Moana"
    )
    access.grant_case_to_user(
        CaseFactory(agency=lead.agency, client=own, lead_caseworker=lead, team=None), lead
    )

    page = client_for(lead).get(URL, {"ordering": "name"}).json()

    # Their own restricted client is named and in place; the team's restricted client
    # (Rangihuna, identified only by its caseworker) stays last and unnamed.
    assert [r["display_name"].split()[-1] for r in page["results"]] == [
        "Moana",
        "Zane",
        "client",
    ]


# A team lead who leads restricted clients' cases themselves (named among the rest).
_LEAD_WORLD = [  # family name, restricted, led by the lead themselves
    ("Adams", False, False),
    ("Brown", True, True),
    ("Hemi", False, True),
    ("Kahu", True, False),
    ("Moana", True, True),
    ("Tipene", False, False),
    ("Wiremu", True, False),
    ("Zane", False, True),
]
_LEAD_ORDER = {
    # The restricted clients the lead does not identify come last, by registration.
    "name": ["Adams", "Brown", "Hemi", "Moana", "Tipene", "Zane", "Kahu", "Wiremu"],
    "-name": ["Zane", "Tipene", "Moana", "Hemi", "Brown", "Adams", "Kahu", "Wiremu"],
}


@pytest.fixture
def lead_world(staff, led_case):
    """_LEAD_WORLD's clients, each with a case of the north team; their ids by family name."""
    from tests.factories import ClientFactory

    ids = {}
    for family, restricted, own in _LEAD_WORLD:
        leader = staff["north-lead" if own else "north-caseworker"]
        client = ClientFactory(
            agency=leader.agency,
            created_by=leader,
            legal_family_name=family,
            is_restricted=restricted,
        )
        led_case(leader, client=client)
        ids[family] = str(client.pk)
    return ids


@pytest.mark.parametrize("ordering", ["name", "-name"])
def test_a_lead_identifying_restricted_clients_pages_through_the_name_order(
    client_for, staff, lead_world, ordering
):
    from casework.redaction import REDACTED

    api = client_for(staff["north-lead"])

    pages = [
        api.get(URL, {"ordering": ordering, "page_size": 3, "page": n}).json() for n in (1, 2, 3)
    ]
    past_the_end = api.get(URL, {"ordering": ordering, "page_size": 3, "page": 4})

    rows = [row for page in pages for row in page["results"]]
    assert [row["id"] for row in rows] == [lead_world[f] for f in _LEAD_ORDER[ordering]]
    assert {page["count"] for page in pages} == {len(_LEAD_WORLD)}
    named = {row["id"]: row["legal_family_name"] for row in rows}
    assert named[lead_world["Moana"]] == "Moana"  # theirs: shown
    assert named[lead_world["Kahu"]] == REDACTED  # the caseworker's: redacted
    assert past_the_end.status_code == 404


def test_a_lead_identifying_restricted_clients_reads_a_page_in_the_same_queries_at_any_size(
    client_for, staff, lead_world, list_queries
):
    api = client_for(staff["north-lead"])

    assert list_queries(api, URL, 2) == list_queries(api, URL, 6)


def test_a_lead_identifying_restricted_clients_gets_404_for_a_page_far_past_the_end(
    client_for, staff, lead_world, settings
):
    settings.API_COUNT_LIMIT = 2  # the count stops early: any page number is served
    api = client_for(staff["north-lead"])

    # The page starts within what OFFSET can say and ends past it.
    response = api.get(URL, {"page_size": 200, "page": 2**63 // 200 + 1})

    assert response.status_code == 404


@pytest.mark.postgres
def test_on_postgresql_a_lead_identifying_restricted_clients_reads_merged_pages(
    client_for, staff, lead_world
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = client_for(staff["north-lead"])

    with CaptureQueriesContext(connection) as ctx:
        page = api.get(URL, {"page_size": 4, "page": 2}).json()

    assert [row["id"] for row in page["results"]] == [
        lead_world[f] for f in _LEAD_ORDER["name"][4:8]
    ]
    # The page: the index-ordered part read as far as the page's end, and the named part.
    merged = [q["sql"] for q in ctx.captured_queries if "UNION ALL" in q["sql"]]
    assert len(merged) == 1
    assert "LIMIT 8" in merged[0]


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("ordering", "index"), [("name", "client_name_order"), ("-name", "client_name_order_desc")]
)
def test_on_postgresql_a_team_leads_name_order_is_an_index_order(
    client_for, staff, led_case, ordering, index
):
    """The page query's ORDER BY is the index's own keys, so PostgreSQL can read the page
    along the index instead of sorting the team's clients (sorting is switched off here, as a
    small test table would be sorted anyway)."""
    for _ in range(3):
        led_case(staff["north-caseworker"])

    body, plan = page_plan(client_for(staff["north-lead"]), URL, {"ordering": ordering})

    assert body["count"] == 3
    assert f"Index Scan using {index} " in plan or f"Index Scan Backward using {index} " in plan
    assert " Sort " not in plan
    assert not plan.lstrip().startswith("Sort")


@pytest.mark.parametrize("searcher", ["north-lead", "north-caseworker"])
@pytest.mark.parametrize("ordering", ["created_at", "-created_at"])
def test_clients_by_registration_page_in_registration_order(
    client_for, staff, led_case, searcher, ordering
):
    # A team lead's page is read along an index, anyone else's sorted: the same order.
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import ClientFactory

    cw = staff["north-caseworker"]
    start = timezone.now() - timedelta(days=30)
    registered = []
    for n in (3, 0, 2, 1, 4):
        client = ClientFactory(agency=cw.agency, created_by=cw)
        Client.objects.filter(pk=client.pk).update(created_at=start + timedelta(days=n))
        led_case(cw, client=client)
        registered.append((n, str(client.pk)))
    expected = [pk for _n, pk in sorted(registered, reverse=ordering.startswith("-"))]
    api = client_for(staff[searcher])

    pages = [
        api.get(URL, {"ordering": ordering, "page_size": 2, "page": n}).json()["results"]
        for n in (1, 2, 3)
    ]

    assert [row["id"] for page in pages for row in page] == expected


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("username", "read_along_index"), [("north-lead", True), ("north-caseworker", False)]
)
def test_on_postgresql_only_a_team_leads_registration_order_is_an_index_order(
    client_for, staff, led_case, username, read_along_index
):
    for _ in range(3):
        led_case(staff["north-caseworker"])

    body, plan = page_plan(client_for(staff[username]), URL, {"ordering": "-created_at"})

    assert body["count"] == 3
    assert ("Index Scan using client_created_order " in plan) is read_along_index
    assert (" Sort " in plan or plan.lstrip().startswith("Sort")) is not read_along_index


@pytest.mark.postgres
def test_on_postgresql_a_team_leads_restricted_clients_start_where_the_index_holds_them(
    client_for, staff, led_case
):
    """`is_restricted=true` is also stated as the name-order index's first key, so the page
    is read from where the restricted clients start, not after every other client."""
    from tests.factories import ClientFactory

    cw = staff["north-caseworker"]
    for restricted in (True, False, False):
        led_case(cw, ClientFactory(agency=cw.agency, created_by=cw, is_restricted=restricted))

    body, plan = page_plan(client_for(staff["north-lead"]), URL, {"is_restricted": "true"})

    assert body["count"] == 1
    (scan,) = [line for line in plan.splitlines() if "using client_name_order " in line]
    index_cond = plan.split(scan, 1)[1].splitlines()[1]
    assert "Index Cond" in index_cond
    assert "CASE WHEN is_restricted THEN 1 ELSE 0 END = 1" in index_cond


@pytest.mark.parametrize("ordering", ["name", "-name"])
def test_a_team_leads_search_comes_in_the_lists_name_order(client_for, staff, led_case, ordering):
    from tests.factories import ClientFactory

    cw = staff["north-caseworker"]
    names = [("Hone", "Walker"), ("Aroha", "Walker"), ("Mere", "Walkerson"), ("Tama", "Ngata")]
    for given, family in names:
        led_case(
            cw,
            client=ClientFactory(
                agency=cw.agency, created_by=cw, legal_given_names=given, legal_family_name=family
            ),
        )
    api = client_for(staff["north-lead"])

    found = api.get(URL, {"search": "walker", "ordering": ordering}).json()["results"]

    expected = ["Aroha Walker", "Hone Walker", "Mere Walkerson"]
    if ordering == "-name":
        expected.reverse()
    assert [row["display_name"] for row in found] == expected


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("column", ["legal_given_names", "legal_family_name", "preferred_name"])
def test_on_postgresql_the_name_search_lookups_are_what_the_trigram_indexes_hold(column):
    """`client_search` compares each folded name with icontains; migration 0009 indexes
    exactly that expression, or PostgreSQL could not use the index (a sequential scan is
    switched off here, as a small test table would be scanned)."""
    from django.db import connection, transaction

    from core.nz.text import macrons_folded

    lookup = Client.objects.alias(folded=macrons_folded(column)).filter(folded__icontains="walker")
    sql, params = lookup.values("pk").query.sql_with_params()

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert f"Bitmap Index Scan on client_search_{column}" in plan


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("term", "indexed"), [("walker", True), ("ng walker", True), ("ng", False)]
)
def test_on_postgresql_only_words_of_three_letters_or_more_are_looked_up_in_the_indexes(
    term, indexed
):
    """The trigram indexes cannot find a shorter word: scanning all of them for it cost more
    than testing the viewer's clients one by one, so such words are compared in a form
    the indexes do not hold."""
    from django.db import connection, transaction

    from casework.selectors.clients import clients_named

    sql, params = (
        clients_named(Client.objects.all(), term=term).values("pk").query.sql_with_params()
    )

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert ("Bitmap Index Scan on client_search_" in plan) is indexed


@pytest.mark.parametrize(
    ("term", "indexed"),
    [
        ("a", False),
        ("ng", False),
        ("Ā ng", False),
        ("ngā", True),
        ("ng walker", True),
        (" ", False),
    ],
)
def test_a_search_is_indexed_when_a_word_has_three_letters_or_more(term, indexed):
    from casework.selectors.clients import search_is_indexed

    assert search_is_indexed(term) is indexed


@pytest.mark.parametrize(
    ("term", "found"), [("lê", {"Lê"}), ("ü", {"Müller"}), ("ß", {"Strauß"}), ("ss", {"Ross"})]
)
def test_short_words_are_upper_cased_by_the_database_on_both_sides(
    client_for, staff, assigned_client, term, found
):
    # Python's upper-casing differs from the database's ("ß" becomes "SS"; SQLite leaves
    # non-ASCII letters alone): a word compared one way and the names another missed "Lê".
    cw = staff["north-caseworker"]
    for family in ("Lê", "Müller", "Strauß", "Ross"):
        assigned_client(cw, legal_given_names="Kim", legal_family_name=family, preferred_name="")

    rows = client_for(cw).get(URL, {"search": term}).json()["results"]

    assert {row["legal_family_name"] for row in rows} == found


@pytest.mark.parametrize("searcher", ["north-caseworker", "north-lead"])
@pytest.mark.parametrize(
    ("term", "found"),
    [("ng", {"Ngātai", "Ngata"}), ("NGĀ", {"Ngātai", "Ngata"}), ("ai", {"Ngātai"}),
     ("ng mere", {"Ngata"}), ("ā h", {"Ngātai", "Walker"}), ("zz", set())],
)  # fmt: skip
def test_short_words_match_like_long_ones(client_for, staff, led_case, searcher, term, found):
    from tests.factories import ClientFactory

    def client_of(worker, given, family, **fields):
        return ClientFactory(
            agency=worker.agency,
            created_by=worker,
            legal_given_names=given,
            legal_family_name=family,
            preferred_name="",
            **fields,
        )

    cw = staff["north-caseworker"]
    for given, family in [("Aroha", "Ngātai"), ("Mere", "Ngata"), ("Hemi", "Walker")]:
        led_case(cw, client_of(cw, given, family))
    # Never found: another agency's client, and a restricted one neither searcher identifies.
    south = staff["south-caseworker"]
    led_case(south, client_of(south, "Hōhepa", "Ngaro"))
    cw2 = staff["north-caseworker2"]
    led_case(cw2, client_of(cw2, "Ngaire", "Nga", is_restricted=True))

    rows = client_for(staff[searcher]).get(URL, {"search": term}).json()["results"]

    assert {row["legal_family_name"] for row in rows} == found


# Audit of reads


def test_retrieve_writes_a_view_audit_event(client_for, staff, assigned_client):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)

    client_for(cw).get(detail(client))

    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert event.object_type == "casework.client"
    assert event.object_id == str(client.pk)
    assert event.actor_id == cw.pk
    assert event.agency_id == cw.agency_id
    assert event.changes == {"identity_shown": True}


def test_team_lead_view_event_records_that_identity_was_hidden(client_for, staff, restricted_case):
    client_for(staff["north-lead"]).get(f"{URL}{restricted_case.client_id}/")

    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert event.actor_id == staff["north-lead"].pk
    assert event.changes == {"identity_shown": False}


def test_refused_retrieve_writes_no_view_event(client_for, staff, assigned_client):
    client = assigned_client(staff["north-caseworker"])

    client_for(staff["north-caseworker2"]).get(detail(client))

    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


# Archive


def test_archive_hides_from_default_list_and_archived_filter_shows_it(
    client_for, staff, assigned_client
):
    cw = staff["north-caseworker"]
    kept = assigned_client(cw)
    gone = assigned_client(cw)
    api = client_for(cw)

    response = api.post(f"{detail(gone)}archive/")

    assert response.status_code == 200
    assert response.json()["archived_at"] is not None
    assert [r["id"] for r in api.get(URL).json()["results"]] == [str(kept.pk)]
    assert [r["id"] for r in api.get(URL, {"archived": "true"}).json()["results"]] == [str(gone.pk)]
    assert api.get(detail(gone)).status_code == 200


def test_unarchive_brings_the_client_back(client_for, staff, assigned_client):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)
    api = client_for(cw)
    api.post(f"{detail(client)}archive/")

    response = api.post(f"{detail(client)}unarchive/")

    assert response.status_code == 200
    assert response.json()["archived_at"] is None
    assert [r["id"] for r in api.get(URL).json()["results"]] == [str(client.pk)]


def test_archiving_twice_or_unarchiving_a_current_client_is_a_conflict(
    client_for, staff, assigned_client
):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)
    api = client_for(cw)

    assert api.post(f"{detail(client)}unarchive/").status_code == 409
    assert api.post(f"{detail(client)}archive/").status_code == 200
    assert api.post(f"{detail(client)}archive/").json()["error"]["code"] == "already_archived"


def test_an_archived_client_cannot_be_changed_until_unarchived(client_for, staff, assigned_client):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)
    api = client_for(cw)
    api.post(f"{detail(client)}archive/")

    refused = api.patch(detail(client), {"phone": "09 111 2222"})
    api.post(f"{detail(client)}unarchive/")
    accepted = api.patch(detail(client), {"phone": "09 111 2222"})

    assert refused.status_code == 409
    assert accepted.status_code == 200


def test_clients_cannot_be_deleted_or_replaced_wholesale(client_for, staff, assigned_client):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)
    api = client_for(cw)

    assert api.delete(detail(client)).status_code == 405
    assert api.put(detail(client), new_client()).status_code == 405
    assert Client.objects.filter(pk=client.pk).exists()


# Updates


def test_patch_changes_fields_replaces_lists_and_audits_old_and_new(
    client_for, staff, assigned_client
):
    cw = staff["north-caseworker"]
    client = assigned_client(cw, region="01", preferred_name="")
    api = client_for(cw)
    api.patch(detail(client), {"ethnicities": ["11"], "iwi": ["0104"]})

    response = api.patch(
        detail(client),
        {"region": "13", "preferred_name": "Ngā", "ethnicities": ["31111", "21"], "iwi": []},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["region"] == "13"
    assert body["ethnicities"] == ["31111", "21"]
    assert body["prioritised_ethnicity"] == "2"
    assert body["iwi"] == []
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE).latest("id")
    assert event.changes["region"] == {"old": "01", "new": "13"}
    assert event.changes["preferred_name"] == {"old": "", "new": "Ngā"}
    assert event.changes["ethnicities"] == {"old": ["11"], "new": ["31111", "21"]}
    assert event.changes["iwi"] == {"old": ["0104"], "new": []}


def test_patch_with_an_invalid_nhi_changes_nothing(client_for, staff, assigned_client):
    cw = staff["north-caseworker"]
    client = assigned_client(cw, region="01")
    events_before = AuditEvent.objects.count()

    response = client_for(cw).patch(detail(client), {"region": "13", "nhi": "JBX3657"})

    assert response.status_code == 400
    assert "nhi" in response.json()["error"]["fields"]
    client.refresh_from_db()
    assert client.region == "01"
    assert AuditEvent.objects.count() == events_before


def test_patch_to_an_nhi_of_another_client_is_a_conflict(client_for, staff, assigned_client):
    cw = staff["north-caseworker"]
    assigned_client(staff["south-caseworker"], nhi="ZAC5361")
    client = assigned_client(cw)

    response = client_for(cw).patch(detail(client), {"nhi": "ZAC5361"})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "nhi_in_use"


def test_team_lead_cannot_lift_a_restriction_or_rename_a_restricted_client(
    client_for, staff, restricted_case
):
    api = client_for(staff["north-lead"])
    url = f"{URL}{restricted_case.client_id}/"

    lift = api.patch(url, {"is_restricted": False})
    rename = api.patch(url, {"legal_family_name": "Smith"})
    region = api.patch(url, {"region": "02"})

    assert lift.status_code == 403
    assert rename.status_code == 403
    assert region.status_code == 200
    client = Client.objects.get(pk=restricted_case.client_id)
    assert client.is_restricted is True
    assert client.legal_family_name == "Rangihuna"


def test_assigned_caseworker_lifts_a_restriction_and_it_is_audited(
    client_for, staff, restricted_case
):
    api = client_for(staff["north-caseworker"])

    response = api.patch(f"{URL}{restricted_case.client_id}/", {"is_restricted": False})

    assert response.status_code == 200
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE).latest("id")
    assert event.changes == {"is_restricted": {"old": True, "new": False}}


def test_team_lead_may_restrict_a_team_client(client_for, staff, led_case):
    case = led_case(staff["north-caseworker"])

    response = client_for(staff["north-lead"]).patch(
        f"{URL}{case.client_id}/", {"is_restricted": True}
    )

    assert response.status_code == 200
    assert response.json()["display_name"] == "Restricted client"
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE).latest("id")
    assert event.changes == {"is_restricted": {"old": False, "new": True}}


# Filters


def test_list_filters_by_region_gender_and_restriction(client_for, staff, assigned_client):
    cw = staff["north-caseworker"]
    north = assigned_client(cw, region="01", gender="female")
    south = assigned_client(cw, region="13", gender="male", is_restricted=True)
    api = client_for(cw)

    def ids(**params):
        return [r["id"] for r in api.get(URL, params).json()["results"]]

    assert ids(region="13") == [str(south.pk)]
    assert ids(gender="female") == [str(north.pk)]
    assert ids(is_restricted="true") == [str(south.pk)]
    assert ids(is_restricted="false") == [str(north.pk)]
    assert api.get(URL, {"is_restricted": "perhaps"}).status_code == 400


@pytest.mark.parametrize("ordering", ["name", "-name", "created_at"])
def test_a_team_lead_filters_by_restriction_in_any_order(client_for, staff, led_case, ordering):
    from tests.factories import ClientFactory

    cw = staff["north-caseworker"]
    restricted = [
        led_case(cw, ClientFactory(agency=cw.agency, created_by=cw, is_restricted=True)).client
        for _ in range(2)
    ]
    plain = [led_case(cw).client for _ in range(2)]
    api = client_for(staff["north-lead"])

    def ids(value):
        params = {"is_restricted": value, "ordering": ordering}
        return {row["id"] for row in api.get(URL, params).json()["results"]}

    assert ids("true") == {str(c.pk) for c in restricted}
    assert ids("false") == {str(c.pk) for c in plain}


def test_ethnicity_filter_matches_the_code_and_finer_codes(client_for, staff):
    cw = staff["north-caseworker"]
    api = client_for(cw)
    maori = api.post(URL, new_client(legal_family_name="A", ethnicities=["21111"])).json()
    samoan_nzeuro = api.post(
        URL, new_client(legal_family_name="B", ethnicities=["11", "31111"])
    ).json()
    nz_euro = api.post(URL, new_client(legal_family_name="C", ethnicities=["11111"])).json()

    def ids(**params):
        return {r["id"] for r in api.get(URL, params).json()["results"]}

    assert ids(ethnicity="2") == {maori["id"]}
    assert ids(ethnicity="21") == {maori["id"]}
    assert ids(ethnicity="11") == {samoan_nzeuro["id"], nz_euro["id"]}
    assert ids(ethnicity="11111") == {nz_euro["id"]}
    assert ids(prioritised_ethnicity="3") == {samoan_nzeuro["id"]}
    assert ids(prioritised_ethnicity="1") == {nz_euro["id"]}


def test_iwi_and_date_filters(client_for, staff):
    api = client_for(staff["north-caseworker"])
    ngapuhi = api.post(
        URL, new_client(legal_family_name="A", iwi=["0104"], date_of_birth="1960-01-01")
    ).json()
    kai_tahu = api.post(
        URL, new_client(legal_family_name="B", iwi=["1109"], date_of_birth="2001-06-30")
    ).json()

    def ids(**params):
        return {r["id"] for r in api.get(URL, params).json()["results"]}

    assert ids(iwi="0104") == {ngapuhi["id"]}
    assert ids(iwi="11") == {kai_tahu["id"]}
    assert ids(date_of_birth_after="2000-01-01") == {kai_tahu["id"]}
    assert ids(date_of_birth_before="1999-12-31") == {ngapuhi["id"]}
    assert ids(created_after="2000-01-01T00:00:00Z") == {ngapuhi["id"], kai_tahu["id"]}
    assert ids(created_before="2000-01-01T00:00:00Z") == set()


@pytest.mark.parametrize(
    "params",
    [
        {"region": "10"},
        {"ethnicity": "7"},
        {"iwi": "9998"},
        {"prioritised_ethnicity": "8"},
        {"archived": "perhaps"},
        {"date_of_birth_after": "yesterday"},
        {"ordering": "nhi"},
    ],
)
def test_malformed_filter_values_are_400(client_for, staff, params):
    response = client_for(staff["north-caseworker"]).get(URL, params)

    assert response.status_code == 400


def test_list_query_count_does_not_grow_with_page_size(
    client_for, staff, assigned_client, list_queries
):
    cw = staff["north-caseworker"]
    api = client_for(cw)
    for n in range(12):
        api.post(
            URL,
            new_client(
                legal_family_name=f"Whānau{n}",
                ethnicities=["21111", "11"],
                iwi=["0104", "1109"],
                is_restricted=n % 3 == 0,
            ),
        )

    assert list_queries(api, URL, 2) == list_queries(api, URL, 10)
    assert list_queries(api, URL, 2, search="Whānau") == list_queries(api, URL, 10, search="Whānau")


# Guessing a restricted client's identity


@pytest.mark.parametrize(
    ("field", "guess"),
    [
        ("legal_family_name", "Rangihuna"),
        ("legal_given_names", "Huia"),
        ("nhi", "ZBN77VL"),
        ("address", "Safe house"),
        ("is_restricted", True),
    ],
)
def test_team_lead_sending_a_restricted_clients_recorded_value_is_refused_like_any_other(
    client_for, staff, restricted_case, field, guess
):
    api = client_for(staff["north-lead"])
    url = f"{URL}{restricted_case.client_id}/"

    right = api.patch(url, {field: guess}, format="json")
    wrong = api.patch(url, {field: "Wrong guess" if field != "is_restricted" else False})

    assert right.status_code == wrong.status_code == 403
    assert right.json()["error"]["fields"] == {
        field: ["Only the assigned caseworker may change this."]
    }


def test_assigned_caseworker_may_send_a_restricted_clients_recorded_values(
    client_for, staff, restricted_case
):
    response = client_for(staff["north-caseworker"]).patch(
        f"{URL}{restricted_case.client_id}/",
        {"legal_family_name": "Rangihuna", "nhi": "ZBN77VL", "is_restricted": True},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["legal_family_name"] == "Rangihuna"


# Duplicates that must not be named


def test_team_lead_gets_a_neutral_duplicate_for_a_restricted_team_client(
    client_for, staff, restricted_case
):
    # The factory's birth dates run on with the suite; pin one that is in the past.
    Client.objects.filter(pk=restricted_case.client_id).update(date_of_birth="1990-05-01")

    response = client_for(staff["north-lead"]).post(
        URL,
        new_client(
            legal_given_names="Huia",
            legal_family_name="Rangihuna",
            date_of_birth="1990-05-01",
            nhi="ZBN77VL",
        ),
    )

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["candidates"] == [
        {"id": None, "display_name": None, "match": "nhi", "archived": None},
        {"id": None, "display_name": None, "match": "name_and_date_of_birth", "archived": None},
    ]
    assert str(restricted_case.client_id) not in response.content.decode()
    assert "ask your team lead" in error["message"]


def test_team_lead_gets_an_unrestricted_team_client_as_a_named_candidate(
    client_for, staff, led_case
):
    from tests.factories import ClientFactory

    cw = staff["north-caseworker"]
    existing = led_case(
        cw, client=ClientFactory(agency=cw.agency, created_by=cw, date_of_birth="1990-05-01")
    ).client

    response = client_for(staff["north-lead"]).post(
        URL,
        new_client(
            legal_given_names=existing.legal_given_names,
            legal_family_name=existing.legal_family_name,
            date_of_birth="1990-05-01",
        ),
    )

    assert response.status_code == 409
    assert response.json()["error"]["candidates"] == [
        {
            "id": str(existing.pk),
            "display_name": existing.display_name,
            "match": "name_and_date_of_birth",
            "archived": False,
        }
    ]


# Dates no record can hold


@pytest.mark.parametrize("param", ["created_after", "created_before"])
def test_a_year_one_created_filter_is_400_not_500(client_for, staff, param):
    response = client_for(staff["north-caseworker"]).get(URL, {param: "0001-01-01T00:00:00"})

    assert response.status_code == 400
    assert param in response.json()["error"]["fields"]


def test_a_plausible_created_filter_still_filters(client_for, staff, assigned_client):
    client = assigned_client(staff["north-caseworker"])

    response = client_for(staff["north-caseworker"]).get(
        URL, {"created_after": "2000-01-01T00:00:00"}
    )

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(client.pk)]


@pytest.mark.parametrize("date_of_birth", ["0001-01-01", "1899-12-31", "2999-01-01"])
def test_an_absurd_date_of_birth_is_400(client_for, staff, date_of_birth):
    response = client_for(staff["north-caseworker"]).post(
        URL, new_client(date_of_birth=date_of_birth)
    )

    assert response.status_code == 400
    assert "date_of_birth" in response.json()["error"]["fields"]
    assert not Client.objects.exists()


def test_the_earliest_plausible_date_of_birth_is_accepted(client_for, staff):
    response = client_for(staff["north-caseworker"]).post(
        URL, new_client(date_of_birth="1900-01-01")
    )

    assert response.status_code == 201


# Filters by the client's cases


def test_team_lead_filters_clients_by_lead_caseworker_and_case_status(client_for, staff, led_case):
    from casework.services.cases import case_transition

    cw, cw2 = staff["north-caseworker"], staff["north-caseworker2"]
    first = led_case(cw)
    second = led_case(cw2)
    case_transition(actor=cw2, case=second, to_status="intake")
    api = client_for(staff["north-lead"])

    def ids(**params):
        return {row["id"] for row in api.get(URL, params).json()["results"]}

    assert ids(caseworker=str(cw.pk)) == {str(first.client_id)}
    assert ids(caseworker=str(cw2.pk)) == {str(second.client_id)}
    assert ids(case_status="intake") == {str(second.client_id)}
    assert ids(case_status=["referred", "intake"]) == {str(first.client_id), str(second.client_id)}
    assert ids() == {str(first.client_id), str(second.client_id)}


@pytest.mark.parametrize("viewer", ["north-caseworker", "north-lead"])
def test_case_filters_find_the_members_of_a_whanau_case(client_for, staff, led_case, viewer):
    from casework.models import Relationship, Whanau, WhanauMember
    from casework.services.cases import case_transition
    from tests.factories import ClientFactory

    cw, cw2 = staff["north-caseworker"], staff["north-caseworker2"]
    whanau = Whanau.objects.create(agency=cw.agency, name="Te Whānau o Hine", created_by=cw)
    members = [ClientFactory(agency=cw.agency, created_by=cw) for _ in range(2)]
    for member in members:
        WhanauMember.objects.create(whanau=whanau, client=member, relationship=Relationship.SIBLING)
    WhanauMember.objects.create(whanau=whanau, name="Koro", relationship=Relationship.GRANDPARENT)
    case = led_case(cw, whanau=whanau)
    case_transition(actor=cw, case=case, to_status="intake")
    own = led_case(cw)  # a client's own case, still referred
    led_case(cw2)  # another caseworker's client: never found through cw
    api = client_for(staff[viewer])

    def ids(**params):
        return {row["id"] for row in api.get(URL, params).json()["results"]}

    whanau_ids = {str(member.pk) for member in members}
    assert ids(caseworker=str(cw.pk)) == whanau_ids | {str(own.client_id)}
    assert ids(case_status="intake") == whanau_ids
    assert ids(case_status="referred") - ids(caseworker=str(cw2.pk)) == {str(own.client_id)}


def test_case_filters_count_only_cases_the_viewer_may_see(client_for, staff, led_case):
    from casework import access

    cw, cw2 = staff["north-caseworker"], staff["north-caseworker2"]
    case = led_case(cw)
    # cw2 also sees the client (say, through a stray grant) but not cw's case.
    access.grant_client_to_user(case.client, cw2)
    api = client_for(cw2)

    assert api.get(URL, {"caseworker": str(cw.pk)}).json()["count"] == 0
    assert api.get(URL, {"case_status": "referred"}).json()["count"] == 0
    assert api.get(URL).json()["count"] == 1


def test_an_unknown_case_status_filter_is_400(client_for, staff):
    response = client_for(staff["north-lead"]).get(URL, {"case_status": "lost"})

    assert response.status_code == 400


@pytest.mark.parametrize("term", ["Ngatai", "ngātai", "NGĀTAI", "ngatai aroha", "Arohā"])
def test_search_folds_macrons_both_ways(client_for, staff, assigned_client, term):
    cw = staff["north-caseworker"]
    client = assigned_client(cw, legal_given_names="Aroha", legal_family_name="Ngātai")
    assigned_client(cw, legal_given_names="Mere", legal_family_name="Ngata")

    found = client_for(cw).get(URL, {"search": term}).json()

    assert [r["id"] for r in found["results"]] == [str(client.pk)]


def test_list_fetches_only_the_agency_slug(
    client_for, staff, assigned_client, django_assert_max_num_queries
):
    cw = staff["north-caseworker"]
    assigned_client(cw)

    with django_assert_max_num_queries(10) as captured:
        (row,) = client_for(cw).get(URL).json()["results"]

    page_sql = next(q["sql"] for q in captured if '"casework_client"."address"' in q["sql"])
    assert '"core_agency"."slug"' in page_sql
    assert '"core_agency"."kind"' not in page_sql
    assert row["agency"] == "north"
