"""Programmes, their fiscal-year budgets and enrolments of cases."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import ApplicationError
from core.models import AuditAction, AuditEvent
from core.nz.fiscal import fiscal_year_label
from programs import services
from programs.models import Budget, Enrolment, Programme
from tests.programs.factories import BudgetFactory, ProgrammeFactory, current_fiscal_year

pytestmark = pytest.mark.django_db

PROGRAMMES = "/api/v1/programs/"
ENROLMENTS = "/api/v1/enrolments/"


def budgets_url(programme):
    return f"{PROGRAMMES}{programme.pk}/budgets/"


def programme_body(**overrides):
    return {
        "name": "Mahuru hardship fund",
        "kind": "financial_aid",
        "funder": "Te Puni Kōkiri",
        "eligibility_notes": "Whānau in Te Tai Tokerau facing an immediate cost.",
        "active_from": "2025-07-01",
        **overrides,
    }


# ---- programmes --------------------------------------------------------------------------------


def test_staff_see_programmes_their_agency_delivers(client_for, staff, programme, north, south):
    south_only = ProgrammeFactory(delivering_agencies=[south])
    client = client_for(staff["north-caseworker"])

    names = [row["name"] for row in client.get(PROGRAMMES).json()["results"]]

    assert names == [programme.name]
    assert client.get(f"{PROGRAMMES}{south_only.pk}/").status_code == 404
    assert client.get(f"{PROGRAMMES}{programme.pk}/").json()["delivering_agencies"] == [
        "north",
        "south",
    ]


def test_admin_registers_a_programme_for_their_agency(client_for, staff):
    response = client_for(staff["north-admin"]).post(PROGRAMMES, programme_body())

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["delivering_agencies"] == ["north"]
    assert body["funder"] == "Te Puni Kōkiri"
    programme = Programme.objects.get(pk=body["id"])
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=str(programme.pk)
    ).exists()


def test_admin_cannot_register_a_programme_for_another_agency(client_for, staff):
    response = client_for(staff["north-admin"]).post(
        PROGRAMMES, programme_body(delivering_agencies=["north", "south"])
    )

    assert response.status_code == 400
    assert "delivering_agencies" in response.json()["error"]["fields"]


def test_caseworker_cannot_register_a_programme(client_for, staff):
    assert (
        client_for(staff["north-caseworker"]).post(PROGRAMMES, programme_body()).status_code == 403
    )


def test_programme_dates_must_be_in_order(client_for, staff):
    response = client_for(staff["north-admin"]).post(
        PROGRAMMES, programme_body(active_to="2025-06-30")
    )

    assert response.status_code == 400


def test_shared_programme_is_changed_only_by_operators(client_for, staff, programme):
    response = client_for(staff["north-admin"]).patch(
        f"{PROGRAMMES}{programme.pk}/", {"funder": "Someone else"}
    )

    assert response.status_code == 403


def test_admin_changes_their_own_programme(client_for, staff, north):
    own = services.programme_create(
        actor=staff["north-admin"],
        name="Kōhanga transport",
        kind="financial_aid",
        funder="MSD",
        active_from=date(2025, 7, 1),
    )

    response = client_for(staff["north-admin"]).patch(
        f"{PROGRAMMES}{own.pk}/", {"active_to": "2026-06-30"}
    )

    assert response.status_code == 200, response.json()
    assert response.json()["active_to"] == "2026-06-30"


# ---- budgets -----------------------------------------------------------------------------------


def test_officer_reads_budgets_with_available_amount(
    client_for, staff, programme, approved_request
):
    approved_request("1200.00")
    label = fiscal_year_label(current_fiscal_year())

    body = client_for(staff["north-officer"]).get(budgets_url(programme)).json()

    assert body["count"] == 1
    row = body["results"][0]
    assert row["fiscal_year"] == label
    assert row["agency"] is None
    assert (row["allocated"], row["committed"], row["paid"], row["available"]) == (
        "10000.00",
        "1200.00",
        "0.00",
        "8800.00",
    )


def test_caseworker_cannot_read_budgets(client_for, staff, programme, budget):
    assert client_for(staff["north-caseworker"]).get(budgets_url(programme)).status_code == 403


def test_other_agencys_own_budget_is_invisible(client_for, staff, programme, south, budget):
    BudgetFactory(programme=programme, agency=south, allocated=Decimal("5000.00"))

    north_rows = client_for(staff["north-officer"]).get(budgets_url(programme)).json()["results"]
    south_rows = client_for(staff["south-officer"]).get(budgets_url(programme)).json()["results"]

    assert [row["agency"] for row in north_rows] == [None]
    assert sorted(str(row["agency"]) for row in south_rows) == ["None", "south"]


def test_admin_sets_their_agencys_budget(client_for, staff, programme):
    label = fiscal_year_label(current_fiscal_year())
    client = client_for(staff["north-admin"])

    created = client.post(
        budgets_url(programme), {"fiscal_year": label, "agency": "north", "allocated": "2500.50"}
    )
    changed = client.post(
        budgets_url(programme), {"fiscal_year": label, "agency": "north", "allocated": "3000.00"}
    )

    assert created.status_code == 200, created.json()
    assert changed.json()["allocated"] == "3000.00"
    assert Budget.objects.get(agency__slug="north").allocated == Decimal("3000.00")


def test_admin_cannot_set_another_agencys_budget_or_a_shared_one(client_for, staff, programme):
    label = fiscal_year_label(current_fiscal_year())
    client = client_for(staff["north-admin"])

    other = client.post(
        budgets_url(programme), {"fiscal_year": label, "agency": "south", "allocated": "1.00"}
    )
    shared = client.post(budgets_url(programme), {"fiscal_year": label, "allocated": "1.00"})

    assert other.status_code == 403
    assert shared.status_code == 403
    assert not Budget.objects.exists()


def test_allocation_cannot_drop_below_what_is_spent(staff, programme, approved_request, budget):
    approved_request("1500.00")

    with pytest.raises(ApplicationError) as exc:
        services.budget_set(
            actor=None,
            programme=programme,
            fiscal_year=current_fiscal_year(),
            allocated=Decimal("1499.99"),
        )

    assert exc.value.code == "allocation_below_spend"
    budget.refresh_from_db()
    assert budget.allocated == Decimal("10000.00")


@pytest.mark.parametrize(
    "payload",
    [
        {"fiscal_year": "2025/27", "allocated": "10.00"},
        {"fiscal_year": "2025", "allocated": "10.00"},
        {"fiscal_year": "2025/26", "allocated": "-1.00"},
        {"fiscal_year": "2025/26", "allocated": "10.001"},
    ],
)
def test_bad_budget_input_is_400(client_for, staff, payload):
    own = services.programme_create(
        actor=staff["north-admin"],
        name="Own fund",
        kind="financial_aid",
        funder="MSD",
        active_from=date(2025, 7, 1),
    )

    response = client_for(staff["north-admin"]).post(budgets_url(own), payload)

    assert response.status_code == 400


# ---- enrolments --------------------------------------------------------------------------------


def test_caseworker_enrols_a_case_and_ends_it(client_for, staff, led_case, programme):
    caseworker = client_for(staff["north-caseworker"])
    case = led_case(staff["north-caseworker"])

    created = caseworker.post(ENROLMENTS, {"case": str(case.pk), "programme": str(programme.pk)})
    duplicate = caseworker.post(ENROLMENTS, {"case": str(case.pk), "programme": str(programme.pk)})

    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "active"
    assert created.json()["started_on"] == timezone.localdate().isoformat()
    assert duplicate.status_code == 400
    assert duplicate.json()["error"]["code"] == "already_enrolled"

    ended = caseworker.post(
        f"{ENROLMENTS}{created.json()['id']}/end/", {"status": "completed", "reason": "Goals met."}
    )
    assert ended.status_code == 200
    assert ended.json()["status"] == "completed"
    assert ended.json()["end_reason"] == "Goals met."


def test_enrolments_are_visible_to_the_case_workers_and_officers_only(
    client_for, staff, led_case, programme
):
    case = led_case(staff["north-caseworker"])
    enrolment = services.enrolment_create(
        actor=staff["north-caseworker"], case=case, programme=programme
    )
    url = f"{ENROLMENTS}{enrolment.pk}/"

    assert client_for(staff["north-officer"]).get(url).status_code == 200
    assert client_for(staff["north-lead"]).get(url).status_code == 200
    assert client_for(staff["north-caseworker2"]).get(url).status_code == 404
    assert client_for(staff["south-officer"]).get(url).status_code == 404


def test_enrolling_in_a_programme_the_agency_does_not_deliver_is_refused(
    client_for, staff, led_case, south
):
    other = ProgrammeFactory(delivering_agencies=[south])
    case = led_case(staff["north-caseworker"])

    response = client_for(staff["north-caseworker"]).post(
        ENROLMENTS, {"case": str(case.pk), "programme": str(other.pk)}
    )

    assert response.status_code == 400
    assert not Enrolment.objects.exists()
