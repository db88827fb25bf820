"""Referrals through the API: consent, what the receiving agency sees, the lifecycle, the loop."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from casework.models import Client, NetworkTie
from casework.services.consents import consent_withdraw
from core.models import Notification
from programs.models import Referral, ReferralShare
from programs.services import referrals
from tests.factories import ClientFactory
from tests.programs.referral_helpers import (
    consent_for,
    draft,
    outside_service,
    sent,
    south_service,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/referrals/"


def action_url(referral, name):
    return f"{URL}{referral.pk}/{name}/"


@pytest.fixture
def cw(staff):
    return staff["north-caseworker"]


@pytest.fixture
def receiver(staff):
    return staff["south-caseworker"]


@pytest.fixture
def service(south):
    return south_service(south)


@pytest.fixture
def case(cw, led_case):
    client = ClientFactory(
        agency=cw.agency,
        created_by=cw,
        legal_given_names="Mere",
        legal_family_name="Pōmare",
        preferred_name="Mere",
        date_of_birth=date(1988, 3, 14),
        phone="021 555 0101",
        email="mere@example.nz",
        address="12 Kauri Street, Kaitāia",
    )
    return led_case(cw, client=client)


@pytest.fixture
def consent(cw, case, south):
    return consent_for(cw, case.client, agency=south)


def test_draft_then_send_with_consent(client_for, cw, case, service, consent):
    api = client_for(cw)
    response = api.post(
        URL,
        {
            "case": str(case.pk),
            "service": str(service.pk),
            "reason": "Needs whānau support.",
            "shared_fields": ["preferred_name", "date_of_birth"],
        },
    )
    assert response.status_code == 201, response.content
    referral_id = response.json()["id"]
    assert response.json()["status"] == "draft"
    assert response.json()["shared"] is None

    response = api.post(f"{URL}{referral_id}/send/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "sent"
    assert body["consent"] == str(consent.pk)
    assert body["shared"] == {
        "preferred_name": "Mere",
        "date_of_birth": str(case.client.date_of_birth),
    }


def test_sending_without_consent_is_refused_and_changes_nothing(client_for, cw, case, service):
    referral = draft(cw, case, service)

    response = client_for(cw).post(action_url(referral, "send"))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "consent_required"
    referral.refresh_from_db()
    assert referral.status == "draft"
    assert referral.consent_id is None
    assert not ReferralShare.objects.filter(referral=referral).exists()


def test_consent_for_another_recipient_does_not_count(client_for, cw, case, service, north):
    consent_for(cw, case.client, name="Te Whare Tiaki")
    referral = draft(cw, case, service)

    response = client_for(cw).post(action_url(referral, "send"))

    assert response.json()["error"]["code"] == "consent_required"


def test_sending_with_withdrawn_consent_is_refused(client_for, cw, case, service, consent):
    consent_withdraw(actor=cw, consent=consent, reason="Changed her mind.")
    referral = draft(cw, case, service)

    response = client_for(cw).post(action_url(referral, "send"))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "consent_required"


def test_sending_with_expired_consent_is_refused(client_for, cw, case, service, south):
    from casework.models import Consent

    consent = consent_for(cw, case.client, agency=south)
    # An expiry in the past cannot be recorded through the service; age the row instead.
    Consent.objects.filter(pk=consent.pk).update(
        given_at=timezone.now() - timedelta(days=30),
        expires_at=timezone.now() - timedelta(days=1),
    )
    referral = draft(cw, case, service)

    response = client_for(cw).post(action_url(referral, "send"))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "consent_required"


def test_outside_organisation_needs_consent_naming_it(client_for, cw, case):
    other = outside_service()
    referral = draft(cw, case, other)
    assert client_for(cw).post(action_url(referral, "send")).status_code == 400

    consent_for(cw, case.client, name="te whare tiaki ")
    response = client_for(cw).post(action_url(referral, "send"))

    assert response.status_code == 200, response.content
    assert response.json()["to_agency"] is None


def test_recipient_sees_only_the_shared_fields(client_for, cw, receiver, case, service, consent):
    referral = sent(cw, case, service)

    response = client_for(receiver).get(f"{URL}{referral.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["direction"] == "incoming"
    assert set(body["shared"]) == {
        "preferred_name",
        "legal_name",
        "date_of_birth",
        "region",
        "reason",
    }
    assert "phone" not in body["shared"]
    assert "email" not in body["shared"]
    for hidden in ("case", "client", "client_display_name", "reason", "consent", "network_tie"):
        assert body[hidden] is None
    assert "021 555 0101" not in response.content.decode()


def test_every_casework_endpoint_answers_404_to_the_receiving_agency(
    client_for, cw, receiver, staff, case, service, consent
):
    referral = sent(cw, case, service)
    client_id, case_id = case.client_id, case.pk
    for user in (receiver, staff["south-lead"]):
        api = client_for(user)
        assert api.get(f"{URL}{referral.pk}/").status_code == 200
        for url in (
            f"/api/v1/clients/{client_id}/",
            f"/api/v1/cases/{case_id}/",
            f"/api/v1/cases/{case_id}/notes/",
            f"/api/v1/clients/{client_id}/network/",
            f"/api/v1/consents/{consent.pk}/",
        ):
            assert api.get(url).status_code == 404, url
        for url in ("/api/v1/consents/", "/api/v1/assessments/", "/api/v1/network-ties/"):
            response = api.get(url, {"client": str(client_id)})
            assert response.status_code in (200, 400, 404), url
            if response.status_code == 200:
                assert response.json()["results"] == [], url
        assert str(client_id) not in api.get("/api/v1/clients/").content.decode()
        assert str(client_id) not in api.get("/api/v1/whanau/").content.decode()


def test_others_get_404(client_for, cw, staff, case, service, consent):
    referral = sent(cw, case, service)
    for name in ("north-caseworker2", "south-officer", "south-compliance", "north-officer"):
        response = client_for(staff[name]).get(f"{URL}{referral.pk}/")
        assert response.status_code == 404, name


def test_recipient_does_not_see_drafts(client_for, cw, receiver, case, service):
    referral = draft(cw, case, service)

    assert client_for(receiver).get(f"{URL}{referral.pk}/").status_code == 404
    assert client_for(receiver).get(f"{URL}inbox/").json()["count"] == 0


def test_closing_hides_the_shared_fields(client_for, cw, receiver, case, service, consent):
    referral = sent(cw, case, service)
    api = client_for(receiver)
    assert api.post(action_url(referral, "accept"), {}).status_code == 200

    response = api.post(action_url(referral, "close"), {"reason": "Client moved again."})

    assert response.status_code == 200, response.content
    assert response.json()["shared"] is None
    assert api.get(f"{URL}{referral.pk}/").json()["shared"] is None
    assert api.get(f"{URL}inbox/").json()["count"] == 0
    # The sender keeps the record of what was disclosed.
    assert client_for(cw).get(f"{URL}{referral.pk}/").json()["shared"] is not None


def test_consent_withdrawal_hides_the_shared_fields(
    client_for, cw, receiver, case, service, consent
):
    referral = sent(cw, case, service)
    client_for(receiver).post(action_url(referral, "accept"), {})

    consent_withdraw(actor=cw, consent=consent, reason="No longer wants to share.")

    body = client_for(receiver).get(f"{URL}{referral.pk}/").json()
    assert body["shared"] is None
    assert body["consent_withdrawn"] is True


@pytest.mark.parametrize(
    ("setup", "move", "who"),
    [
        ("draft", "accept", "sender"),
        ("sent", "complete", "receiver"),
        ("accepted", "withdraw", "sender"),
        ("sent", "engage", "receiver"),
        ("declined", "accept", "receiver"),
    ],
)
def test_illegal_transitions_answer_400(
    client_for, cw, receiver, case, service, consent, setup, move, who
):
    if setup == "draft":
        # A draft is invisible to the recipient, so try it on an outside organisation,
        # whose answers the sender records.
        referral = draft(cw, case, outside_service())
    else:
        referral = sent(cw, case, service)
        if setup == "accepted":
            referrals.referral_accept(actor=receiver, referral=referral)
        elif setup == "declined":
            referrals.referral_decline(actor=receiver, referral=referral, reason="Full.")
    actor = cw if who == "sender" else receiver
    before = Referral.objects.get(pk=referral.pk).status

    response = client_for(actor).post(action_url(referral, move), {"reason": "because"})

    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "illegal_transition"
    assert Referral.objects.get(pk=referral.pk).status == before


@pytest.mark.parametrize("move", ["decline", "close"])
def test_decline_and_close_need_a_reason(client_for, cw, receiver, case, service, consent, move):
    referral = sent(cw, case, service)
    if move == "close":
        referrals.referral_accept(actor=receiver, referral=referral)

    response = client_for(receiver).post(action_url(referral, move), {"reason": "  "})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "reason_required"


def test_only_the_receiving_side_accepts(client_for, cw, case, service, consent):
    referral = sent(cw, case, service)

    response = client_for(cw).post(action_url(referral, "accept"), {})

    assert response.status_code == 403


def test_only_the_sender_withdraws(client_for, cw, receiver, case, service, consent):
    referral = sent(cw, case, service)

    assert client_for(receiver).post(action_url(referral, "withdraw"), {}).status_code == 403
    response = client_for(cw).post(action_url(referral, "withdraw"), {})
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert client_for(receiver).get(f"{URL}{referral.pk}/").json()["shared"] is None


def test_sender_is_notified_on_accept_decline_and_complete(
    client_for, cw, receiver, case, service, consent
):
    api = client_for(receiver)
    first = sent(cw, case, service)
    second = sent(cw, case, service)
    api.post(action_url(first, "accept"), {})
    api.post(action_url(first, "engage"), {})
    api.post(action_url(first, "complete"), {})
    api.post(action_url(second, "decline"), {"reason": "No space until March."})

    kinds = sorted(Notification.objects.filter(recipient=cw).values_list("kind", flat=True))

    assert kinds == ["referral_accepted", "referral_completed", "referral_declined"]
    assert not Notification.objects.filter(recipient=receiver).exists()
    listed = client_for(cw).get("/api/v1/notifications/", {"unread": "true"}).json()
    assert listed["count"] == 3
    assert any("No space until March." in n["body"] for n in listed["results"])


def test_accepting_can_open_a_case_in_the_receiving_agency(
    client_for, cw, receiver, case, service, consent, south
):
    referral = sent(cw, case, service)

    response = client_for(receiver).post(action_url(referral, "accept"), {"open_case": True})

    assert response.status_code == 200, response.content
    received_case = response.json()["received_case"]
    assert received_case is not None
    new_client = Client.objects.get(cases__pk=received_case)
    assert new_client.agency_id == south.pk
    assert new_client.pk != case.client_id
    assert new_client.legal_family_name == "Pōmare"
    assert new_client.phone == ""  # not shared, so not copied
    assert client_for(receiver).get(f"/api/v1/cases/{received_case}/").status_code == 200
    assert client_for(cw).get(f"/api/v1/cases/{received_case}/").status_code == 404


def test_open_case_needs_name_birth_date_and_region(
    client_for, cw, receiver, case, service, consent
):
    referral = sent(cw, case, service, shared_fields=["preferred_name"])

    response = client_for(receiver).post(action_url(referral, "accept"), {"open_case": True})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_enough_shared"
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_overdue_follow_up_is_in_the_senders_work(client_for, cw, staff, case, service, consent):
    referral = sent(cw, case, service)
    Referral.objects.filter(pk=referral.pk).update(
        follow_up_on=timezone.localdate() - timedelta(days=2)
    )

    mine = client_for(cw).get("/api/v1/me/work/", {"kind": "referral_follow_up"}).json()

    assert [item["object_id"] for item in mine["results"]] == [str(referral.pk)]
    assert mine["results"][0]["overdue"] is True
    for name in ("north-caseworker2", "south-caseworker", "south-lead"):
        theirs = client_for(staff[name]).get("/api/v1/me/work/", {"kind": "referral_follow_up"})
        assert theirs.json()["count"] == 0, name


def test_follow_up_not_yet_due_is_not_work(client_for, cw, case, service, consent):
    sent(cw, case, service)

    mine = client_for(cw).get("/api/v1/me/work/", {"kind": "referral_follow_up"}).json()

    assert mine["count"] == 0


def test_engaged_referral_adds_a_tie_with_its_source(
    client_for, cw, receiver, case, service, consent
):
    referral = sent(cw, case, service)
    referrals.referral_accept(actor=receiver, referral=referral)
    early = client_for(cw).post(action_url(referral, "add-to-network"), {})
    assert early.status_code == 400
    assert early.json()["error"]["code"] == "not_engaged"
    referrals.referral_engage(actor=receiver, referral=referral)

    response = client_for(cw).post(action_url(referral, "add-to-network"), {"strength": 4})

    assert response.status_code == 200, response.content
    tie = NetworkTie.objects.get(pk=response.json()["network_tie"])
    assert tie.client_id == case.client_id
    assert tie.source == f"referral:{referral.reference}"
    assert tie.name == "Ōtautahi Recovery Trust"
    assert client_for(cw).post(action_url(referral, "add-to-network"), {}).status_code == 409
    assert client_for(receiver).post(action_url(referral, "add-to-network"), {}).status_code == 403


def test_inbox_lists_open_incoming_referrals(client_for, cw, receiver, case, service, consent):
    referral = sent(cw, case, service)
    draft(cw, case, service)

    inbox = client_for(receiver).get(f"{URL}inbox/").json()

    assert [r["id"] for r in inbox["results"]] == [str(referral.pk)]
    assert client_for(cw).get(f"{URL}inbox/").json()["count"] == 0
    outgoing = client_for(cw).get(URL, {"direction": "outgoing"}).json()
    assert outgoing["count"] == 2


def test_list_queries_do_not_grow_with_the_page(
    client_for, cw, receiver, case, service, consent, list_queries
):
    for _ in range(10):
        referral = sent(cw, case, service)
        referrals.referral_accept(actor=receiver, referral=referral)
    for user, url in ((cw, URL), (receiver, URL), (receiver, f"{URL}inbox/")):
        api = client_for(user)
        assert list_queries(api, url, 2) == list_queries(api, url, 10), url


def test_malformed_id_is_404(client_for, cw):
    assert client_for(cw).get(f"{URL}not-a-uuid/").status_code == 404
    assert client_for(cw).post(f"{URL}not-a-uuid/send/").status_code == 404


def test_a_team_lead_reads_each_listed_referral_from_its_own_side(
    client_for, staff, cw, case, service, consent, led_case
):
    incoming = sent(cw, case, service)
    south_worker = staff["south-caseworker"]
    south_case = led_case(south_worker)
    consent_for(south_worker, south_case.client, name="Te Whare Tiaki")
    outgoing = sent(south_worker, south_case, outside_service())
    draft(south_worker, south_case, service)  # to their own agency, not sent: theirs only

    listed = client_for(staff["south-lead"]).get(URL).json()["results"]
    directions = {row["id"]: row["direction"] for row in listed}

    assert directions[str(incoming.pk)] == "incoming"
    assert directions[str(outgoing.pk)] == "outgoing"
    assert sorted(directions.values()) == ["incoming", "outgoing", "outgoing"]
    # The sending team lead reads the same referral as theirs.
    north = client_for(staff["north-lead"]).get(URL).json()["results"]
    assert {row["id"]: row["direction"] for row in north} == {str(incoming.pk): "outgoing"}


def test_each_reader_sees_the_referrals_either_side_grants_them(
    staff, cw, case, service, consent, led_case
):
    # A team lead's sending side is probed row by row (`referral_visibility`); it must
    # let through exactly what the set-shaped sides do, own-name grants beyond the
    # team's included.
    from casework.access import grant_case_to_user
    from programs.selectors.referrals import recipient_side, referral_visibility, sender_side

    incoming = sent(cw, case, service)
    south_worker = staff["south-caseworker"]
    south_case = led_case(south_worker)
    consent_for(south_worker, south_case.client, name="Te Whare Tiaki")
    south_outgoing = sent(south_worker, south_case, outside_service())
    south_draft = draft(south_worker, south_case, service)
    other_case = led_case(south_worker)
    beyond_team = draft(south_worker, other_case, service)
    north_lead = staff["north-lead"]
    grant_case_to_user(other_case, north_lead)  # an own-name grant the north team lacks

    def seen(user, visibility):
        return set(Referral.objects.filter(visibility).values_list("pk", flat=True))

    readers = [*staff.values()]
    for reader in readers:
        assert seen(reader, referral_visibility(reader)) == seen(
            reader, sender_side(reader) | recipient_side(reader)
        ), reader.username
    assert seen(north_lead, referral_visibility(north_lead)) == {incoming.pk, beyond_team.pk}
    assert seen(staff["south-lead"], referral_visibility(staff["south-lead"])) == {
        incoming.pk,
        south_outgoing.pk,
        south_draft.pk,
        beyond_team.pk,
    }
    assert seen(staff["north-officer"], referral_visibility(staff["north-officer"])) == set()
