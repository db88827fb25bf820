"""GET /api/v1/access/explain/: why a member of staff can or cannot see a record."""

from decimal import Decimal

import pytest
from django.utils import timezone

from casework.models import Client
from casework.selectors.access_explain import OBJECT_TYPES
from casework.services.cases import case_assign
from casework.services.notes import note_create
from core.models import AuditAction, AuditEvent
from programs.services.aid import aid_request_create
from tests.factories import ClientFactory
from tests.programs.factories import ProgrammeFactory
from tests.programs.referral_helpers import consent_for, sent, south_service

pytestmark = pytest.mark.django_db

URL = "/api/v1/access/explain/"


def explain(api, obj_ref, username):
    return api.get(URL, {"object": obj_ref, "user": username})


def kinds(body, *, granting=None):
    return [
        reason["kind"]
        for reason in body["reasons"]
        if granting is None or reason["grants"] is granting
    ]


@pytest.fixture
def admin_api(staff, client_for):
    return client_for(staff["north-admin"])


@pytest.fixture
def case(staff, led_case):
    return led_case(staff["north-caseworker"])


def test_lead_caseworker_sees_a_client_by_assignment(admin_api, case):
    response = explain(admin_api, f"client:{case.client_id}", "north-caseworker")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["allowed"] is True
    assert body["access"] == {"view": True, "change": True, "identity": True}
    grant = next(r for r in body["reasons"] if r["kind"] == "user_grant")
    assert grant["source"] == "assignment"
    assert str(case.pk) in grant["detail"]
    assert grant["permissions"] == ["change_client", "view_client", "view_client_identity"]


def test_team_lead_sees_through_the_team_group_but_not_a_restricted_identity(
    staff, admin_api, case
):
    Client.objects.filter(pk=case.client_id).update(is_restricted=True)

    body = explain(admin_api, f"client:{case.client_id}", "north-lead").json()

    assert body["allowed"] is True
    assert body["access"]["identity"] is False
    team = next(r for r in body["reasons"] if r["kind"] == "team_grant")
    assert team["team"] == staff["north-lead"].team.name
    restricted = next(r for r in body["reasons"] if r["kind"] == "restricted_client")
    assert restricted["grants"] is False


def test_another_caseworker_has_no_grant(admin_api, case):
    body = explain(admin_api, f"client:{case.client_id}", "north-caseworker2").json()

    assert body["allowed"] is False
    assert kinds(body) == ["no_grant"]


def test_reassignment_moves_the_explanation(staff, admin_api, case):
    case_assign(actor=staff["north-lead"], case=case, lead_caseworker=staff["north-caseworker2"])

    old = explain(admin_api, f"case:{case.pk}", "north-caseworker").json()
    new = explain(admin_api, f"case:{case.pk}", "north-caseworker2").json()

    assert old["allowed"] is False
    assert new["allowed"] is True
    assert new["reasons"][0]["source"] == "assignment"


def test_a_registered_client_is_explained_by_registration(staff, admin_api, assigned_client):
    client = assigned_client(staff["north-caseworker"])

    body = explain(admin_api, f"client:{client.pk}", "north-caseworker").json()

    assert body["allowed"] is True
    assert body["reasons"][0]["source"] == "registration"


def test_restricted_note_is_explained(staff, admin_api, case):
    lead = staff["north-caseworker"]
    note = note_create(
        actor=lead,
        case=case,
        kind="contact",
        body="Disclosed family harm; safety plan agreed.",
        occurred_at=timezone.now(),
        restricted=True,
    )

    as_lead = explain(admin_api, f"note:{note.pk}", "north-caseworker").json()
    as_team_lead = explain(admin_api, f"note:{note.pk}", "north-lead").json()
    as_other = explain(admin_api, f"note:{note.pk}", "north-caseworker2").json()

    assert as_lead["allowed"] is True
    assert as_team_lead["allowed"] is True
    assert as_other["allowed"] is False
    rule = next(r for r in as_other["reasons"] if r["kind"] == "restricted_note")
    assert rule["grants"] is False


def test_aid_request_is_explained_by_role_for_officers(staff, admin_api, case):
    programme = ProgrammeFactory(delivering_agencies=[case.agency])
    aid = aid_request_create(
        actor=staff["north-caseworker"],
        case=case,
        programme=programme,
        category="food",
        amount=Decimal("200.00"),
    )

    officer = explain(admin_api, f"aid_request:{aid.pk}", "north-officer").json()
    caseworker = explain(admin_api, f"aid-request:{aid.pk}", "north-caseworker").json()
    other = explain(admin_api, f"aid_request:{aid.pk}", "north-caseworker2").json()

    assert officer["allowed"] is True
    assert officer["access"]["decide"] is True
    assert kinds(officer, granting=True) == ["role"]
    assert caseworker["allowed"] is True
    assert caseworker["access"]["decide"] is False
    assert other["allowed"] is False


def test_referral_share_is_explained_on_both_sides(staff, client_for, case):
    south = staff["south-caseworker"].agency
    consent_for(staff["north-caseworker"], case.client, agency=south)
    referral = sent(staff["north-caseworker"], case, south_service(south))

    sender = explain(
        client_for(staff["north-admin"]), f"referral:{referral.pk}", "north-caseworker"
    ).json()
    receiver = explain(
        client_for(staff["south-compliance"]), f"referral:{referral.pk}", "south-caseworker"
    ).json()
    receiver_officer = explain(
        client_for(staff["south-compliance"]), f"referral:{referral.pk}", "south-officer"
    ).json()

    assert sender["allowed"] is True
    assert sender["access"]["sender_side"] is True
    assert receiver["allowed"] is True
    assert receiver["access"]["recipient_side"] is True
    assert receiver["access"]["shared_details"] is True
    assert kinds(receiver, granting=True) == ["referral_share"]
    assert receiver_officer["allowed"] is False


def test_the_answer_matches_the_api(staff, client_for, case):
    """`allowed` is what the user gets from the record's own endpoint, for every demo user."""
    admin = client_for(staff["north-admin"])
    for username, user in staff.items():
        if not username.startswith("north-"):
            continue
        body = explain(admin, f"case:{case.pk}", username).json()
        status = client_for(user).get(f"/api/v1/cases/{case.pk}/").status_code
        assert body["allowed"] is (status == 200), username


def test_explaining_is_audited(staff, admin_api, case):
    explain(admin_api, f"case:{case.pk}", "north-caseworker")

    event = AuditEvent.objects.get(
        actor=staff["north-admin"], action=AuditAction.VIEW, object_id=str(case.pk)
    )
    assert event.changes == {"access_explained_for": "north-caseworker", "allowed": True}


@pytest.mark.parametrize("username", ["north-compliance", "north-admin"])
def test_compliance_officers_and_admins_may_ask(staff, client_for, case, username):
    response = explain(client_for(staff[username]), f"case:{case.pk}", "north-caseworker")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "username", ["north-caseworker", "north-lead", "north-officer", "north-senior-officer"]
)
def test_other_roles_get_403(staff, client_for, case, username):
    response = explain(client_for(staff[username]), f"case:{case.pk}", "north-caseworker")
    assert response.status_code == 403


def test_other_agencys_user_or_record_is_404(staff, client_for, case):
    south_admin = client_for(staff["south-admin"])
    north_admin = client_for(staff["north-admin"])
    south_client = ClientFactory(agency=staff["south-caseworker"].agency)

    assert explain(south_admin, f"case:{case.pk}", "south-caseworker").status_code == 404
    assert explain(north_admin, f"case:{case.pk}", "south-caseworker").status_code == 404
    assert explain(north_admin, f"client:{south_client.pk}", "north-caseworker").status_code == 404
    assert explain(north_admin, "client:not-a-uuid", "north-caseworker").status_code == 404
    assert explain(north_admin, f"client:{case.pk}", "nobody").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"user": "north-caseworker"}, "object"),
        ({"object": "planet:1", "user": "north-caseworker"}, "object"),
        ({"object": "case", "user": "north-caseworker"}, "object"),
        ({"object": "case:00000000-0000-0000-0000-000000000000"}, "user"),
    ],
)
def test_bad_parameters_answer_400(admin_api, params, field):
    response = admin_api.get(URL, params)

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_every_type_is_documented():
    assert OBJECT_TYPES == ("client", "case", "note", "aid_request", "referral")


def test_the_recipient_agency_explains_into_its_own_log_and_never_sees_a_draft(
    staff, client_for, case
):
    from tests.programs.referral_helpers import draft

    south = staff["south-caseworker"].agency
    consent_for(staff["north-caseworker"], case.client, agency=south)
    service = south_service(south)
    referral = sent(staff["north-caseworker"], case, service)
    unsent = draft(staff["north-caseworker"], case, service)
    compliance = client_for(staff["south-compliance"])

    explain(compliance, f"referral:{referral.pk}", "south-caseworker")
    hidden = explain(compliance, f"referral:{unsent.pk}", "south-caseworker")

    event = AuditEvent.objects.get(actor=staff["south-compliance"], object_id=str(referral.pk))
    assert event.agency_id == south.pk
    assert hidden.status_code == 404
