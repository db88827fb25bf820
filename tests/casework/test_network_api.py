"""The support network over HTTP: /network-ties/ and /clients/{id}/network/ (+ snapshots)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework.models import NetworkSnapshot, NetworkTie
from casework.services.network import network_snapshot_take, tie_add, tie_end
from core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

TIES_URL = "/api/v1/network-ties/"


def network_url(client):
    return f"/api/v1/clients/{client.pk}/network/"


def tie_payload(client, **overrides):
    return {
        "client": str(client.pk),
        "name": "Whaea Ngaio",
        "tie_type": "iwi_marae",
        "support_kinds": ["cultural", "practical"],
        "strength": 4,
        "contact_frequency": "monthly",
        "quality": "supportive",
        **overrides,
    }


def add(actor, client, **overrides):
    fields = {
        "name": "Cousin Tama",
        "tie_type": "whanau",
        "support_kinds": ["emotional"],
        "strength": 3,
        "contact_frequency": "weekly",
        "quality": "supportive",
        **overrides,
    }
    return tie_add(actor=actor, client=client, **fields)


def days_ago(n):
    return timezone.localdate() - timedelta(days=n)


def test_caseworker_adds_a_tie(staff, assigned_client, client_for):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)

    response = client_for(cw).post(TIES_URL, tie_payload(client, source="referral:forged"))

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "Whaea Ngaio"
    assert body["tie_type_label"] == "Iwi / marae"
    assert body["support_kinds"] == ["practical", "cultural"]
    assert body["current"] is True
    assert body["source"] == ""  # only services set where a tie came from


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"support_kinds": ["spiritual"]}, "support_kinds"),
        ({"strength": 0}, "strength"),
        ({"strength": 6}, "strength"),
        ({"quality": "great"}, "quality"),
        ({"tie_type": "rival"}, "tie_type"),
        ({"started_on": "2999-01-01"}, "started_on"),
    ],
)
def test_bad_ties_are_400_with_field_errors(staff, assigned_client, client_for, overrides, field):
    cw = staff["north-caseworker"]

    response = client_for(cw).post(TIES_URL, tie_payload(assigned_client(cw), **overrides))

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not NetworkTie.objects.exists()


def test_roles_without_add_perms_get_403_on_create(staff, assigned_client, client_for):
    client = assigned_client(staff["north-caseworker"])

    for username in ["north-officer", "north-compliance", "north-admin"]:
        api = client_for(staff[username])
        assert api.post(TIES_URL, tie_payload(client)).status_code == 403, username
        response = api.post(f"{network_url(client)}snapshots/", {"stage": "intake"})
        assert response.status_code == 403, username


def test_other_agency_and_other_caseworker_get_404_everywhere(staff, assigned_client, client_for):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)
    tie = add(cw, client)

    for username in ["north-caseworker2", "south-caseworker", "south-lead"]:
        api = client_for(staff[username])
        detail = f"{TIES_URL}{tie.pk}/"
        assert api.get(TIES_URL).json()["count"] == 0, username
        assert api.post(TIES_URL, tie_payload(client)).status_code == 404, username
        assert api.get(detail).status_code == 404, username
        assert api.patch(detail, {"strength": 1}).status_code == 404, username
        assert api.post(f"{detail}end/", {}).status_code == 404, username
        assert api.get(network_url(client)).status_code == 404, username
        assert api.get(f"{network_url(client)}snapshots/").status_code == 404, username
        response = api.post(f"{network_url(client)}snapshots/", {"stage": "intake"})
        assert response.status_code == 404, username
    tie.refresh_from_db()
    assert tie.strength == 3
    assert tie.ended_on is None
    assert NetworkTie.objects.count() == 1
    assert not NetworkSnapshot.objects.exists()


def test_patch_changes_a_tie_and_end_keeps_it_on_record(staff, assigned_client, client_for):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)
    tie = add(cw, client, started_on=days_ago(10))
    api = client_for(cw)

    patched = api.patch(f"{TIES_URL}{tie.pk}/", {"quality": "mixed", "strength": 2})
    ended = api.post(f"{TIES_URL}{tie.pk}/end/", {"ended_on": days_ago(1).isoformat()})
    again = api.post(f"{TIES_URL}{tie.pk}/end/", {})
    after_end = api.patch(f"{TIES_URL}{tie.pk}/", {"strength": 5})

    assert patched.status_code == 200
    assert (patched.json()["quality"], patched.json()["strength"]) == ("mixed", 2)
    assert ended.status_code == 200
    assert ended.json()["current"] is False
    assert ended.json()["ended_on"] == days_ago(1).isoformat()
    assert again.status_code == after_end.status_code == 400
    assert api.get(f"{TIES_URL}{tie.pk}/").status_code == 200
    assert api.get(network_url(client)).json()["ties"] == []
    assert api.delete(f"{TIES_URL}{tie.pk}/").status_code == 405
    assert api.put(f"{TIES_URL}{tie.pk}/", tie_payload(client)).status_code == 405


def test_tie_list_filters_by_client_type_quality_and_current(staff, assigned_client, client_for):
    cw = staff["north-caseworker"]
    first, second = assigned_client(cw), assigned_client(cw)
    aunty = add(cw, first, name="Aunty")
    clubhouse = add(cw, first, name="Clubhouse", tie_type="clubhouse", quality="mixed")
    old = add(cw, second, name="Old mate", tie_type="friend")
    tie_end(actor=cw, tie=old)
    api = client_for(cw)

    def ids(**params):
        return {row["id"] for row in api.get(TIES_URL, params).json()["results"]}

    assert ids(client=str(first.pk)) == {str(aunty.pk), str(clubhouse.pk)}
    assert ids(tie_type="clubhouse") == {str(clubhouse.pk)}
    assert ids(quality="supportive") == {str(aunty.pk), str(old.pk)}
    assert ids(current="false") == {str(old.pk)}
    assert ids(current="true") == {str(aunty.pk), str(clubhouse.pk)}


def test_network_map_has_current_ties_summary_and_series(staff, assigned_client, client_for):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)
    # Intake, 60 days ago: one tie, and it is stressful.
    flatmate = add(
        cw,
        client,
        name="Flatmate",
        tie_type="friend",
        strength=2,
        quality="stressful",
        support_kinds=["practical"],
        started_on=days_ago(100),
    )
    network_snapshot_take(actor=cw, client=client, stage="intake", taken_on=days_ago(60))
    # Review, 10 days ago: whānau and a clubhouse have joined.
    add(
        cw,
        client,
        name="Aunty Mere",
        strength=5,
        support_kinds=["emotional", "cultural"],
        started_on=days_ago(40),
    )
    add(
        cw,
        client,
        name="Clubhouse",
        tie_type="clubhouse",
        strength=4,
        support_kinds=["practical", "emotional"],
        started_on=days_ago(30),
    )
    network_snapshot_take(actor=cw, client=client, stage="review", taken_on=days_ago(10))
    # Exit, today: the flatmate is gone, a peer support worker has come.
    tie_end(actor=cw, tie=flatmate, ended_on=days_ago(5))
    add(
        cw,
        client,
        name="Peer worker",
        tie_type="peer",
        strength=3,
        quality="mixed",
        started_on=days_ago(4),
    )
    network_snapshot_take(actor=cw, client=client, stage="exit")

    response = client_for(cw).get(network_url(client))

    assert response.status_code == 200
    body = response.json()
    assert body["client"] == str(client.pk)
    assert [tie["name"] for tie in body["ties"]] == ["Aunty Mere", "Clubhouse", "Peer worker"]
    summary = body["summary"]
    assert summary["size"] == 3
    assert summary["supportive_count"] == 2
    assert summary["mean_strength"] == "4.00"
    assert summary["by_type"]["whanau"] == 1
    assert summary["by_type"]["clubhouse"] == 1
    assert summary["by_type"]["friend"] == 0
    assert summary["by_support_kind"] == {
        "emotional": 3,
        "practical": 1,
        "financial": 0,
        "cultural": 1,
    }
    series = [
        (p["stage"], p["taken_on"], p["size"], p["supportive_count"], p["mean_strength"])
        for p in body["series"]
    ]
    assert series == [
        ("intake", days_ago(60).isoformat(), 1, 0, "2.00"),
        ("review", days_ago(10).isoformat(), 3, 2, "3.67"),
        ("exit", timezone.localdate().isoformat(), 3, 2, "4.00"),
    ]


def test_reading_the_network_is_audited(staff, assigned_client, client_for):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)

    client_for(cw).get(network_url(client))

    event = AuditEvent.objects.filter(object_id=str(client.pk)).latest("id")
    assert event.action == AuditAction.VIEW
    assert event.changes == {"part": "network"}


def test_network_query_count_does_not_grow_with_the_network(staff, assigned_client, client_for):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)
    api = client_for(cw)
    add(cw, client, name="First")
    network_snapshot_take(actor=cw, client=client, stage="intake")

    with CaptureQueriesContext(connection) as small:
        api.get(network_url(client))
    for n in range(8):
        add(cw, client, name=f"Tie {n}", strength=1 + n % 5)
    network_snapshot_take(actor=cw, client=client, stage="review")
    network_snapshot_take(actor=cw, client=client, stage="exit")
    with CaptureQueriesContext(connection) as large:
        response = api.get(network_url(client))

    assert len(response.json()["ties"]) == 9
    assert len(response.json()["series"]) == 3
    assert len(large.captured_queries) == len(small.captured_queries)


def test_restricted_clients_tie_names_show_only_to_assigned_staff(staff, led_case, client_for):
    cw = staff["north-caseworker"]
    case = led_case(cw)
    case.client.is_restricted = True
    case.client.save()
    tie = add(cw, case.client, name="Sister in Gisborne")
    network_snapshot_take(actor=cw, client=case.client, stage="intake")

    own = client_for(cw).get(network_url(case.client)).json()
    lead = client_for(staff["north-lead"])
    lead_map = lead.get(network_url(case.client)).json()
    lead_tie = lead.get(f"{TIES_URL}{tie.pk}/").json()
    lead_snapshots = lead.get(f"{network_url(case.client)}snapshots/").json()

    assert own["ties"][0]["name"] == "Sister in Gisborne"
    assert lead_map["ties"][0]["name"] == "[restricted]"
    assert lead_tie["name"] == "[restricted]"
    assert lead_snapshots["results"][0]["ties"][0]["name"] == "[restricted]"
    assert lead_map["summary"]["size"] == 1


def test_snapshot_endpoint_freezes_the_network(staff, assigned_client, client_for):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)
    add(cw, client, name="Aunty", strength=5)
    add(cw, client, name="Neighbour", tie_type="friend", strength=2, quality="mixed")
    api = client_for(cw)

    response = api.post(f"{network_url(client)}snapshots/", {"stage": "intake"})
    bad = api.post(f"{network_url(client)}snapshots/", {"stage": "halfway"})
    listed = api.get(f"{network_url(client)}snapshots/").json()

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["size"], body["supportive_count"], body["mean_strength"]) == (2, 1, "3.50")
    assert [tie["name"] for tie in body["ties"]] == ["Aunty", "Neighbour"]
    assert bad.status_code == 400
    assert [row["id"] for row in listed["results"]] == [body["id"]]


def test_tie_list_query_count_does_not_grow_with_page_size(
    staff, assigned_client, client_for, list_queries
):
    cw = staff["north-caseworker"]
    for n in range(5):
        client = assigned_client(cw, is_restricted=bool(n % 2))
        add(cw, client, name="Aunty")
        add(cw, client, name="Clubhouse", tie_type="clubhouse")
    api = client_for(cw)

    assert list_queries(api, TIES_URL, 2) == list_queries(api, TIES_URL, 10)


def test_name_ordering_never_sorts_redacted_ties_by_their_real_names(
    staff, assigned_client, led_case, client_for
):
    cw = staff["north-caseworker"]
    open_client = led_case(cw).client
    restricted = led_case(cw).client
    restricted.is_restricted = True
    restricted.save()
    # Created in an order that differs from the names' order.
    hidden = [add(cw, restricted, name=name) for name in ("Zoe", "Ana", "Mika")]
    shown = [add(cw, open_client, name=name) for name in ("Wiremu", "Bea")]
    api = client_for(staff["north-lead"])

    def order(ordering):
        rows = api.get(TIES_URL, {"ordering": ordering}).json()["results"]
        return [(row["id"], row["name"]) for row in rows]

    ascending, descending = order("name"), order("-name")

    redacted_ids = sorted(str(t.pk) for t in hidden)
    assert [name for _, name in ascending[:2]] == ["Bea", "Wiremu"]
    assert [name for _, name in descending[:2]] == ["Wiremu", "Bea"]
    for rows in (ascending, descending):
        assert [tie_id for tie_id, _ in rows[2:]] == redacted_ids
        assert {name for _, name in rows[2:]} == {"[restricted]"}
    assert {str(t.pk) for t in shown} == {tie_id for tie_id, _ in ascending[:2]}


def test_the_assigned_caseworker_orders_every_tie_by_name(staff, assigned_client, client_for):
    cw = staff["north-caseworker"]
    restricted = assigned_client(cw, is_restricted=True)
    for name in ("Zoe", "Ana", "Mika"):
        add(cw, restricted, name=name)

    rows = client_for(cw).get(TIES_URL, {"ordering": "name"}).json()["results"]

    assert [row["name"] for row in rows] == ["Ana", "Mika", "Zoe"]


def test_an_invalid_current_filter_is_400(staff, client_for):
    response = client_for(staff["north-caseworker"]).get(TIES_URL, {"current": "perhaps"})

    assert response.status_code == 400


@pytest.mark.parametrize("started_on", ["0001-01-01", "1899-12-31"])
def test_an_absurd_start_date_is_400(staff, assigned_client, client_for, started_on):
    cw = staff["north-caseworker"]

    response = client_for(cw).post(
        TIES_URL, tie_payload(assigned_client(cw), started_on=started_on), format="json"
    )

    assert response.status_code == 400
    assert "started_on" in response.json()["error"]["fields"]
    assert not NetworkTie.objects.exists()


def test_an_absurd_end_date_is_400(staff, assigned_client, client_for):
    cw = staff["north-caseworker"]
    tie = add(cw, assigned_client(cw))

    response = client_for(cw).post(f"{TIES_URL}{tie.pk}/end/", {"ended_on": "0001-01-01"})

    assert response.status_code == 400
    assert "ended_on" in response.json()["error"]["fields"]
