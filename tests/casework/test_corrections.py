"""Correction requests (IPP 7): recorded, corrected through the client service, or declined."""

import datetime
from datetime import timedelta

import pytest
from django.utils import timezone

from casework.models import Client, CorrectionRequest, CorrectionStatus
from casework.services import corrections
from casework.services.corrections import add_working_days, correction_due_on, is_working_day
from core.models import AuditAction, AuditEvent, Notification
from tests.factories import ClientFactory
from tests.programs.referral_helpers import consent_for, sent, south_service

pytestmark = pytest.mark.django_db

URL = "/api/v1/correction-requests/"


def action_url(correction, name):
    return f"{URL}{correction.pk}/{name}/"


@pytest.fixture
def cw(staff):
    return staff["north-caseworker"]


@pytest.fixture
def mere(cw, assigned_client):
    return assigned_client(
        cw,
        legal_given_names="Mere",
        legal_family_name="Pomare",
        phone="021 555 0101",
        date_of_birth=datetime.date(1988, 3, 14),
    )


def record(actor, client, **overrides):
    fields = {
        "requested_changes": {"legal_family_name": "Pōmare"},
        "client_statement": "My surname has a macron: Pōmare.",
        **overrides,
    }
    return corrections.correction_request_record(actor=actor, client=client, **fields)


# --- working days -----------------------------------------------------------------------


def test_working_days_skip_weekends_and_public_holidays():
    assert not is_working_day(datetime.date(2026, 2, 7))  # Saturday
    assert not is_working_day(datetime.date(2026, 2, 6))  # Waitangi Day
    assert not is_working_day(datetime.date(2026, 4, 3))  # Good Friday
    assert not is_working_day(datetime.date(2026, 4, 6))  # Easter Monday
    assert not is_working_day(datetime.date(2026, 4, 27))  # Anzac Day, Mondayised
    assert not is_working_day(datetime.date(2026, 6, 1))  # King's Birthday
    assert not is_working_day(datetime.date(2026, 7, 10))  # Matariki
    assert not is_working_day(datetime.date(2026, 10, 26))  # Labour Day
    assert not is_working_day(datetime.date(2026, 12, 29))  # summer break
    assert not is_working_day(datetime.date(2027, 1, 15))
    assert is_working_day(datetime.date(2027, 1, 18))
    assert is_working_day(datetime.date(2026, 4, 28))


def test_twenty_working_days_run_over_the_summer_break():
    # Received on Monday 21 December 2026: 22–24 December count, then nothing until 18 January.
    assert add_working_days(datetime.date(2026, 12, 21), 3) == datetime.date(2026, 12, 24)
    assert add_working_days(datetime.date(2026, 12, 21), 4) == datetime.date(2027, 1, 18)
    assert add_working_days(datetime.date(2026, 12, 21), 20) == datetime.date(2027, 2, 10)


def test_due_date_is_twenty_working_days_in_new_zealand_time():
    # 11:30 UTC on Sunday 1 March 2026 is 00:30 on Monday 2 March in Auckland (NZDT).
    received = datetime.datetime(2026, 3, 1, 11, 30, tzinfo=datetime.UTC)
    assert correction_due_on(received) == datetime.date(2026, 3, 30)


# --- recording ----------------------------------------------------------------------------


def test_caseworker_records_a_request_due_in_twenty_working_days(cw, mere, client_for):
    response = client_for(cw).post(
        URL,
        {
            "client": str(mere.pk),
            "requested_changes": {"legal_family_name": "Pōmare", "phone": "027 444 1234"},
            "client_statement": "Please spell my name with its macron and use my new number.",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "received"
    assert body["requested_changes"] == {"legal_family_name": "Pōmare", "phone": "027 444 1234"}
    assert body["due_on"] == correction_due_on(timezone.now()).isoformat()
    assert body["client_display_name"] == "Mere Pomare"
    event = AuditEvent.objects.get(object_id=body["id"], action=AuditAction.CREATE)
    assert event.changes["fields"] == ["legal_family_name", "phone"]
    # The values stay in the request; the log only names the fields.
    assert "027 444 1234" not in str(event.changes)


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"agency": "x"},
        {"is_restricted": False},
        {"date_of_birth": "14/03/1988"},
        {"date_of_birth": 19880314},
        {"ethnicities": "11"},
        {"interpreter_required": "yes"},
        {"phone": 21},
        {"phone": "021\x00"},
    ],
)
def test_bad_requested_changes_answer_400_and_write_nothing(cw, mere, client_for, changes):
    response = client_for(cw).post(
        URL,
        {"client": str(mere.pk), "requested_changes": changes, "client_statement": "Fix it."},
        format="json",
    )

    assert response.status_code == 400, response.content
    assert "requested_changes" in response.json()["error"]["fields"]
    assert not CorrectionRequest.objects.exists()


def test_a_request_cannot_be_received_in_the_future(cw, mere, client_for):
    response = client_for(cw).post(
        URL,
        {
            "client": str(mere.pk),
            "requested_changes": {"phone": "027 444 1234"},
            "client_statement": "New number.",
            "requested_at": (timezone.now() + timedelta(days=2)).isoformat(),
        },
        format="json",
    )

    assert response.status_code == 400
    assert "requested_at" in response.json()["error"]["fields"]


def test_other_agency_and_unassigned_staff_get_404(staff, mere, client_for):
    correction = record(staff["north-caseworker"], mere)
    for username in ("south-caseworker", "south-lead", "north-caseworker2"):
        api = client_for(staff[username])
        assert api.get(f"{URL}{correction.pk}/").status_code == 404, username
        assert api.post(action_url(correction, "correct"), {}).status_code == 404, username
        assert api.get(URL).json()["count"] == 0, username
        response = api.post(
            URL,
            {"client": str(mere.pk), "requested_changes": {"phone": "1"}, "client_statement": "x"},
            format="json",
        )
        assert response.status_code == 404, username
    assert api.get(f"{URL}not-a-uuid/").status_code == 404


def test_list_shows_the_requests_of_visible_clients(cw, mere, assigned_client, client_for):
    record(cw, mere)
    record(cw, assigned_client(cw), requested_changes={"phone": "09 123 4567"})
    other = ClientFactory(agency=cw.agency)
    record(other.created_by, _granted(other))

    response = client_for(cw).get(URL, {"status": "received"})

    assert response.status_code == 200
    assert response.json()["count"] == 2


def test_list_query_count_does_not_grow_with_page_size(cw, assigned_client, client_for):
    for n in range(6):
        record(cw, assigned_client(cw), requested_changes={"phone": f"021 000 00{n}"})
    api = client_for(cw)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (2, 6):
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(URL, {"page_size": size})
        assert len(response.json()["results"]) == size
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_reading_one_request_is_audited(cw, mere, client_for):
    correction = record(cw, mere)

    response = client_for(cw).get(f"{URL}{correction.pk}/")

    assert response.status_code == 200
    assert AuditEvent.objects.filter(
        object_id=str(correction.pk), action=AuditAction.VIEW, actor=cw
    ).exists()


# --- correcting ---------------------------------------------------------------------------


def test_correcting_applies_the_change_and_keeps_the_old_value_in_the_audit_trail(
    cw, mere, client_for
):
    correction = record(
        cw,
        mere,
        requested_changes={"legal_family_name": "Pōmare", "date_of_birth": "1988-03-15"},
    )

    response = client_for(cw).post(
        action_url(correction, "correct"), {"note": "Checked her passport."}, format="json"
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "corrected"
    assert body["decided_by"] == str(cw.pk)
    assert body["decision_reason"] == "Checked her passport."
    mere.refresh_from_db()
    assert mere.legal_family_name == "Pōmare"
    assert mere.date_of_birth == datetime.date(1988, 3, 15)
    update = AuditEvent.objects.get(
        object_type="casework.client", object_id=str(mere.pk), action=AuditAction.UPDATE
    )
    assert update.changes["legal_family_name"] == {"old": "Pomare", "new": "Pōmare"}
    assert update.changes["date_of_birth"] == {"old": "1988-03-14", "new": "1988-03-15"}
    assert AuditEvent.objects.filter(
        object_id=str(correction.pk), action=AuditAction.TRANSITION
    ).exists()


def test_a_request_is_answered_once(cw, mere, client_for):
    correction = record(cw, mere)
    api = client_for(cw)
    assert api.post(action_url(correction, "correct"), {}).status_code == 200

    again = api.post(action_url(correction, "decline"), {"reason": "Changed my mind."})

    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_decided"


def test_a_value_the_client_rules_refuse_answers_400_and_changes_nothing(cw, mere, client_for):
    correction = record(cw, mere, requested_changes={"nhi": "ABC1234", "phone": "027 1"})

    response = client_for(cw).post(action_url(correction, "correct"), {})

    assert response.status_code == 400
    assert "nhi" in response.json()["error"]["fields"]
    mere.refresh_from_db()
    assert mere.phone == "021 555 0101"
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.RECEIVED


def test_staff_who_see_but_may_not_change_the_client_get_403(staff, mere, client_for):
    correction = record(staff["north-caseworker"], mere)
    viewer = staff["north-caseworker2"]
    # A view-only grant, as no service gives one: the rule still holds.
    from guardian.shortcuts import assign_perm

    assign_perm("casework.view_client", viewer, mere)

    assert client_for(viewer).get(f"{URL}{correction.pk}/").status_code == 200
    response = client_for(viewer).post(action_url(correction, "correct"), {})

    assert response.status_code == 403
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.RECEIVED


def test_a_restricted_clients_identity_is_corrected_only_by_the_assigned_caseworker(
    staff, led_case, client_for
):
    cw = staff["north-caseworker"]
    lead = staff["north-lead"]
    case = led_case(cw)
    client = case.client
    Client.objects.filter(pk=client.pk).update(is_restricted=True)
    correction = record(cw, client, requested_changes={"phone": "027 999 0000"})

    as_lead = client_for(lead).get(f"{URL}{correction.pk}/")
    assert as_lead.status_code == 200
    assert as_lead.json()["requested_changes"] == {"phone": "[restricted]"}
    assert as_lead.json()["client_statement"] == "[restricted]"
    assert client_for(lead).post(action_url(correction, "correct"), {}).status_code == 403

    assert client_for(cw).post(action_url(correction, "correct"), {}).status_code == 200
    client.refresh_from_db()
    assert client.phone == "027 999 0000"


# --- declining ----------------------------------------------------------------------------


def test_declining_needs_a_reason_and_attaches_the_statement(cw, mere, client_for):
    correction = record(cw, mere, requested_changes={"date_of_birth": "1990-01-01"})
    api = client_for(cw)

    refused = api.post(action_url(correction, "decline"), {"reason": ""})
    assert refused.status_code == 400
    assert "reason" in refused.json()["error"]["fields"]

    response = api.post(
        action_url(correction, "decline"),
        {"reason": "Her birth certificate shows 14 March 1988."},
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "declined"
    assert body["statement_of_correction"] == "My surname has a macron: Pōmare."
    mere.refresh_from_db()
    assert mere.date_of_birth == datetime.date(1988, 3, 14)


def test_decline_keeps_a_statement_given_by_the_client(cw, mere):
    correction = record(cw, mere)

    corrections.correction_request_decline(
        actor=cw,
        correction=correction,
        reason="The registered name has no macron.",
        statement_of_correction="I, Mere Pōmare, say my name is spelt with a macron.",
    )

    correction.refresh_from_db()
    assert correction.statement_of_correction.startswith("I, Mere Pōmare")


# --- earlier recipients (IPP 7(4)) --------------------------------------------------------


def test_agencies_that_received_a_referral_are_told_of_the_outcome(staff, led_case, client_for):
    cw = staff["north-caseworker"]
    south = staff["south-caseworker"].agency
    case = led_case(cw)
    consent_for(cw, case.client, agency=south)
    referral = sent(cw, case, south_service(south))
    correction = record(cw, case.client, requested_changes={"phone": "027 111 2222"})

    response = client_for(cw).post(action_url(correction, "correct"), {})

    assert response.status_code == 200, response.json()
    assert response.json()["recipients_notified"] == [
        {"agency": str(south.pk), "referral": referral.reference}
    ]
    note = Notification.objects.get(recipient=staff["south-lead"], kind="correction_corrected")
    assert referral.reference in note.title
    assert "027 111 2222" not in note.title + note.body
    assert not Notification.objects.filter(
        recipient__agency=cw.agency, kind__startswith="correction"
    ).exists()


def test_no_referral_means_nobody_else_is_told(cw, mere):
    correction = record(cw, mere)

    corrections.correction_request_decline(actor=cw, correction=correction, reason="Accurate.")

    correction.refresh_from_db()
    assert correction.recipients_notified == []
    assert not Notification.objects.filter(kind__startswith="correction").exists()


def _granted(client):
    from casework import access

    access.grant_client_to_user(client, client.created_by)
    return client


def test_the_admin_shows_what_is_due_but_not_the_values_sought(client, cw, mere):
    from core.models import User

    correction = record(cw, mere, client_statement="Please record 12 Rimu Road, Kaitāia.")
    operator = User.objects.create_superuser("operator", password="x-operator-2026")
    client.force_login(operator)

    response = client.get(f"/admin/casework/correctionrequest/{correction.pk}/change/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "legal_family_name" in page
    assert "Pōmare" not in page
    assert "Rimu Road" not in page
    assert AuditEvent.objects.filter(
        actor=operator, action=AuditAction.VIEW, object_id=str(correction.pk)
    ).exists()
    listing = client.get("/admin/casework/correctionrequest/?status__exact=received")
    assert listing.status_code == 200


@pytest.mark.parametrize("username", ["north-officer", "north-compliance", "north-admin"])
def test_roles_that_do_no_casework_get_403_for_writes(staff, mere, client_for, username):
    correction = record(staff["north-caseworker"], mere)
    api = client_for(staff[username])

    assert api.post(URL, {}, format="json").status_code == 403
    assert api.post(action_url(correction, "correct"), {}).status_code == 403
    assert api.post(action_url(correction, "decline"), {"reason": "x"}).status_code == 403
    assert api.get(f"{URL}{correction.pk}/").status_code == 404


def test_a_responder_who_left_is_replaced_by_the_team_leads(staff, led_case, client_for):
    from programs.models import Referral

    cw = staff["north-caseworker"]
    south = staff["south-caseworker"].agency
    case = led_case(cw)
    consent_for(cw, case.client, agency=south)
    referral = sent(cw, case, south_service(south))
    gone = staff["south-caseworker2"]
    Referral.objects.filter(pk=referral.pk).update(responded_by=gone)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    correction = record(cw, case.client, requested_changes={"phone": "027 111 2222"})

    response = client_for(cw).post(action_url(correction, "correct"), {})

    assert response.status_code == 200, response.json()
    assert Notification.objects.filter(
        recipient=staff["south-lead"], kind="correction_corrected"
    ).exists()
    assert response.json()["recipients_notified"] == [
        {"agency": str(south.pk), "referral": referral.reference}
    ]


def test_an_agency_nobody_could_be_told_at_is_not_recorded_as_told(staff, led_case, client_for):
    cw = staff["north-caseworker"]
    south = staff["south-caseworker"].agency
    case = led_case(cw)
    consent_for(cw, case.client, agency=south)
    sent(cw, case, south_service(south))
    lead = staff["south-lead"]
    lead.is_active = False
    lead.save(update_fields=["is_active"])
    correction = record(cw, case.client, requested_changes={"phone": "027 111 2222"})

    response = client_for(cw).post(action_url(correction, "correct"), {})

    assert response.status_code == 200, response.json()
    assert response.json()["recipients_notified"] == []
