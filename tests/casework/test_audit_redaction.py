"""Audit events about clients restricted after the fact, as compliance reads them."""

from datetime import date

import pytest

from casework.audit_redaction import redact_client_events
from casework.services.clients import client_create, client_update
from casework.services.whanau import whanau_create, whanau_member_add
from core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

URL = "/api/v1/audit-events/"


def register(actor, **fields):
    values = {
        "legal_given_names": "Huia",
        "legal_family_name": "Rangihuna",
        "date_of_birth": date(1990, 5, 1),
        "region": "01",
        "phone": "027 000 1111",
        "address": "12 Kōwhai Street",
        **fields,
    }
    return client_create(actor=actor, **values)


def events_of(api, object_type, object_id):
    rows = api.get(URL, {"object_type": object_type, "object_id": str(object_id)}).json()
    return rows["results"]


def test_compliance_no_longer_reads_the_identity_of_a_client_restricted_later(staff, client_for):
    cw = staff["north-caseworker"]
    client = register(cw)
    client_update(actor=cw, client=client, phone="027 222 3333")
    client_update(actor=cw, client=client, is_restricted=True)
    api = client_for(staff["north-compliance"])

    rows = events_of(api, "casework.client", client.pk)
    created = next(r for r in rows if r["action"] == "create")
    detail = api.get(f"{URL}{created['id']}/").json()

    assert created["changes"]["legal_family_name"] == {"old": "[restricted]", "new": "[restricted]"}
    assert created["changes"]["address"] == {"old": "[restricted]", "new": "[restricted]"}
    assert created["changes"]["region"] == {"old": None, "new": "01"}
    assert detail["changes"]["legal_given_names"] == {"old": "[restricted]", "new": "[restricted]"}
    assert all("027" not in str(r["changes"]) for r in rows)
    assert "Rangihuna" not in str(rows)
    # The stored rows are never rewritten.
    stored = AuditEvent.objects.get(pk=created["id"])
    assert stored.changes["legal_family_name"] == {"old": None, "new": "Rangihuna"}


def test_compliance_reads_an_unrestricted_clients_events_in_full(staff, client_for):
    client = register(staff["north-caseworker"])
    api = client_for(staff["north-compliance"])

    [created] = [r for r in events_of(api, "casework.client", client.pk) if r["action"] == "create"]

    assert created["changes"]["legal_family_name"] == {"old": None, "new": "Rangihuna"}


def test_the_assigned_caseworker_still_reads_the_identity_in_old_events(staff):
    cw = staff["north-caseworker"]
    client = register(cw)
    client_update(actor=cw, client=client, is_restricted=True)
    events = list(AuditEvent.objects.filter(object_id=str(client.pk), action=AuditAction.CREATE))

    redact_client_events(cw, events)

    assert events[0].changes["legal_family_name"] == {"old": None, "new": "Rangihuna"}


def test_redacting_a_page_of_client_events_is_one_query(staff, django_assert_num_queries):
    cw = staff["north-caseworker"]
    clients = [register(cw, legal_given_names=f"Huia {n}") for n in range(5)]
    for client in clients:
        client_update(actor=cw, client=client, is_restricted=True)
    events = list(AuditEvent.objects.filter(object_type="casework.client"))

    with django_assert_num_queries(1):
        redact_client_events(staff["north-compliance"], events)


def test_whanau_member_names_are_hidden_once_the_whanau_holds_a_restricted_client(
    staff, client_for
):
    cw = staff["north-caseworker"]
    client = register(cw)
    whanau = whanau_create(actor=cw, name="Rangihuna")
    whanau_member_add(actor=cw, whanau=whanau, client=client, relationship="parent")
    relative = whanau_member_add(
        actor=cw, whanau=whanau, name="Mere Rangihuna", relationship="child"
    )
    api = client_for(staff["north-compliance"])
    before = events_of(api, "casework.whanaumember", relative.pk)

    client_update(actor=cw, client=client, is_restricted=True)
    after = events_of(api, "casework.whanaumember", relative.pk)

    assert before[0]["changes"]["name"] == {"old": None, "new": "Mere Rangihuna"}
    assert after[0]["changes"]["name"] == {"old": "[restricted]", "new": "[restricted]"}
    assert after[0]["changes"]["relationship"] == {"old": None, "new": "child"}
