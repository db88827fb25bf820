"""/api/v1/consents/: list with computed state, record, read (audited) and withdraw."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casework.models import Consent
from casework.services.consents import consent_record, consent_withdraw
from core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

URL = "/api/v1/consents/"


def payload(for_client, **overrides):
    return {
        "client": str(for_client.pk),
        "purpose": "referral_sharing",
        "recipient_name": "Ōtautahi Budget Service",
        "given_at": (timezone.now() - timedelta(hours=2)).isoformat(),
        "method": "verbal",
        **overrides,
    }


def record(actor, client, **overrides):
    fields = {
        "purpose": "referral_sharing",
        "recipient_name": "Ōtautahi Budget Service",
        "given_at": timezone.now() - timedelta(days=2),
        "method": "written",
        **overrides,
    }
    return consent_record(actor=actor, client=client, **fields)


def test_caseworker_records_consent_and_gets_its_state(staff, assigned_client, client_for):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)

    response = client_for(cw).post(URL, payload(client, notes="Explained in te reo Māori"))

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "current"
    assert body["client"] == str(client.pk)
    assert body["recipient_name"] == "Ōtautahi Budget Service"
    assert body["purpose_label"] == "Share information with a referral recipient"
    assert body["recorded_by"] == str(cw.pk)
    assert body["notes"] == "Explained in te reo Māori"
    assert AuditEvent.objects.filter(object_id=body["id"], action=AuditAction.CREATE).exists()


def test_consent_to_an_agency_names_it(staff, assigned_client, client_for):
    cw = staff["north-caseworker"]
    south = staff["south-caseworker"].agency

    response = client_for(cw).post(
        URL, payload(assigned_client(cw), recipient_name="", recipient_agency=str(south.pk))
    )

    assert response.status_code == 201, response.json()
    assert response.json()["recipient_agency"] == str(south.pk)
    assert response.json()["recipient_agency_name"] == "Ōtautahi Recovery Trust"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"recipient_name": ""}, "recipient_name"),
        ({"purpose": "gossip"}, "purpose"),
        ({"method": "telepathy"}, "method"),
        ({"given_at": "not-a-date"}, "given_at"),
        ({"expires_at": "2020-01-01T00:00:00Z"}, "expires_at"),
        ({"recipient_agency": "7b0c6a2e-0000-4000-8000-000000000000"}, "recipient_agency"),
    ],
)
def test_bad_consent_input_is_a_field_error_and_writes_nothing(
    staff, assigned_client, client_for, overrides, field
):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)

    response = client_for(cw).post(URL, payload(client, **overrides))

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Consent.objects.exists()


def test_consent_for_a_client_not_visible_is_404(staff, assigned_client, client_for):
    client = assigned_client(staff["north-caseworker"])

    for username in ["north-caseworker2", "south-caseworker", "south-lead"]:
        response = client_for(staff[username]).post(URL, payload(client))
        assert response.status_code == 404, username
    missing = client_for(staff["north-caseworker"]).post(
        URL, payload(client, client="7b0c6a2e-0000-4000-8000-000000000000")
    )
    assert missing.status_code == 404
    assert not Consent.objects.exists()


def test_roles_without_add_consent_get_403_on_create(staff, assigned_client, client_for):
    client = assigned_client(staff["north-caseworker"])

    for username in ["north-officer", "north-senior-officer", "north-compliance", "north-admin"]:
        response = client_for(staff[username]).post(URL, payload(client))
        assert response.status_code == 403, username


def test_team_lead_sees_consents_of_team_cases(staff, led_case, client_for):
    case = led_case(staff["north-caseworker"])
    consent = record(staff["north-caseworker"], case.client)

    body = client_for(staff["north-lead"]).get(URL).json()

    assert [row["id"] for row in body["results"]] == [str(consent.pk)]


def test_other_agency_and_other_caseworker_get_404_everywhere(staff, assigned_client, client_for):
    cw = staff["north-caseworker"]
    consent = record(cw, assigned_client(cw))

    for username in ["north-caseworker2", "south-caseworker", "south-lead", "south-admin"]:
        client = client_for(staff[username])
        assert client.get(URL).json()["count"] == 0, username
        assert client.get(f"{URL}{consent.pk}/").status_code == 404, username
        response = client.post(f"{URL}{consent.pk}/withdraw/", {"reason": "Probe"})
        assert response.status_code == 404, username
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_reading_a_consent_is_audited(staff, assigned_client, client_for):
    cw = staff["north-caseworker"]
    consent = record(cw, assigned_client(cw))

    response = client_for(cw).get(f"{URL}{consent.pk}/")

    assert response.status_code == 200
    event = AuditEvent.objects.filter(object_id=str(consent.pk)).latest("id")
    assert event.action == AuditAction.VIEW
    assert event.actor_id == cw.pk
    assert event.object_type == "casework.consent"


def test_state_is_computed_and_filterable(staff, assigned_client, client_for):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)
    now = timezone.now()
    current = record(cw, client)
    expired = record(
        cw, client, given_at=now - timedelta(days=60), expires_at=now - timedelta(days=1)
    )
    withdrawn = record(cw, client)
    consent_withdraw(actor=cw, consent=withdrawn, reason="Client asked")
    api = client_for(cw)

    def ids(state):
        return [row["id"] for row in api.get(URL, {"state": state}).json()["results"]]

    assert ids("current") == [str(current.pk)]
    assert ids("expired") == [str(expired.pk)]
    assert ids("withdrawn") == [str(withdrawn.pk)]
    states = {row["id"]: row["state"] for row in api.get(URL).json()["results"]}
    assert states == {
        str(current.pk): "current",
        str(expired.pk): "expired",
        str(withdrawn.pk): "withdrawn",
    }


def test_list_filters_by_client_purpose_recipient_and_dates(staff, assigned_client, client_for):
    cw = staff["north-caseworker"]
    first, second = assigned_client(cw), assigned_client(cw)
    south = staff["south-caseworker"].agency
    now = timezone.now()
    old = record(cw, first, given_at=now - timedelta(days=40))
    texting = record(
        cw, first, purpose="contact_by_text", recipient_name="", recipient_agency=cw.agency
    )
    to_south = record(cw, second, recipient_name="", recipient_agency=south)
    api = client_for(cw)

    def ids(**params):
        return {row["id"] for row in api.get(URL, params).json()["results"]}

    assert ids(client=str(first.pk)) == {str(old.pk), str(texting.pk)}
    assert ids(purpose="contact_by_text") == {str(texting.pk)}
    assert ids(recipient_agency=str(south.pk)) == {str(to_south.pk)}
    assert ids(given_before=(now - timedelta(days=10)).isoformat()) == {str(old.pk)}
    assert ids(given_after=(now - timedelta(days=10)).isoformat()) == {
        str(texting.pk),
        str(to_south.pk),
    }
    assert api.get(URL, {"state": "sleeping"}).status_code == 400
    assert api.get(URL, {"client": "not-a-uuid"}).status_code == 400


def test_withdraw_endpoint_records_reason_and_refuses_a_second_time(
    staff, assigned_client, client_for
):
    cw = staff["north-caseworker"]
    consent = record(cw, assigned_client(cw))
    api = client_for(cw)
    url = f"{URL}{consent.pk}/withdraw/"

    first = api.post(url, {"reason": "Wants to manage it herself"})
    second = api.post(url, {"reason": "Again"})
    no_reason = api.post(url, {})

    assert first.status_code == 200
    assert first.json()["state"] == "withdrawn"
    assert first.json()["withdrawal_reason"] == "Wants to manage it herself"
    assert second.status_code == 400
    assert second.json()["error"]["code"] == "consent_withdrawn"
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()["error"]["fields"]


def test_consents_cannot_be_edited_or_deleted(staff, assigned_client, client_for):
    cw = staff["north-caseworker"]
    consent = record(cw, assigned_client(cw))
    api = client_for(cw)
    url = f"{URL}{consent.pk}/"

    assert api.put(url, {"notes": "x"}).status_code == 405
    assert api.patch(url, {"notes": "x"}).status_code == 405
    assert api.delete(url).status_code == 405
    assert Consent.objects.filter(pk=consent.pk, notes="").exists()


def test_list_query_count_does_not_grow_with_page_size(
    staff, assigned_client, client_for, list_queries
):
    cw = staff["north-caseworker"]
    for _ in range(5):
        client = assigned_client(cw)
        record(cw, client)
        record(cw, client, recipient_name="", recipient_agency=staff["south-lead"].agency)
    api = client_for(cw)

    assert list_queries(api, URL, 2) == list_queries(api, URL, 10)


@pytest.mark.parametrize("field", ["given_at", "expires_at"])
def test_a_year_one_date_time_is_a_field_error_not_a_500(staff, assigned_client, client_for, field):
    cw = staff["north-caseworker"]

    response = client_for(cw).post(
        URL, payload(assigned_client(cw), **{field: "0001-01-01T00:00:00"}), format="json"
    )

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Consent.objects.exists()


@pytest.mark.parametrize("param", ["given_after", "given_before"])
def test_a_year_one_date_filter_is_400(staff, client_for, param):
    response = client_for(staff["north-caseworker"]).get(URL, {param: "0001-01-01T00:00:00"})

    assert response.status_code == 400
    assert param in response.json()["error"]["fields"]
