"""The audit log's filters: each finds its events within the reader's agency, along an index."""

from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.audit import audit_record
from core.models import AuditAction, AuditEvent
from core.request_context import RequestContext, reset_request_context, set_request_context
from tests.plans import page_plan, uses_index

pytestmark = pytest.mark.django_db

AUDIT_URL = "/api/v1/audit-events/"


@contextmanager
def request_context(**values):
    token = set_request_context(RequestContext(**values))
    try:
        yield
    finally:
        reset_request_context(token)


@pytest.fixture
def logged(north, south, make_staff):
    """Events of both agencies: a view and an export each, under a request id each.

    Named "view" and "change" (north), "south view" and "south change"."""
    made = {}
    for agency, username, prefix in ((north, "tui", ""), (south, "rewi", "south ")):
        actor = make_staff(agency, "caseworker", username=username)
        with request_context(request_id=f"req-{agency.slug}", ip_address="203.0.113.1"):
            made[f"{prefix}view"] = audit_record(
                actor=actor, action=AuditAction.VIEW, object_type="casework.client", object_id="c-1"
            )
            made[f"{prefix}change"] = audit_record(
                actor=actor,
                action=AuditAction.EXPORT,
                object_type="exports.exportrun",
                object_id="k-1",
            )
    return made


FILTERS = [
    ({"action": "export"}, ["change"]),
    ({"action": ["view", "export"]}, ["change", "view"]),
    ({"actor_username": "tui"}, ["change", "view"]),
    ({"actor_username": "rewi"}, []),
    ({"request_id": "req-north"}, ["change", "view"]),
    ({"request_id": "req-south"}, []),
    ({"object_id": "c-1"}, ["view"]),
    ({"object_type": "exports.exportrun", "object_id": "k-1"}, ["change"]),
]


@pytest.mark.parametrize(("params", "expected"), FILTERS)
def test_each_filter_finds_its_events_in_the_readers_agency_only(
    client_for, north, make_staff, logged, params, expected
):
    reader = client_for(make_staff(north, "compliance_officer"))

    body = reader.get(AUDIT_URL, params).json()

    assert [row["id"] for row in body["results"]] == [logged[name].pk for name in expected]
    assert body["count"] == len(expected)


def test_an_unknown_action_is_a_400(client_for, north, make_staff, logged):
    reader = client_for(make_staff(north, "compliance_officer"))

    response = reader.get(AUDIT_URL, {"action": "read_everything"})

    assert response.status_code == 400
    assert "action" in response.json()["error"]["fields"]


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("params", "index"),
    [
        ({"action": "export"}, "audit_agency_action_time"),
        ({"actor_username": "tui"}, "audit_username_time"),
        ({"request_id": "req-north"}, "audit_request"),
        ({"object_id": "c-1"}, "audit_object_id"),
    ],
)
def test_on_postgresql_each_filter_is_found_through_its_own_index(
    client_for, north, make_staff, logged, params, index
):
    """Without these the page and its count read the agency's whole history for the few
    events a request id, an object, a user or a rare action names."""
    reader = client_for(make_staff(north, "compliance_officer"))
    # A history for the planner to weigh each index against: the agency's other views.
    AuditEvent.objects.bulk_create(
        AuditEvent(
            agency=north,
            actor_username=f"staff-{n % 40}",
            action=AuditAction.VIEW,
            object_type="casework.client",
            object_id=f"other-{n}",
            request_id=f"other-{n}",
        )
        for n in range(2000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE core_auditevent")

    body, plan = page_plan(reader, AUDIT_URL, params, sorts=True)

    assert body["results"]
    assert uses_index(plan, index), plan


def test_a_page_of_the_audit_log_is_four_queries(client_for, north, make_staff, logged):
    """The reader's roles for the permission and for the selector, the count and the page."""
    reader = client_for(make_staff(north, "compliance_officer"))

    with CaptureQueriesContext(connection) as ctx:
        response = reader.get(AUDIT_URL, {"action": "view"})

    assert response.status_code == 200
    assert len(ctx.captured_queries) == 4, [q["sql"][:80] for q in ctx.captured_queries]
