"""The whānau API: visibility, members and their primary contact, redaction and audit."""

import pytest

from casework import access
from casework.models import Whanau, WhanauMember
from core.models import AuditAction, AuditEvent
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/whanau/"
OTHER_AGENCY = ["south-caseworker", "south-lead", "south-admin", "south-compliance"]


def members_url(whanau_id):
    return f"{URL}{whanau_id}/members/"


def member_url(whanau_id, member_id):
    return f"{URL}{whanau_id}/members/{member_id}/"


@pytest.fixture
def whanau_of(client_for):
    """A whānau registered through the API by `user`, with the given members."""

    def make(user, *members, name="Te whānau o Ngātai"):
        response = client_for(user).post(URL, {"name": name, "members": list(members)})
        assert response.status_code == 201, response.json()
        return response.json()

    return make


def test_caseworker_registers_a_whanau_with_members_and_the_first_is_primary(
    client_for, staff, assigned_client, whanau_of
):
    cw = staff["north-caseworker"]
    client = assigned_client(cw, legal_given_names="Aroha", legal_family_name="Ngātai")

    body = whanau_of(
        cw,
        {"client": str(client.pk), "relationship": "parent"},
        {"name": "Kahurangi Ngātai", "relationship": "mokopuna"},
    )

    assert body["agency"] == "north"
    assert body["name"] == "Te whānau o Ngātai"
    members = {m["name"]: m for m in body["members"]}
    assert members["Aroha Ngātai"]["is_primary_contact"] is True
    assert members["Aroha Ngātai"]["client"] == str(client.pk)
    assert members["Kahurangi Ngātai"]["is_primary_contact"] is False
    assert members["Kahurangi Ngātai"]["is_client"] is False


def test_creating_a_whanau_is_audited(client_for, staff, whanau_of):
    body = whanau_of(staff["north-caseworker"], {"name": "Rua", "relationship": "sibling"})

    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="casework.whanau", object_id=body["id"]
    ).exists()
    member_event = AuditEvent.objects.get(
        action=AuditAction.CREATE, object_type="casework.whanaumember"
    )
    assert member_event.changes["name"] == {"old": None, "new": "Rua"}
    assert member_event.agency_id == staff["north-caseworker"].agency_id


def test_two_primary_contacts_on_create_are_refused(client_for, staff):
    response = client_for(staff["north-caseworker"]).post(
        URL,
        {
            "name": "Pōmare",
            "members": [
                {"name": "A", "relationship": "parent", "is_primary_contact": True},
                {"name": "B", "relationship": "parent", "is_primary_contact": True},
            ],
        },
    )

    assert response.status_code == 400
    assert "members" in response.json()["error"]["fields"]
    assert not Whanau.objects.exists()


def test_non_client_member_without_a_name_is_400_and_nothing_is_written(client_for, staff):
    events_before = AuditEvent.objects.count()

    response = client_for(staff["north-caseworker"]).post(
        URL, {"name": "Pōmare", "members": [{"relationship": "cousin"}]}
    )

    assert response.status_code == 400
    assert "name" in response.json()["error"]["fields"]["members"][0]
    assert not Whanau.objects.exists()
    assert AuditEvent.objects.count() == events_before


def test_adding_a_named_non_client_member_works(client_for, staff, whanau_of):
    cw = staff["north-caseworker"]
    whanau = whanau_of(cw)

    response = client_for(cw).post(
        members_url(whanau["id"]), {"name": "Nanny Rīpeka", "relationship": "grandparent"}
    )

    assert response.status_code == 201
    assert response.json()["name"] == "Nanny Rīpeka"
    assert response.json()["is_primary_contact"] is True


def test_adding_a_member_without_a_name_is_400(client_for, staff, whanau_of):
    cw = staff["north-caseworker"]
    whanau = whanau_of(cw)

    response = client_for(cw).post(members_url(whanau["id"]), {"relationship": "cousin"})

    assert response.status_code == 400
    assert "name" in response.json()["error"]["fields"]


def test_a_client_member_does_not_take_a_name_of_its_own(
    client_for, staff, assigned_client, whanau_of
):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)
    whanau = whanau_of(cw)

    response = client_for(cw).post(
        members_url(whanau["id"]),
        {"client": str(client.pk), "name": "Someone else", "relationship": "child"},
    )

    assert response.status_code == 400
    assert "name" in response.json()["error"]["fields"]


@pytest.mark.parametrize("owner", ["south-caseworker", "north-caseworker2"])
def test_a_client_the_actor_cannot_see_cannot_be_added(
    client_for, staff, assigned_client, whanau_of, owner
):
    cw = staff["north-caseworker"]
    other = assigned_client(staff[owner])
    whanau = whanau_of(cw)

    response = client_for(cw).post(
        members_url(whanau["id"]), {"client": str(other.pk), "relationship": "partner"}
    )

    assert response.status_code == 400
    assert "client" in response.json()["error"]["fields"]
    assert not WhanauMember.objects.filter(client=other).exists()


def test_the_same_client_cannot_join_a_whanau_twice(client_for, staff, assigned_client, whanau_of):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)
    whanau = whanau_of(cw, {"client": str(client.pk), "relationship": "parent"})

    response = client_for(cw).post(
        members_url(whanau["id"]), {"client": str(client.pk), "relationship": "child"}
    )

    assert response.status_code == 400
    assert "client" in response.json()["error"]["fields"]


def test_marking_a_member_primary_moves_the_role_from_the_old_one(client_for, staff, whanau_of):
    cw = staff["north-caseworker"]
    whanau = whanau_of(
        cw,
        {"name": "Hine", "relationship": "parent"},
        {"name": "Rangi", "relationship": "caregiver"},
    )
    by_name = {m["name"]: m["id"] for m in whanau["members"]}

    response = client_for(cw).patch(
        member_url(whanau["id"], by_name["Rangi"]), {"is_primary_contact": True}
    )

    assert response.status_code == 200
    assert response.json()["is_primary_contact"] is True
    primaries = WhanauMember.objects.filter(whanau_id=whanau["id"], is_primary_contact=True)
    assert [str(m.pk) for m in primaries] == [by_name["Rangi"]]
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=by_name["Hine"]).exists()


def test_unmarking_the_primary_contact_is_refused(client_for, staff, whanau_of):
    cw = staff["north-caseworker"]
    whanau = whanau_of(cw, {"name": "Hine", "relationship": "parent"})
    member_id = whanau["members"][0]["id"]

    response = client_for(cw).patch(
        member_url(whanau["id"], member_id), {"is_primary_contact": False}
    )

    assert response.status_code == 400
    assert WhanauMember.objects.get(pk=member_id).is_primary_contact is True


def test_adding_a_new_primary_contact_swaps_the_primary(client_for, staff, whanau_of):
    cw = staff["north-caseworker"]
    whanau = whanau_of(cw, {"name": "Hine", "relationship": "parent"})

    response = client_for(cw).post(
        members_url(whanau["id"]),
        {"name": "Rangi", "relationship": "aunt_uncle", "is_primary_contact": True},
    )

    assert response.status_code == 201
    primaries = WhanauMember.objects.filter(whanau_id=whanau["id"], is_primary_contact=True)
    assert [m.name for m in primaries] == ["Rangi"]


def test_member_relationship_and_name_can_be_changed(client_for, staff, whanau_of):
    cw = staff["north-caseworker"]
    whanau = whanau_of(cw, {"name": "Hine", "relationship": "parent"})
    member_id = whanau["members"][0]["id"]

    response = client_for(cw).patch(
        member_url(whanau["id"], member_id), {"relationship": "caregiver", "name": "Hine Pōtae"}
    )

    assert response.status_code == 200
    assert response.json()["relationship"] == "caregiver"
    assert response.json()["name"] == "Hine Pōtae"


def test_an_unknown_relationship_is_400(client_for, staff, whanau_of):
    cw = staff["north-caseworker"]
    whanau = whanau_of(cw)

    response = client_for(cw).post(
        members_url(whanau["id"]), {"name": "Hine", "relationship": "nemesis"}
    )

    assert response.status_code == 400
    assert "relationship" in response.json()["error"]["fields"]


def test_the_primary_contact_is_removed_only_when_last(client_for, staff, whanau_of):
    cw = staff["north-caseworker"]
    whanau = whanau_of(
        cw,
        {"name": "Hine", "relationship": "parent"},
        {"name": "Rangi", "relationship": "caregiver"},
    )
    by_name = {m["name"]: m["id"] for m in whanau["members"]}
    api = client_for(cw)

    refused = api.delete(member_url(whanau["id"], by_name["Hine"]))
    other = api.delete(member_url(whanau["id"], by_name["Rangi"]))
    last = api.delete(member_url(whanau["id"], by_name["Hine"]))

    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "primary_contact_required"
    assert other.status_code == 204
    assert last.status_code == 204
    assert not WhanauMember.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.DELETE).count() == 2


def test_whanau_is_renamed_and_the_change_audited(client_for, staff, whanau_of):
    cw = staff["north-caseworker"]
    whanau = whanau_of(cw)

    response = client_for(cw).patch(f"{URL}{whanau['id']}/", {"name": "Te whānau o Pōmare"})

    assert response.status_code == 200
    assert response.json()["name"] == "Te whānau o Pōmare"
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=whanau["id"]).get()
    assert event.changes == {"name": {"old": "Te whānau o Ngātai", "new": "Te whānau o Pōmare"}}


def test_whanau_cannot_be_deleted_or_replaced(client_for, staff, whanau_of):
    cw = staff["north-caseworker"]
    whanau = whanau_of(cw)
    api = client_for(cw)

    assert api.delete(f"{URL}{whanau['id']}/").status_code == 405
    assert api.put(f"{URL}{whanau['id']}/", {"name": "X"}).status_code == 405
    assert Whanau.objects.filter(pk=whanau["id"]).exists()


@pytest.mark.parametrize("username", ["north-officer", "north-compliance", "north-admin"])
def test_roles_that_do_not_work_with_whanau_cannot_register_one(client_for, staff, username):
    response = client_for(staff[username]).post(URL, {"name": "Pōmare"})

    assert response.status_code == 403
    assert not Whanau.objects.exists()


@pytest.mark.parametrize("username", [*OTHER_AGENCY, "north-caseworker2", "north-officer"])
def test_staff_who_cannot_see_a_whanau_get_404_everywhere(client_for, staff, whanau_of, username):
    cw = staff["north-caseworker"]
    whanau = whanau_of(cw, {"name": "Hine", "relationship": "parent"})
    member_id = whanau["members"][0]["id"]
    api = client_for(staff[username])
    events_before = AuditEvent.objects.count()

    assert api.get(f"{URL}{whanau['id']}/").status_code == 404
    assert api.get(URL).json()["count"] == 0
    if username in {"north-officer", "south-admin", "south-compliance"}:
        return  # their role may not write at all (403); the read wall is what matters here
    assert api.patch(f"{URL}{whanau['id']}/", {"name": "Hacked"}).status_code == 404
    assert api.get(members_url(whanau["id"])).status_code == 404
    assert (
        api.post(members_url(whanau["id"]), {"name": "X", "relationship": "other"}).status_code
        == 404
    )
    assert api.patch(member_url(whanau["id"], member_id), {"name": "Hacked"}).status_code == 404
    assert api.delete(member_url(whanau["id"], member_id)).status_code == 404
    assert Whanau.objects.get(pk=whanau["id"]).name == "Te whānau o Ngātai"
    assert WhanauMember.objects.get(pk=member_id).name == "Hine"
    assert AuditEvent.objects.count() == events_before


def test_malformed_ids_are_404(client_for, staff, whanau_of):
    cw = staff["north-caseworker"]
    whanau = whanau_of(cw)
    api = client_for(cw)

    assert api.get(f"{URL}not-a-uuid/").status_code == 404
    assert api.get(f"{URL}{whanau['id']}/members/not-a-uuid/").status_code == 404
    assert (
        api.patch(member_url(whanau["id"], "00000000-0000-0000-0000-000000000000"), {}).status_code
        == 404
    )


def test_a_member_of_another_whanau_is_404_under_this_one(client_for, staff, whanau_of):
    cw = staff["north-caseworker"]
    first = whanau_of(cw, {"name": "Hine", "relationship": "parent"})
    second = whanau_of(cw, name="Tuarua")

    response = client_for(cw).patch(
        member_url(second["id"], first["members"][0]["id"]), {"name": "Moved"}
    )

    assert response.status_code == 404


def test_seeing_a_member_client_makes_the_whanau_visible_with_others_redacted(
    client_for, staff, assigned_client, whanau_of
):
    cw, cw2 = staff["north-caseworker"], staff["north-caseworker2"]
    mine = assigned_client(cw, legal_given_names="Aroha", legal_family_name="Ngātai")
    theirs = assigned_client(cw2, legal_given_names="Tame", legal_family_name="Pōmare")
    whanau = whanau_of(cw, {"client": str(mine.pk), "relationship": "parent"})
    WhanauMember.objects.create(whanau_id=whanau["id"], client=theirs, relationship="child")

    seen = client_for(cw2).get(f"{URL}{whanau['id']}/")

    assert seen.status_code == 200
    members = {m["relationship"]: m for m in seen.json()["members"]}
    assert members["parent"]["name"] == "[restricted]"
    assert members["parent"]["client"] is None
    assert members["parent"]["client_visible"] is False
    assert members["child"]["name"] == "Tame Pōmare"
    assert members["child"]["client"] == str(theirs.pk)
    assert "Aroha" not in seen.content.decode()
    assert "Ngātai" not in client_for(cw2).get(members_url(whanau["id"])).content.decode()


def test_team_lead_sees_a_whanau_through_its_case_with_restricted_members_redacted(
    client_for, staff, assigned_client, whanau_of
):
    cw, lead = staff["north-caseworker"], staff["north-lead"]
    restricted = assigned_client(
        cw, is_restricted=True, legal_given_names="Huia", legal_family_name="Rangihuna"
    )
    plain = assigned_client(cw, legal_given_names="Mere", legal_family_name="Tūhoe")
    whanau = whanau_of(
        cw,
        {"client": str(restricted.pk), "relationship": "parent"},
        {"client": str(plain.pk), "relationship": "child"},
    )
    assert client_for(lead).get(f"{URL}{whanau['id']}/").status_code == 404
    case = CaseFactory(
        client=None,
        whanau_id=whanau["id"],
        agency=cw.agency,
        created_by=cw,
        lead_caseworker=cw,
        team=cw.team,
    )
    access.grant_case_to_user(case, cw)
    access.grant_case_to_group(case, cw.team.lead_group)

    seen = client_for(lead).get(f"{URL}{whanau['id']}/")

    assert seen.status_code == 200
    members = {m["relationship"]: m for m in seen.json()["members"]}
    assert members["parent"]["client"] == str(restricted.pk)
    assert members["parent"]["name"] == "Restricted client"
    assert members["child"]["name"] == "Mere Tūhoe"
    assert "Huia" not in seen.content.decode()


def test_retrieve_writes_a_view_event_and_a_404_writes_none(client_for, staff, whanau_of):
    cw = staff["north-caseworker"]
    whanau = whanau_of(cw)

    client_for(cw).get(f"{URL}{whanau['id']}/")
    client_for(staff["south-caseworker"]).get(f"{URL}{whanau['id']}/")

    views = AuditEvent.objects.filter(action=AuditAction.VIEW)
    assert [(e.actor_id, e.object_id) for e in views] == [(cw.pk, whanau["id"])]


def test_listing_members_writes_a_view_event(client_for, staff, whanau_of):
    cw = staff["north-caseworker"]
    whanau = whanau_of(cw, {"name": "Hine", "relationship": "parent"})

    body = client_for(cw).get(members_url(whanau["id"])).json()

    assert [m["name"] for m in body["results"]] == ["Hine"]
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=whanau["id"]).exists()


def test_whanau_list_searches_names_and_shows_only_visible_ones(client_for, staff, whanau_of):
    whanau_of(staff["north-caseworker"], name="Te whānau o Pōmare")
    whanau_of(staff["north-caseworker"], name="Te whānau o Ngata")
    whanau_of(staff["north-caseworker2"], name="Te whānau o Pōmare-Rua")
    api = client_for(staff["north-caseworker"])

    body = api.get(URL, {"search": "Pōmare"}).json()

    assert [w["name"] for w in body["results"]] == ["Te whānau o Pōmare"]


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("Pomare", ["Te whānau o Pōmare"]),
        ("pōmare whanau", ["Te whānau o Pōmare"]),
        ("WHĀNAU", ["Te whānau o Ngata", "Te whānau o Pōmare"]),
        ("pomare ngata", []),
        ("   ", ["Te whānau o Ngata", "Te whānau o Pōmare"]),
    ],
)
def test_whanau_search_needs_every_word_and_ignores_case_and_macrons(
    client_for, staff, whanau_of, term, expected
):
    whanau_of(staff["north-caseworker"], name="Te whānau o Pōmare")
    whanau_of(staff["north-caseworker"], name="Te whānau o Ngata")
    whanau_of(staff["south-caseworker"], name="Te whānau o Pōmare")
    api = client_for(staff["north-caseworker"])

    body = api.get(URL, {"search": term}).json()

    assert [w["name"] for w in body["results"]] == expected


def test_whanau_list_query_count_does_not_grow_with_page_size(
    client_for, staff, assigned_client, whanau_of, list_queries
):
    cw = staff["north-caseworker"]
    for n in range(12):
        client = assigned_client(cw)
        whanau_of(
            cw,
            {"client": str(client.pk), "relationship": "parent"},
            {"name": f"Tamaiti {n}", "relationship": "child"},
            name=f"Whānau {n:02d}",
        )
    api = client_for(cw)

    assert list_queries(api, URL, 2) == list_queries(api, URL, 10)


def test_member_list_query_count_does_not_grow_with_page_size(
    client_for, staff, assigned_client, whanau_of, list_queries
):
    cw = staff["north-caseworker"]
    whanau = whanau_of(cw)
    api = client_for(cw)
    for _n in range(12):
        client = assigned_client(cw)
        api.post(members_url(whanau["id"]), {"client": str(client.pk), "relationship": "cousin"})

    url = members_url(whanau["id"])
    assert list_queries(api, url, 2) == list_queries(api, url, 10)


@pytest.mark.parametrize("param", ["created_after", "created_before"])
def test_a_year_one_created_filter_is_400(client_for, staff, param):
    response = client_for(staff["north-caseworker"]).get(URL, {param: "0001-01-01T00:00:00"})

    assert response.status_code == 400


def test_a_caseworkers_whanau_are_counted_with_their_page_keys_in_name_order(
    client_for, staff, whanau_of
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    worker = staff["north-caseworker"]
    for name in ("Te whānau o Rua", "Te whānau o Ari", "Te whānau o Hine"):
        whanau_of(worker, {"name": "Kahu", "relationship": "sibling"}, name=name)
    whanau_of(staff["north-caseworker2"], {"name": "Tama", "relationship": "sibling"})

    with CaptureQueriesContext(connection) as ctx:
        first = client_for(worker).get(URL, {"page_size": 2}).json()
    # Read now: the next request clears the connection's query log.
    counted_apart = [q for q in ctx.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    second = client_for(worker).get(URL, {"page_size": 2, "page": 2}).json()
    backwards = client_for(worker).get(URL, {"ordering": "-name"}).json()

    names = [w["name"] for w in first["results"] + second["results"]]
    assert names == ["Te whānau o Ari", "Te whānau o Hine", "Te whānau o Rua"]
    assert (first["count"], second["count"], first["count_is_estimate"]) == (3, 3, False)
    assert not counted_apart
    assert [w["name"] for w in backwards["results"]] == names[::-1]
    # A team lead's whānau are a team's, not a caseload: counted as any list.
    whanau_of(staff["north-lead"], {"name": "Pita", "relationship": "sibling"})
    with CaptureQueriesContext(connection) as ctx:
        led = client_for(staff["north-lead"]).get(URL).json()
    assert led["count"] == 1
    assert [q for q in ctx.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]


def test_a_team_lead_lists_whanau_seen_by_every_reason_and_no_other(
    client_for, staff, assigned_client, whanau_of
):
    # A team lead's whānau are tested one by one (`whanau_visible_to`): each reason must
    # hold on its own, through the team's grants and through grants in the lead's name.
    cw, lead = staff["north-caseworker"], staff["north-lead"]
    team_client = assigned_client(cw)
    access.grant_client_to_group(team_client, cw.team.lead_group)
    own_name_client = assigned_client(cw)
    access.grant_client_to_user(own_name_client, lead)
    by_member = whanau_of(cw, {"client": str(team_client.pk), "relationship": "parent"}, name="A")
    by_own_grant = whanau_of(
        cw, {"client": str(own_name_client.pk), "relationship": "parent"}, name="B"
    )
    by_case = whanau_of(cw, {"name": "Rua", "relationship": "sibling"}, name="C")
    case = CaseFactory(
        client=None, whanau_id=by_case["id"], agency=cw.agency, created_by=cw,
        lead_caseworker=cw, team=cw.team,
    )  # fmt: skip
    access.grant_case_to_group(case, cw.team.lead_group)
    by_own_case = whanau_of(cw, {"name": "Toru", "relationship": "sibling"}, name="D")
    own_case = CaseFactory(
        client=None, whanau_id=by_own_case["id"], agency=cw.agency, created_by=cw,
        lead_caseworker=cw, team=cw.team,
    )  # fmt: skip
    access.grant_case_to_user(own_case, lead)
    registered = whanau_of(lead, {"name": "Wha", "relationship": "sibling"}, name="E")
    whanau_of(cw, {"client": str(assigned_client(cw).pk), "relationship": "parent"}, name="F")
    whanau_of(staff["south-caseworker"], {"name": "Rima", "relationship": "sibling"}, name="G")

    listed = client_for(lead).get(URL).json()

    expected = [by_member, by_own_grant, by_case, by_own_case, registered]
    assert [w["id"] for w in listed["results"]] == [w["id"] for w in expected]
    assert listed["count"] == len(expected)
    assert (
        client_for(lead).get(URL, {"page_size": 2, "page": 3}).json()["results"][0]["name"] == "E"
    )
    # South's lead sees none of north's, nor a south whānau no grant or registration gives them.
    assert client_for(staff["south-lead"]).get(URL).json()["count"] == 0
