"""Admin screens of consent, plans, networks and assessments: read-only, audited, no deletes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casework.models import Instrument
from casework.services.assessments import assessment_record
from casework.services.consents import consent_record
from casework.services.goals import goal_create
from casework.services.network import network_snapshot_take, tie_add
from core.models import AuditAction, AuditEvent, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client):
    operator = User.objects.create_superuser("operator", password="x-operator-2026")
    client.force_login(operator)
    return client


@pytest.fixture
def records(staff, led_case):
    cw = staff["north-caseworker"]
    case = led_case(cw)
    case.client.is_restricted = True
    case.client.save()
    client = case.client
    tie = tie_add(
        actor=cw,
        client=client,
        name="Sister in Ōpōtiki",
        tie_type="whanau",
        strength=5,
        contact_frequency="weekly",
        quality="supportive",
    )
    return {
        "consent": consent_record(
            actor=cw,
            client=client,
            purpose="referral_sharing",
            recipient_name="Budget Service",
            given_at=timezone.now() - timedelta(days=1),
            method="written",
        ),
        "goal": goal_create(actor=cw, case=case, pou=3, description="Join the waka ama club"),
        "networktie": tie,
        "networksnapshot": network_snapshot_take(actor=cw, client=client, stage="intake"),
        "assessment": assessment_record(
            actor=cw,
            client=client,
            instrument=Instrument.objects.get(code="lsns-6"),
            answers={f"q{n}": 2 for n in range(1, 7)},
            administered_on=timezone.localdate(),
            stage="intake",
        ),
    }


@pytest.mark.parametrize(
    "model", ["consent", "goal", "networktie", "networksnapshot", "assessment"]
)
def test_operator_reads_without_changing_and_the_read_is_audited(operator_client, records, model):
    record = records[model]
    base = f"/admin/casework/{model}/"

    listing = operator_client.get(base)
    detail = operator_client.get(f"{base}{record.pk}/change/")
    add = operator_client.get(f"{base}add/")
    delete = operator_client.get(f"{base}{record.pk}/delete/")

    assert listing.status_code == 200
    assert detail.status_code == 200
    assert add.status_code == 403
    assert delete.status_code == 403
    assert "Sister in Ōpōtiki" not in detail.content.decode()
    event = AuditEvent.objects.filter(object_id=str(record.pk)).latest("id")
    assert event.action == AuditAction.VIEW
    assert event.changes == {"via": "admin"}
    assert event.agency_id == records["consent"].client.agency_id


def test_instruments_are_read_only_in_the_admin(operator_client, roles):
    assert operator_client.get("/admin/casework/instrument/lsns-6/change/").status_code == 200
    assert operator_client.get("/admin/casework/instrument/add/").status_code == 403
    assert operator_client.get("/admin/casework/instrument/lsns-6/delete/").status_code == 403
