"""Property-level authorization: no request sets a field its role may not, no response shows one.

Two layers. The OpenAPI schema proves that no write endpoint even accepts
the fields that belong to the system (ids, agency, authorship, status,
decisions, money totals, audit and account flags), so a new serializer that
exposes one fails here. Behavioural tests then post those fields anyway, with
valid data, and check that the stored record kept the system's values.
"""

import uuid
from decimal import Decimal

import pytest
from drf_spectacular.generators import SchemaGenerator

from casework.models import Case, CaseNote, Client
from core.models import User
from programs import services as program_services
from programs.models import AidRequest

pytestmark = pytest.mark.django_db

# Fields only the system sets. A write endpoint that accepts one must be listed in
# ALLOWED_EXCEPTIONS with the reason it is safe (and a test below proving it).
SYSTEM_FIELDS = frozenset(
    {
        "id", "agency", "created_by", "created_at", "updated_at", "author", "owner",
        "requested_by", "submitted_by", "submitted_at", "approved_by", "approved_at",
        "decided_by", "decided_at", "decision", "status", "budget", "committed", "paid",
        "repaid", "principal", "balance", "is_superuser", "is_staff", "groups",
        "user_permissions", "last_login", "date_joined", "password_hash", "key", "token",
        "sha256", "lead_group", "archived_at", "anonymised_at", "identity_visible",
        "sent_at", "accepted_by", "actor", "request_id", "ip_address", "changes",
    }
)  # fmt: skip

ALLOWED_EXCEPTIONS = {
    # An agency admin sets a budget for one of the agencies delivering the programme;
    # the service refuses any other agency (test_budget_agency_is_checked_not_trusted).
    ("post", "/api/v1/programs/{programme_pk}/budgets/"): {"agency"},
    # An agency-level report names the agency it is about; the report service accepts only
    # the requester's own (test_report_agency_is_checked_not_trusted).
    ("post", "/api/v1/reports/"): {"agency"},
    # Ending an enrolment names how it ended (completed / withdrawn), from a fixed choice.
    ("post", "/api/v1/enrolments/{id}/end/"): {"status"},
}

# Names that must never appear in any response (the token endpoint's own answer aside).
SECRET_OUTPUT_FIELDS = frozenset({"password", "password_hash", "key", "secret", "bank_password"})


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _properties(schema, node) -> set[str]:
    components = schema["components"]["schemas"]
    if "$ref" in node:
        node = components[node["$ref"].rsplit("/", 1)[-1]]
    names = set(node.get("properties", {}))
    for sub in node.get("allOf", []) + node.get("oneOf", []) + node.get("anyOf", []):
        names |= _properties(schema, sub)
    if node.get("type") == "array" and "items" in node:
        names |= _properties(schema, node["items"])
    return names


def test_no_write_endpoint_accepts_a_system_field(schema):
    offenders = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody")
            if not body:
                continue
            accepted = set()
            for content in body["content"].values():
                accepted |= _properties(schema, content["schema"])
            bad = (accepted & SYSTEM_FIELDS) - ALLOWED_EXCEPTIONS.get((method, path), set())
            if bad:
                offenders.append(f"{method.upper()} {path}: {sorted(bad)}")
    assert not offenders, "Write endpoints accept fields only the system may set:\n" + "\n".join(
        offenders
    )


def test_no_response_carries_a_secret(schema):
    offenders = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status, response in operation.get("responses", {}).items():
                for content in response.get("content", {}).values():
                    shown = _properties(schema, content.get("schema", {})) & SECRET_OUTPUT_FIELDS
                    if shown:
                        offenders.append(f"{method.upper()} {path} {status}: {sorted(shown)}")
    assert not offenders, "\n".join(offenders)


def test_client_create_ignores_agency_id_and_authorship(api_as, world):
    cw, south = world.staff["north-caseworker"], world.staff["south-admin"].agency
    chosen_id = uuid.uuid4()

    response = api_as("north-caseworker").post(
        "/api/v1/clients/",
        {
            "legal_given_names": "Tama",
            "legal_family_name": "Horomona",
            "date_of_birth": "1988-04-02",
            "region": "01",
            "id": str(chosen_id),
            "agency": str(south.pk),
            "created_by": str(world.staff["south-caseworker"].pk),
            "created_at": "2000-01-01T00:00:00Z",
            "archived_at": "2000-01-01T00:00:00Z",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    client = Client.objects.get(pk=response.json()["id"])
    assert client.pk != chosen_id
    assert client.agency_id == cw.agency_id
    assert client.created_by_id == cw.pk
    assert client.archived_at is None
    assert client.created_at.year > 2000


def test_case_patch_refuses_status_lead_team_and_agency_and_changes_nothing(api_as, world):
    case_before = Case.objects.get(pk=world.ids["case"])

    refused = api_as("north-caseworker").patch(
        f"/api/v1/cases/{case_before.pk}/",
        {
            "summary": "Housing first, then mahi.",
            "status": "closed",
            "lead_caseworker": str(world.staff["north-caseworker2"].pk),
            "team": None,
            "agency": str(world.staff["south-admin"].agency_id),
        },
        format="json",
    )

    assert refused.status_code == 400
    assert {"status", "lead_caseworker", "team", "agency"} <= set(refused.json()["error"]["fields"])
    case = Case.objects.get(pk=case_before.pk)
    assert case.summary == case_before.summary
    assert case.status == case_before.status
    assert case.lead_caseworker_id == case_before.lead_caseworker_id
    assert case.agency_id == case_before.agency_id
    assert case.team_id == case_before.team_id


def test_a_caseworker_cannot_open_a_case_for_someone_else(api_as, world):
    before = Case.objects.count()

    response = api_as("north-caseworker").post(
        "/api/v1/cases/",
        {
            "client": str(world.ids["client"]),
            "lead_caseworker": str(world.staff["north-caseworker2"].pk),
        },
        format="json",
    )

    assert response.status_code in (400, 403)
    assert Case.objects.count() == before


def test_a_team_lead_cannot_hand_a_case_to_another_agency(api_as, world):
    before = Case.objects.count()

    response = api_as("north-lead").post(
        "/api/v1/cases/",
        {
            "client": str(world.ids["client"]),
            "lead_caseworker": str(world.staff["south-caseworker"].pk),
        },
        format="json",
    )

    assert response.status_code == 400
    assert "lead_caseworker" in response.json()["error"]["fields"]
    assert Case.objects.count() == before


def test_note_author_and_case_come_from_the_request_not_the_body(api_as, world, led_case):
    other_case = led_case(world.staff["north-caseworker2"])

    response = api_as("north-caseworker").post(
        f"/api/v1/cases/{world.ids['case']}/notes/",
        {
            "kind": "contact",
            "body": "Phoned about the bond.",
            "occurred_at": "2026-01-05T10:00:00Z",
            "author": str(world.staff["north-lead"].pk),
            "case": str(other_case.pk),
            "amends": str(world.ids["note"]),
            "created_at": "2000-01-01T00:00:00Z",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    note = CaseNote.objects.get(pk=response.json()["id"])
    assert note.author_id == world.staff["north-caseworker"].pk
    assert note.case_id == world.ids["case"]
    assert note.amends_id is None


def test_aid_request_patch_cannot_decide_it(api_as, world, led_case):
    cw = world.staff["north-caseworker"]
    draft = program_services.aid_request_create(
        actor=cw,
        case=Case.objects.get(pk=world.ids["case"]),
        programme=world.objects["programme"],
        amount=Decimal("80.00"),
        category="food",
        justification="Kai",
    )

    response = api_as("north-caseworker").patch(
        f"/api/v1/aid-requests/{draft.pk}/",
        {
            "justification": "Kai for the week",
            "status": "approved",
            "decided_by": str(world.staff["north-officer"].pk),
            "approved_by": str(world.staff["north-officer"].pk),
            "budget": None,
            "agency": str(world.staff["south-admin"].agency_id),
            "requested_by": str(world.staff["north-lead"].pk),
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    draft.refresh_from_db()
    assert draft.justification == "Kai for the week"
    assert draft.status == "draft"
    assert draft.agency_id == cw.agency_id


def test_amount_cannot_change_after_approval(api_as, world):
    cw = world.staff["north-caseworker"]
    approved = program_services.aid_request_approve(
        actor=world.staff["north-officer"],
        aid_request=program_services.aid_request_submit(
            actor=cw,
            aid_request=program_services.aid_request_create(
                actor=cw,
                case=Case.objects.get(pk=world.ids["case"]),
                programme=world.objects["programme"],
                amount=Decimal("90.00"),
                category="food",
                justification="Kai",
            ),
        ),
    )

    for who in ("north-caseworker", "north-lead", "north-officer"):
        response = api_as(who).patch(
            f"/api/v1/aid-requests/{approved.pk}/", {"amount": "9000.00"}, format="json"
        )
        assert response.status_code in (400, 403, 409), (who, response.content)

    assert AidRequest.objects.get(pk=approved.pk).amount == Decimal("90.00")


def test_staff_create_cannot_make_an_operator_or_cross_agencies(api_as, world):
    response = api_as("north-admin").post(
        "/api/v1/staff/",
        {
            "username": "north-newcomer",
            "password": "Tautoko-strong-2026!",
            "roles": ["caseworker"],
            "agency": "south",
            "is_superuser": True,
            "is_staff": True,
            "groups": [1],
            "user_permissions": [1],
            "last_login": "2000-01-01T00:00:00Z",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    user = User.objects.get(username="north-newcomer")
    assert user.agency_id == world.staff["north-admin"].agency_id
    assert not user.is_superuser
    assert not user.is_staff
    assert user.last_login is None
    assert set(user.roles) == {"caseworker"}


def test_staff_team_must_be_the_admins_own_agency(api_as, world):
    south_team = world.staff["south-caseworker"].team

    response = api_as("north-admin").patch(
        f"/api/v1/staff/{world.ids['staff']}/", {"team": str(south_team.pk)}, format="json"
    )

    assert response.status_code == 400
    assert User.objects.get(pk=world.ids["staff"]).team_id != south_team.pk


def test_budget_agency_is_checked_not_trusted(api_as, world):
    # The programme is delivered by north only: north's admin cannot budget it for south.
    response = api_as("north-admin").post(
        f"/api/v1/programs/{world.ids['programme']}/budgets/",
        {
            "agency": str(world.staff["south-admin"].agency_id),
            "fiscal_year": 2027,
            "allocated": "1000.00",
        },
        format="json",
    )

    assert response.status_code in (400, 403, 404)


def test_report_agency_is_checked_not_trusted(api_as, world):
    from reporting.models import ReportJob

    before = ReportJob.objects.count()

    response = api_as("north-compliance").post(
        "/api/v1/reports/",
        {
            "kind": "programme-outcome",
            "agency": str(world.staff["south-admin"].agency_id),
            "program": str(world.ids["programme"]),
            "period_start": "2025-07-01",
            "period_end": "2026-06-30",
        },
        format="json",
    )

    assert response.status_code in (400, 403, 404), response.content
    assert ReportJob.objects.count() == before


def test_me_and_staff_never_show_password_hashes_or_tokens(api_as, world):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=world.staff["north-caseworker"])
    hashes = [u.password for u in world.staff.values()]

    for username, path in (
        ("north-caseworker", "/api/v1/me/"),
        ("north-admin", "/api/v1/staff/"),
        ("north-admin", f"/api/v1/staff/{world.staff['north-caseworker'].pk}/"),
        ("north-compliance", "/api/v1/audit-events/?page_size=200"),
    ):
        text = api_as(username).get(path).content.decode()
        assert token.key not in text, path
        assert not any(h and h in text for h in hashes), path
        if "audit-events" not in path:  # the audit log says a password was set, as [redacted]
            assert '"password"' not in text, path
        assert "[redacted]" in text or "audit-events" not in path
