"""Consent services and the `consent_is_current` check sharing code relies on."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from casework.models import Consent, ConsentPurpose
from casework.selectors.consents import consent_is_current
from casework.services.consents import consent_record, consent_withdraw
from core.errors import ApplicationError
from core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def record(actor, client, **overrides):
    fields = {
        "purpose": ConsentPurpose.REFERRAL_SHARING,
        "recipient_name": "Te Whare Tapa Whā Clubhouse",
        "given_at": timezone.now() - timedelta(days=1),
        "method": "written",
        **overrides,
    }
    return consent_record(actor=actor, client=client, **fields)


def test_recording_consent_keeps_purpose_recipient_and_recorder_and_is_audited(
    staff, assigned_client
):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)
    south = staff["south-caseworker"].agency

    consent = record(cw, client, recipient_name="", recipient_agency=south)

    assert consent.recipient_agency == south
    assert consent.recorded_by == cw
    assert consent.is_current(timezone.now())
    event = AuditEvent.objects.get(object_id=str(consent.pk))
    assert event.action == AuditAction.CREATE
    assert event.agency_id == client.agency_id
    assert event.changes["purpose"] == "referral_sharing"
    assert event.changes["recipient_agency"] == str(south.pk)


@pytest.mark.parametrize(
    "recipient",
    [
        {"recipient_name": ""},
        {"recipient_name": "   "},
        {"recipient_name": "Both", "recipient_agency": "south"},
    ],
)
def test_exactly_one_recipient_is_required(staff, assigned_client, recipient):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)
    if recipient.get("recipient_agency") == "south":
        recipient["recipient_agency"] = staff["south-caseworker"].agency

    with pytest.raises(ApplicationError) as caught:
        record(cw, client, **recipient)

    assert {"recipient_agency", "recipient_name"} <= set(caught.value.fields)
    assert not Consent.objects.exists()


def test_consent_must_expire_after_it_was_given(staff, assigned_client):
    cw = staff["north-caseworker"]
    given = timezone.now() - timedelta(days=3)

    with pytest.raises(ApplicationError) as caught:
        record(cw, assigned_client(cw), given_at=given, expires_at=given)

    assert "expires_at" in caught.value.fields


def test_consent_cannot_be_given_in_the_future(staff, assigned_client):
    cw = staff["north-caseworker"]

    with pytest.raises(ApplicationError) as caught:
        record(cw, assigned_client(cw), given_at=timezone.now() + timedelta(hours=1))

    assert "given_at" in caught.value.fields


def test_consent_for_a_client_the_actor_cannot_change_is_404(staff, assigned_client):
    client = assigned_client(staff["north-caseworker"])

    for username in ["north-caseworker2", "south-caseworker", "south-lead"]:
        with pytest.raises(Http404):
            record(staff[username], client)

    assert not Consent.objects.exists()


def test_roles_that_do_not_record_consent_are_refused(staff, assigned_client):
    client = assigned_client(staff["north-caseworker"])

    for username in ["north-officer", "north-compliance", "north-admin"]:
        with pytest.raises(PermissionDenied):
            record(staff[username], client)


def test_withdrawal_keeps_the_consent_on_record_with_reason(staff, assigned_client):
    cw = staff["north-caseworker"]
    consent = record(cw, assigned_client(cw))

    withdrawn = consent_withdraw(actor=cw, consent=consent, reason="Changed her mind at hui")

    assert Consent.objects.filter(pk=consent.pk).exists()
    assert withdrawn.withdrawn_at is not None
    assert withdrawn.withdrawal_reason == "Changed her mind at hui"
    assert not withdrawn.is_current(timezone.now())
    event = AuditEvent.objects.filter(object_id=str(consent.pk)).latest("id")
    assert event.action == AuditAction.UPDATE
    assert "Changed her mind" not in str(event.changes)


def test_withdrawing_twice_is_refused(staff, assigned_client):
    cw = staff["north-caseworker"]
    consent = record(cw, assigned_client(cw))
    consent_withdraw(actor=cw, consent=consent, reason="No longer wants referral")

    with pytest.raises(ApplicationError) as caught:
        consent_withdraw(actor=cw, consent=consent, reason="Again")

    assert caught.value.code == "consent_withdrawn"
    consent.refresh_from_db()
    assert consent.withdrawal_reason == "No longer wants referral"


def test_withdrawal_needs_a_reason(staff, assigned_client):
    cw = staff["north-caseworker"]
    consent = record(cw, assigned_client(cw))

    with pytest.raises(ApplicationError) as caught:
        consent_withdraw(actor=cw, consent=consent, reason="  ")

    assert "reason" in caught.value.fields
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_an_expired_consent_cannot_be_withdrawn(staff, assigned_client):
    cw = staff["north-caseworker"]
    now = timezone.now()
    consent = record(
        cw,
        assigned_client(cw),
        given_at=now - timedelta(days=30),
        expires_at=now - timedelta(days=1),
    )

    with pytest.raises(ApplicationError) as caught:
        consent_withdraw(actor=cw, consent=consent, reason="Too late")

    assert caught.value.code == "consent_expired"


def test_another_caseworker_cannot_withdraw(staff, assigned_client):
    cw = staff["north-caseworker"]
    consent = record(cw, assigned_client(cw))

    with pytest.raises(Http404):
        consent_withdraw(actor=staff["north-caseworker2"], consent=consent, reason="Not mine")


def test_consent_is_current_finds_the_consent_in_force(staff, assigned_client):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)
    south = staff["south-caseworker"].agency
    consent = record(cw, client, recipient_name="", recipient_agency=south)

    found = consent_is_current(
        client=client, purpose=ConsentPurpose.REFERRAL_SHARING, recipient_agency=south
    )

    assert found == consent


def test_consent_is_current_is_none_for_another_purpose_or_recipient(staff, assigned_client):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)
    record(cw, client, recipient_name="Te Whare Tapa Whā Clubhouse")

    other_purpose = consent_is_current(
        client=client,
        purpose=ConsentPurpose.FUNDER_IDENTIFIABLE,
        recipient_name="Te Whare Tapa Whā Clubhouse",
    )
    other_recipient = consent_is_current(
        client=client, purpose=ConsentPurpose.REFERRAL_SHARING, recipient_name="Budget Services"
    )
    agency_recipient = consent_is_current(
        client=client,
        purpose=ConsentPurpose.REFERRAL_SHARING,
        recipient_agency=staff["south-caseworker"].agency,
    )
    other_client = consent_is_current(
        client=assigned_client(cw),
        purpose=ConsentPurpose.REFERRAL_SHARING,
        recipient_name="Te Whare Tapa Whā Clubhouse",
    )

    assert other_purpose is None
    assert other_recipient is None
    assert agency_recipient is None
    assert other_client is None


def test_consent_is_current_matches_names_regardless_of_case_and_spaces(staff, assigned_client):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)
    consent = record(cw, client, recipient_name="Te Whare Tapa Whā Clubhouse")

    found = consent_is_current(
        client=client,
        purpose=ConsentPurpose.REFERRAL_SHARING,
        recipient_name="  te whare tapa whā clubhouse ",
    )

    assert found == consent


def test_consent_is_current_respects_given_expiry_and_withdrawal_dates(staff, assigned_client):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)
    now = timezone.now()
    consent = record(
        cw, client, given_at=now - timedelta(days=10), expires_at=now + timedelta(days=10)
    )
    consent_withdraw(actor=cw, consent=consent, reason="Withdrawn by phone")

    def check(at):
        return consent_is_current(
            client=client,
            purpose=ConsentPurpose.REFERRAL_SHARING,
            recipient_name="Te Whare Tapa Whā Clubhouse",
            at=at,
        )

    assert check(now - timedelta(days=11)) is None  # not yet given
    assert check(now - timedelta(days=5)) == consent  # in force before the withdrawal
    assert check(None) is None  # withdrawn now
    assert check(now + timedelta(days=11)) is None  # expired as well


def test_consent_is_current_ignores_an_expired_consent(staff, assigned_client):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)
    now = timezone.now()
    record(cw, client, given_at=now - timedelta(days=30), expires_at=now - timedelta(seconds=1))

    found = consent_is_current(
        client=client,
        purpose=ConsentPurpose.REFERRAL_SHARING,
        recipient_name="Te Whare Tapa Whā Clubhouse",
    )

    assert found is None


def test_consent_is_current_needs_exactly_one_recipient(staff, assigned_client):
    client = assigned_client(staff["north-caseworker"])

    with pytest.raises(ValueError, match="exactly one recipient"):
        consent_is_current(client=client, purpose=ConsentPurpose.CONTACT_BY_TEXT)
    with pytest.raises(ValueError, match="exactly one recipient"):
        consent_is_current(
            client=client,
            purpose=ConsentPurpose.CONTACT_BY_TEXT,
            recipient_agency=client.agency,
            recipient_name="Also a name",
        )
