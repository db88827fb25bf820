"""Case notes: who writes and reads them, restricted notes, amendments, audit, query counts."""

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from guardian.shortcuts import assign_perm

from casework.models import CaseNote
from casework.services import cases as case_services
from casework.services import notes as services
from core.errors import ApplicationError
from core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

SOUTH = [
    "south-caseworker",
    "south-caseworker2",
    "south-lead",
    "south-officer",
    "south-compliance",
    "south-admin",
]


@pytest.fixture
def case(staff, assigned_client):
    """A case led by north-caseworker, opened through the real service."""
    cw = staff["north-caseworker"]
    return case_services.case_open(actor=cw, client=assigned_client(cw))


def notes_url(case, note=None, suffix=""):
    base = f"/api/v1/cases/{case.pk}/notes/"
    return f"{base}{note.pk}/{suffix}" if note is not None else base


def write(actor, case, body="Kōrero ki te whānau", **kwargs):
    kwargs.setdefault("kind", "phone")
    kwargs.setdefault("occurred_at", timezone.now() - timedelta(hours=1))
    return services.note_create(actor=actor, case=case, body=body, **kwargs)


def listed(client, case, **params):
    return [row["id"] for row in client.get(notes_url(case), params).json()["results"]]


# ---- writing ---------------------------------------------------------------------------------


def test_the_lead_writes_a_note(staff, case, client_for):
    cw = staff["north-caseworker"]

    response = client_for(cw).post(
        notes_url(case),
        {
            "kind": "home_visit",
            "body": "I tae atu ki te kāinga",
            "occurred_at": "2026-11-20T02:00Z",
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["author"] == str(cw.pk)
    assert body["kind"] == "home_visit"
    assert body["body"] == "I tae atu ki te kāinga"
    assert body["restricted"] is False
    assert body["amends"] is None


def test_the_team_lead_writes_on_a_team_case(staff, case, client_for):
    response = client_for(staff["north-lead"]).post(
        notes_url(case), {"kind": "hui", "body": "Hui ā-whānau", "occurred_at": "2026-11-20T02:00Z"}
    )

    assert response.status_code == 201


@pytest.mark.parametrize("username", ["north-caseworker2", "north-officer", "north-admin", *SOUTH])
def test_nobody_else_writes_or_reads_notes_of_the_case(staff, case, client_for, username):
    note = write(staff["north-caseworker"], case)
    client = client_for(staff[username])

    created = client.post(
        notes_url(case), {"kind": "phone", "body": "x", "occurred_at": "2026-11-20T02:00Z"}
    )

    assert created.status_code == 404
    assert client.get(notes_url(case)).status_code == 404
    assert client.get(notes_url(case, note)).status_code == 404
    assert client.post(notes_url(case, note, "amend/"), {"body": "x"}).status_code == 404
    assert CaseNote.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": "   "}, "body"),
        ({"kind": "email"}, "kind"),
        ({"occurred_at": "tomorrow"}, "occurred_at"),
    ],
)
def test_bad_note_input_is_a_field_error(staff, case, client_for, payload, field):
    note = {"kind": "phone", "body": "Waea", "occurred_at": "2026-11-20T02:00Z", **payload}

    response = client_for(staff["north-caseworker"]).post(notes_url(case), note)

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not CaseNote.objects.exists()


def test_a_note_about_the_future_is_refused_beyond_clock_skew(staff, case):
    cw = staff["north-caseworker"]

    write(cw, case, occurred_at=timezone.now() + timedelta(minutes=1))
    with pytest.raises(ApplicationError) as refused:
        write(cw, case, occurred_at=timezone.now() + timedelta(hours=1))

    assert "occurred_at" in refused.value.fields


def test_seeing_a_case_is_not_enough_to_write_on_it(staff, case):
    cw2 = staff["north-caseworker2"]
    assign_perm("casework.view_case", cw2, case)

    with pytest.raises(PermissionDenied):
        write(cw2, case)


def test_the_create_event_records_the_kind_and_length_not_the_body(staff, case):
    note = write(staff["north-caseworker"], case, body="He kōrero tūmataiti", restricted=True)

    [event] = AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(note.pk))
    assert event.changes["kind"] == "phone"
    assert event.changes["restricted"] is True
    assert event.changes["body_length"] == len("He kōrero tūmataiti")
    assert "tūmataiti" not in str(event.changes)
    assert event.agency_id == case.agency_id


# ---- restricted notes ------------------------------------------------------------------------


def test_restricted_notes_are_read_by_author_lead_and_team_lead_only(staff, case, client_for):
    cw, lead, cw2 = staff["north-caseworker"], staff["north-lead"], staff["north-caseworker2"]
    open_note = write(cw, case, body="Kua waea")
    secret = write(cw, case, body="Kei te wehi ia", restricted=True)
    # caseworker2 can see the case by some other route, but still not the restricted note.
    assign_perm("casework.view_case", cw2, case)

    for username in ["north-caseworker", "north-lead"]:
        assert set(listed(client_for(staff[username]), case)) == {
            str(open_note.pk),
            str(secret.pk),
        }, username
        assert client_for(staff[username]).get(notes_url(case, secret)).status_code == 200
    assert listed(client_for(cw2), case) == [str(open_note.pk)]
    assert client_for(cw2).get(notes_url(case, secret)).status_code == 404
    assert client_for(cw2).get(notes_url(case, open_note)).status_code == 200
    assert client_for(lead).get(notes_url(case), {"restricted": "true"}).json()["count"] == 1


def test_a_restricted_note_by_the_team_lead_is_read_by_them_and_the_case_lead(
    staff, case, client_for
):
    lead, cw2 = staff["north-lead"], staff["north-caseworker2"]
    secret = write(lead, case, restricted=True)
    assign_perm("casework.view_case", cw2, case)

    assert listed(client_for(lead), case) == [str(secret.pk)]
    assert listed(client_for(staff["north-caseworker"]), case) == [str(secret.pk)]
    assert listed(client_for(cw2), case) == []


def test_after_reassignment_the_new_lead_reads_restricted_notes_and_the_old_one_nothing(
    staff, case, client_for
):
    cw, cw2 = staff["north-caseworker"], staff["north-caseworker2"]
    secret = write(cw, case, restricted=True)

    case_services.case_assign(actor=staff["north-lead"], case=case, lead_caseworker=cw2)

    assert listed(client_for(cw2), case) == [str(secret.pk)]
    assert client_for(cw).get(notes_url(case)).status_code == 404


# ---- amendments ------------------------------------------------------------------------------


def test_an_amendment_is_a_new_note_and_the_original_is_unchanged(staff, case, client_for):
    cw = staff["north-caseworker"]
    original = write(cw, case, body="I waea atu i te 2 karaka")
    client = client_for(cw)

    response = client.post(
        notes_url(case, original, "amend/"), {"body": "I waea atu i te 3 karaka"}
    )

    assert response.status_code == 201, response.json()
    amendment = response.json()
    assert amendment["amends"] == str(original.pk)
    assert amendment["id"] != str(original.pk)
    assert amendment["kind"] == original.kind
    original_row = client.get(notes_url(case, original)).json()
    assert original_row["body"] == "I waea atu i te 2 karaka"
    assert original_row["amendments"] == [amendment["id"]]
    assert CaseNote.objects.count() == 2


def test_an_amendment_of_an_amendment_points_at_the_same_original(staff, case):
    cw = staff["north-caseworker"]
    original = write(cw, case)
    first = services.note_amend(actor=cw, note=original, body="Tuarua")

    second = services.note_amend(actor=cw, note=first, body="Tuatoru")

    assert second.amends_id == original.pk
    assert list(original.amendments.order_by("created_at")) == [first, second]


def test_the_case_lead_may_amend_a_note_someone_else_wrote(staff, case):
    original = write(staff["north-lead"], case)

    amendment = services.note_amend(actor=staff["north-caseworker"], note=original, body="Tika")

    assert amendment.amends == original


def test_a_reader_who_is_neither_author_nor_lead_gets_403_amending(staff, case, client_for):
    original = write(staff["north-caseworker"], case)

    response = client_for(staff["north-lead"]).post(
        notes_url(case, original, "amend/"), {"body": "Kāo"}
    )

    assert response.status_code == 403
    assert CaseNote.objects.count() == 1


def test_a_restricted_note_stays_restricted_when_amended(staff, case):
    cw = staff["north-caseworker"]
    secret = write(cw, case, restricted=True)

    amendment = services.note_amend(actor=cw, note=secret, body="Whakatika")
    with pytest.raises(ApplicationError) as refused:
        services.note_amend(actor=cw, note=secret, body="Whakatika", restricted=False)

    assert amendment.restricted is True
    assert "restricted" in refused.value.fields


def test_amending_a_note_one_cannot_read_is_not_found(staff, case):
    cw2 = staff["north-caseworker2"]
    secret = write(staff["north-caseworker"], case, restricted=True)
    assign_perm("casework.view_case", cw2, case)
    assign_perm("casework.change_case", cw2, case)

    with pytest.raises(Http404):
        services.note_amend(actor=cw2, note=secret, body="x")


def test_notes_are_never_edited_or_deleted(staff, case, client_for):
    cw = staff["north-caseworker"]
    note = write(cw, case, body="Taketake")
    client = client_for(cw)

    put = client.put(
        notes_url(case, note), {"kind": "phone", "body": "x", "occurred_at": "2026-11-20T02:00Z"}
    )
    patch = client.patch(notes_url(case, note), {"body": "x"})
    delete = client.delete(notes_url(case, note))

    assert (put.status_code, patch.status_code, delete.status_code) == (405, 405, 405)
    note.refresh_from_db()
    assert note.body == "Taketake"


# ---- reading ---------------------------------------------------------------------------------


def test_every_note_retrieve_writes_a_view_event(staff, case, client_for):
    note = write(staff["north-caseworker"], case, restricted=True)

    client_for(staff["north-caseworker"]).get(notes_url(case, note))
    client_for(staff["north-lead"]).get(notes_url(case, note))
    client_for(staff["north-caseworker2"]).get(notes_url(case, note))

    views = AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="casework.casenote", object_id=str(note.pk)
    ).order_by("id")
    assert [e.actor_username for e in views] == ["north-caseworker", "north-lead"]
    assert views[0].changes == {"case": str(case.pk), "restricted": True}


def test_a_malformed_or_unknown_note_id_is_404(staff, case, client_for):
    client = client_for(staff["north-caseworker"])

    assert client.get(f"{notes_url(case)}nope/").status_code == 404
    assert client.get(f"{notes_url(case)}{uuid.uuid4()}/").status_code == 404


def test_a_note_is_only_found_under_its_own_case(staff, case, assigned_client, client_for):
    cw = staff["north-caseworker"]
    other = case_services.case_open(actor=cw, client=assigned_client(cw))
    note = write(cw, case)

    assert client_for(cw).get(f"{notes_url(other)}{note.pk}/").status_code == 404


def test_notes_filter_by_kind_and_time(staff, case, client_for):
    cw = staff["north-caseworker"]
    now = timezone.now()
    phone = write(cw, case, kind="phone", occurred_at=now - timedelta(days=1))
    hui = write(cw, case, kind="hui", occurred_at=now - timedelta(days=10))
    client = client_for(cw)

    assert listed(client, case, kind="hui") == [str(hui.pk)]
    assert listed(client, case, occurred_after=(now - timedelta(days=5)).isoformat()) == [
        str(phone.pk)
    ]
    assert listed(client, case) == [str(phone.pk), str(hui.pk)]
    assert client.get(notes_url(case), {"kind": "email"}).status_code == 400


def test_note_list_query_count_does_not_grow_with_page_size(staff, case, client_for, list_queries):
    cw = staff["north-caseworker"]
    for n in range(10):
        note = write(cw, case, body=f"Tuhinga {n}", restricted=n % 3 == 0)
        if n % 2:
            services.note_amend(actor=cw, note=note, body=f"Whakatika {n}")
    for username in ["north-caseworker", "north-lead"]:
        client = client_for(staff[username])

        assert list_queries(client, notes_url(case), 2) == list_queries(
            client, notes_url(case), 10
        ), username


@pytest.mark.parametrize(
    "occurred_at", ["0001-01-01T00:00:00", "0001-01-01T00:00:00Z", "2300-01-01T00:00:00Z"]
)
def test_an_absurd_occurred_at_is_a_field_error_not_a_500(staff, case, client_for, occurred_at):
    response = client_for(staff["north-caseworker"]).post(
        notes_url(case), {"kind": "phone", "body": "Waea", "occurred_at": occurred_at}
    )

    assert response.status_code == 400
    assert "occurred_at" in response.json()["error"]["fields"]
    assert not CaseNote.objects.exists()


def test_an_absurd_occurred_at_on_an_amendment_is_a_field_error(staff, case, client_for):
    note = write(staff["north-caseworker"], case)

    response = client_for(staff["north-caseworker"]).post(
        notes_url(case, note, "amend/"), {"body": "Tika", "occurred_at": "0001-01-01T00:00:00"}
    )

    assert response.status_code == 400
    assert "occurred_at" in response.json()["error"]["fields"]


@pytest.mark.parametrize("param", ["occurred_after", "occurred_before"])
def test_a_year_one_occurred_filter_is_400(staff, case, client_for, param):
    response = client_for(staff["north-caseworker"]).get(
        notes_url(case), {param: "0001-01-01T00:00:00"}
    )

    assert response.status_code == 400


def test_an_invalid_restricted_filter_is_400(staff, case, client_for):
    write(staff["north-caseworker"], case, restricted=True)
    plain = write(staff["north-caseworker"], case)
    api = client_for(staff["north-caseworker"])

    assert api.get(notes_url(case), {"restricted": "perhaps"}).status_code == 400
    assert listed(api, case, restricted="false") == [str(plain.pk)]
