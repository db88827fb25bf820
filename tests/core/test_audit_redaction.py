"""Audit readers see events through the registered redactors; the stored rows never change."""

import pytest

from core import audit
from core.audit import audit_record
from core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def blanking_redactor():
    def blank(viewer, events):
        for event in events:
            event.changes = {name: "[hidden]" for name in event.changes}

    audit.register_audit_redactor("test.secretive", blank)
    yield
    audit._redactors.pop("test.secretive", None)


def test_registered_redactor_hides_changes_in_list_and_detail(
    client_for, north, make_staff, blanking_redactor
):
    reader = make_staff(north, "compliance_officer")
    event = audit_record(
        actor=reader,
        action=AuditAction.CREATE,
        object_type="test.secretive",
        object_id="x1",
        changes={"name": {"old": None, "new": "Hēmi"}},
    )
    other = audit_record(
        actor=reader, action=AuditAction.CREATE, object_type="test.plain", changes={"a": 1}
    )
    client = client_for(reader)

    rows = {r["id"]: r for r in client.get("/api/v1/audit-events/").json()["results"]}
    detail = client.get(f"/api/v1/audit-events/{event.pk}/").json()

    assert rows[event.pk]["changes"] == {"name": "[hidden]"}
    assert detail["changes"] == {"name": "[hidden]"}
    assert rows[other.pk]["changes"] == {"a": 1}
    assert AuditEvent.objects.get(pk=event.pk).changes == {"name": {"old": None, "new": "Hēmi"}}
