"""The audit log: written by services, append-only everywhere, readable only in-agency."""

import pytest
from django.db import DatabaseError, connection, transaction

from core.audit import audit_record
from core.models import AuditAction, AuditEvent, AuditEventImmutable

pytestmark = pytest.mark.django_db

AUDIT_URL = "/api/v1/audit-events/"


@pytest.fixture
def event(north, make_staff):
    actor = make_staff(north, "caseworker")
    return audit_record(
        actor=actor, action=AuditAction.VIEW, object_type="casework.client", object_id="abc"
    )


def test_event_cannot_be_changed_through_the_model(event):
    event.action = AuditAction.DELETE

    with pytest.raises(AuditEventImmutable):
        event.save()


def test_event_cannot_be_deleted_through_the_model_or_queryset(event):
    with pytest.raises(AuditEventImmutable):
        event.delete()
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AuditEventImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(action="delete")
    assert AuditEvent.objects.get(pk=event.pk).action == AuditAction.VIEW


def test_database_refuses_raw_updates(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET action = %s", ["delete"])
    assert AuditEvent.objects.get(pk=event.pk).action == AuditAction.VIEW


@pytest.mark.postgres
def test_postgres_refuses_raw_deletes(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_event_records_request_id_and_ip_of_the_request(client_for, north, make_staff):
    admin = make_staff(north, "agency_admin")
    client = client_for(admin)

    response = client.post(
        "/api/v1/teams/",
        {"name": "Whānau team"},
        HTTP_X_REQUEST_ID="req-1234567890",
        REMOTE_ADDR="203.0.113.9",
    )

    assert response.status_code == 201
    assert response["X-Request-ID"] == "req-1234567890"
    event = AuditEvent.objects.get(object_type="core.team")
    assert event.request_id == "req-1234567890"
    assert event.ip_address == "203.0.113.9"
    assert event.actor_username == admin.username


def test_unsafe_request_id_is_replaced(client_for, north, make_staff):
    client = client_for(make_staff(north, "caseworker"))

    response = client.get("/api/v1/me/", HTTP_X_REQUEST_ID="bad id\nwith newline")

    assert response["X-Request-ID"] != "bad id\nwith newline"
    assert len(response["X-Request-ID"]) == 32


def test_secret_values_never_reach_the_log(north, make_staff):
    actor = make_staff(north, "agency_admin")

    event = audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="core.user",
        changes={"password": {"old": "a", "new": "b"}, "email": {"old": "x", "new": "y"}},
    )

    assert event.changes == {"password": "[redacted]", "email": {"old": "x", "new": "y"}}


@pytest.mark.parametrize("role", ["compliance_officer", "agency_admin"])
def test_audit_readers_see_only_their_agency(client_for, north, south, make_staff, role):
    reader = make_staff(north, role)
    north_actor = make_staff(north, "caseworker")
    south_actor = make_staff(south, "caseworker")
    audit_record(
        actor=north_actor, action=AuditAction.VIEW, object_type="casework.client", object_id="n1"
    )
    south_event = audit_record(
        actor=south_actor, action=AuditAction.VIEW, object_type="casework.client", object_id="s1"
    )
    client = client_for(reader)

    body = client.get(AUDIT_URL, {"object_type": "casework.client"}).json()

    assert [row["object_id"] for row in body["results"]] == ["n1"]
    assert client.get(f"{AUDIT_URL}{south_event.pk}/").status_code == 404


@pytest.mark.parametrize("role", ["caseworker", "team_lead", "program_officer"])
def test_other_roles_cannot_read_the_audit_log(client_for, north, make_staff, role):
    assert client_for(make_staff(north, role)).get(AUDIT_URL).status_code == 403


def test_audit_log_has_no_write_methods(client_for, north, make_staff, event):
    client = client_for(make_staff(north, "agency_admin"))
    url = f"{AUDIT_URL}{event.pk}/"

    assert client.post(AUDIT_URL, {"action": "view"}).status_code == 405
    assert client.patch(url, {"action": "delete"}).status_code == 405
    assert client.delete(url).status_code == 405
    assert AuditEvent.objects.get(pk=event.pk).action == AuditAction.VIEW


def test_audit_log_filters_by_actor_action_object_and_time(client_for, north, make_staff):
    reader = make_staff(north, "compliance_officer")
    one = make_staff(north, "caseworker")
    two = make_staff(north, "caseworker")
    audit_record(actor=one, action=AuditAction.VIEW, object_type="casework.client", object_id="c1")
    audit_record(
        actor=two, action=AuditAction.UPDATE, object_type="casework.client", object_id="c2"
    )
    client = client_for(reader)

    by_actor = client.get(AUDIT_URL, {"actor": str(one.pk)}).json()["results"]
    by_action = client.get(AUDIT_URL, {"action": "update"}).json()["results"]
    by_object = client.get(AUDIT_URL, {"object_id": "c2"}).json()["results"]
    future = client.get(AUDIT_URL, {"occurred_after": "2199-01-01T00:00:00Z"}).json()["results"]

    assert {r["object_id"] for r in by_actor if r["object_type"] == "casework.client"} == {"c1"}
    assert [r["object_id"] for r in by_action if r["object_type"] == "casework.client"] == ["c2"]
    assert [r["actor"] for r in by_object] == [str(two.pk)]
    assert future == []


def test_audit_log_refuses_malformed_filters(client_for, north, make_staff):
    client = client_for(make_staff(north, "compliance_officer"))

    assert client.get(AUDIT_URL, {"actor": "not-a-uuid"}).status_code == 400
    assert client.get(AUDIT_URL, {"occurred_after": "yesterday"}).status_code == 400
    assert client.get(AUDIT_URL, {"action": "explode"}).status_code == 400


def test_audit_list_query_count_does_not_grow_with_page_size(
    client_for, north, make_staff, list_queries
):
    reader = make_staff(north, "compliance_officer")
    for n in range(12):
        audit_record(actor=reader, action=AuditAction.VIEW, object_type="x", object_id=str(n))
    client = client_for(reader)

    assert list_queries(client, AUDIT_URL, 2) == list_queries(client, AUDIT_URL, 10)
