"""Employment support through the API: visibility through the case, rules as 400s, check-ins."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.models import AuditEvent
from programs.models import Budget, PlacementStatus
from programs.services import employment as services
from tests.programs.factories import EmployerFactory, employment_programme

pytestmark = pytest.mark.django_db

PLANS = "/api/v1/employment-plans/"
ACTIVITIES = "/api/v1/employment-activities/"
EMPLOYERS = "/api/v1/employers/"
PLACEMENTS = "/api/v1/placements/"
DUE = "/api/v1/placements/due-checkins/"


def today():
    return timezone.localdate()


@pytest.fixture
def cw(staff):
    return staff["north-caseworker"]


@pytest.fixture
def case(cw, led_case):
    return led_case(cw)


@pytest.fixture
def employer(north):
    return EmployerFactory(agency=north, name="Kai Ora Café — Kaitāia")


@pytest.fixture
def mahi(north, south):
    return employment_programme(north, south, allocated=Decimal("5000.00"))


def placement_body(case, employer, **fields):
    body = {
        "case": str(case.pk),
        "employer": str(employer.pk),
        "role": "Kaiāwhina — café assistant",
        "start_on": (today() - timedelta(days=2)).isoformat(),
        "hours_per_week": "30.00",
        "hourly_wage": "25.00",
    }
    body.update(fields)
    return body


def started(cw, case, employer, days_ago=2):
    placement = services.placement_create(
        actor=cw,
        case=case,
        employer=employer,
        role="Kitchen hand",
        start_on=today() - timedelta(days=days_ago),
        hours_per_week=Decimal("30"),
        hourly_wage=Decimal("25.00"),
    )
    return services.placement_start(actor=cw, placement=placement)


# ---- plans and activities -------------------------------------------------------------------


def test_plan_created_and_read_by_the_caseworker_and_404_to_others(client_for, cw, case, staff):
    response = client_for(cw).post(
        PLANS,
        {
            "case": str(case.pk),
            "work_goals": "Mahi in horticulture near Kerikeri.",
            "barriers": ["transport", "criminal_record"],
            "support_agreed": "Bus card; a letter to the employer about disclosure.",
            "next_review_on": (today() + timedelta(days=30)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    plan = response.json()
    assert plan["work_goals"] == "Mahi in horticulture near Kerikeri."
    url = f"{PLANS}{plan['id']}/"
    assert client_for(cw).get(url).status_code == 200
    assert client_for(staff["north-lead"]).get(url).status_code == 200  # the team's lead
    for name in ("south-caseworker", "south-lead", "north-caseworker2", "north-officer"):
        assert client_for(staff[name]).get(url).status_code == 404, name
        assert client_for(staff[name]).get(PLANS).json()["count"] == 0, name
        assert client_for(staff[name]).post(f"{url}close/").status_code == 404, name


def test_plan_for_a_case_of_another_agency_is_404(client_for, case, staff):
    response = client_for(staff["south-caseworker"]).post(
        PLANS,
        {"case": str(case.pk), "work_goals": "x", "next_review_on": today().isoformat()},
        format="json",
    )
    assert response.status_code == 404


def test_plan_update_review_and_close(client_for, cw, case):
    plan = services.employment_plan_create(
        actor=cw, case=case, work_goals="Work", next_review_on=today()
    )
    api = client_for(cw)
    url = f"{PLANS}{plan.pk}/"
    assert api.patch(url, {"barriers": ["childcare"]}, format="json").json()["barriers"] == [
        "childcare"
    ]
    assert api.patch(url, {"barriers": ["nope"]}, format="json").status_code == 400
    next_review = (today() + timedelta(days=42)).isoformat()
    reviewed = api.post(f"{url}review/", {"next_review_on": next_review}, format="json").json()
    assert reviewed["last_reviewed_on"] == today().isoformat()
    assert api.post(f"{url}close/").json()["status"] == "closed"
    assert api.post(f"{url}close/").status_code == 400


def test_activity_recorded_and_listed_through_the_case(client_for, cw, case, staff):
    api = client_for(cw)
    response = api.post(
        ACTIVITIES,
        {
            "case": str(case.pk),
            "kind": "training",
            "occurred_on": today().isoformat(),
            "hours": "6.5",
            "provider": "Te Wānanga o Aotearoa",
            "qualification": "Certificate in Te Reo Māori",
            "nzqa_level": 3,
            "completed": False,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["provider"] == "Te Wānanga o Aotearoa"
    bad = api.post(
        ACTIVITIES,
        {"case": str(case.pk), "kind": "coaching", "occurred_on": today().isoformat(), "hours": 0},
        format="json",
    )
    assert bad.status_code == 400
    assert "hours" in bad.json()["error"]["fields"]
    assert api.get(ACTIVITIES, {"case": str(case.pk)}).json()["count"] == 1
    assert client_for(staff["south-caseworker"]).get(ACTIVITIES).json()["count"] == 0
    activity_id = response.json()["id"]
    assert (
        client_for(staff["south-caseworker"]).get(f"{ACTIVITIES}{activity_id}/").status_code == 404
    )


# ---- employers ------------------------------------------------------------------------------


def test_employers_are_the_agencys_own(client_for, cw, staff, employer):
    created = client_for(cw).post(
        EMPLOYERS,
        {"name": "Ngāti Kahu Forestry", "region": "01", "nzbn": "9429041535011"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert client_for(cw).get(EMPLOYERS).json()["count"] == 2
    assert client_for(staff["north-officer"]).get(EMPLOYERS).json()["count"] == 2
    south = client_for(staff["south-caseworker"])
    assert south.get(EMPLOYERS).json()["count"] == 0
    assert south.get(f"{EMPLOYERS}{employer.pk}/").status_code == 404
    assert (
        south.patch(f"{EMPLOYERS}{employer.pk}/", {"region": "13"}, format="json").status_code
        == 404
    )
    bad = client_for(cw).post(
        EMPLOYERS, {"name": "X", "region": "01", "nzbn": "123"}, format="json"
    )
    assert bad.status_code == 400
    assert "nzbn" in bad.json()["error"]["fields"]
    refused = client_for(staff["north-compliance"]).post(
        EMPLOYERS, {"name": "Y", "region": "01"}, format="json"
    )
    assert refused.status_code == 403


# ---- placements -----------------------------------------------------------------------------


def test_placement_offered_started_ended_through_the_api(client_for, cw, case, employer):
    api = client_for(cw)
    created = api.post(PLACEMENTS, placement_body(case, employer), format="json")
    assert created.status_code == 201, created.content
    placement = created.json()
    assert placement["status"] == "offered"
    assert placement["allowed_transitions"] == ["started", "withdrawn"]
    url = f"{PLACEMENTS}{placement['id']}/"
    started_ = api.post(f"{url}start/", {}, format="json").json()
    assert started_["status"] == "started"
    assert [c["weeks"] for c in started_["check_ins"]] == [4, 13, 26]
    ended = api.post(
        f"{url}end/", {"end_reason": "fixed_term_finished", "notes": "Season over."}, format="json"
    ).json()
    assert ended["status"] == "ended"
    assert ended["end_reason"] == "fixed_term_finished"
    assert [(h["from_status"], h["to_status"]) for h in ended["history"]] == [
        ("", "offered"),
        ("offered", "started"),
        ("started", "ended"),
    ]
    assert AuditEvent.objects.filter(object_id=placement["id"], action="transition").count() == 2


def test_illegal_transitions_are_400(client_for, cw, case, employer):
    api = client_for(cw)
    placement = api.post(PLACEMENTS, placement_body(case, employer), format="json").json()
    url = f"{PLACEMENTS}{placement['id']}/"
    response = api.post(f"{url}end/", {"end_reason": "resigned"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "illegal_transition"
    api.post(f"{url}withdraw/", {"reason": "Employer filled the role."}, format="json")
    assert api.post(f"{url}start/", {}, format="json").status_code == 400
    assert api.post(f"{url}withdraw/", {"reason": "again"}, format="json").status_code == 400


def test_end_without_a_reason_is_400(client_for, cw, case, employer):
    placement = started(cw, case, employer)
    response = client_for(cw).post(f"{PLACEMENTS}{placement.pk}/end/", {}, format="json")
    assert response.status_code == 400
    assert "end_reason" in response.json()["error"]["fields"]


def test_wage_below_the_minimum_is_400_and_nothing_is_written(client_for, cw, case, employer):
    response = client_for(cw).post(
        PLACEMENTS, placement_body(case, employer, hourly_wage="23.00"), format="json"
    )
    assert response.status_code == 400
    assert "hourly_wage" in response.json()["error"]["fields"]
    assert not case.placements.exists()


def test_subsidy_over_budget_is_400(client_for, cw, case, employer, mahi):
    body = placement_body(
        case,
        employer,
        is_subsidised=True,
        subsidy_weekly_amount="300.00",
        subsidy_weeks=26,
        programme=str(mahi.pk),
    )
    response = client_for(cw).post(PLACEMENTS, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "over_budget"
    body["subsidy_weeks"] = 10
    response = client_for(cw).post(PLACEMENTS, body, format="json")
    assert response.status_code == 201, response.content
    started_ = client_for(cw).post(f"{PLACEMENTS}{response.json()['id']}/start/", {}, format="json")
    assert started_.json()["subsidy_committed"] == "3000.00"
    assert Budget.objects.get(programme=mahi).committed == Decimal("3000.00")


def test_placements_of_another_agency_are_404(client_for, cw, case, employer, staff):
    placement = started(cw, case, employer)
    url = f"{PLACEMENTS}{placement.pk}/"
    for name in ("south-caseworker", "south-lead", "north-caseworker2"):
        api = client_for(staff[name])
        assert api.get(url).status_code == 404, name
        assert api.post(f"{url}end/", {"end_reason": "other"}, format="json").status_code == 404
        assert (
            api.post(f"{url}check-ins/4/", {"still_employed": False}, format="json").status_code
            == 404
        )
        assert api.get(PLACEMENTS).json()["count"] == 0
        assert api.get(DUE, {"days": 400}).json()["count"] == 0
    # Placing with another agency's employer: that employer is not one you can see.
    other = EmployerFactory(agency=staff["south-caseworker"].agency)
    response = client_for(cw).post(PLACEMENTS, placement_body(case, other), format="json")
    assert response.status_code == 404


def test_check_in_recorded_through_the_api(client_for, cw, case, employer):
    placement = started(cw, case, employer, days_ago=29)
    api = client_for(cw)
    url = f"{PLACEMENTS}{placement.pk}/check-ins/4/"
    response = api.post(url, {"still_employed": True, "hours_per_week": "32"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["still_employed"] is True
    assert (
        api.post(url, {"still_employed": True, "hours_per_week": "32"}, format="json").status_code
        == 409
    )
    early = api.post(
        f"{PLACEMENTS}{placement.pk}/check-ins/26/",
        {"still_employed": True, "hours_per_week": "32"},
        format="json",
    )
    assert early.status_code == 400
    assert early.json()["error"]["code"] == "too_early"
    assert (
        api.post(f"{PLACEMENTS}{placement.pk}/check-ins/5/", {}, format="json").status_code == 404
    )


def test_due_checkins_lists_overdue_then_upcoming(client_for, cw, case, employer, led_case):
    overdue = started(cw, case, employer, days_ago=35)  # 4-week check-in a week overdue
    upcoming = started(cw, led_case(cw), employer, days_ago=25)  # due in 3 days
    started(cw, led_case(cw), employer, days_ago=2)  # nothing due for weeks
    rows = client_for(cw).get(DUE).json()["results"]
    assert [(r["placement"], r["weeks"], r["overdue"]) for r in rows] == [
        (str(overdue.pk), 4, True),
        (str(upcoming.pk), 4, False),
    ]
    services.placement_check_in_record(
        actor=cw, placement=overdue, weeks=4, still_employed=True, hours_per_week=30
    )
    assert client_for(cw).get(DUE).json()["count"] == 1


def test_due_check_ins_are_in_my_work(client_for, cw, case, employer, staff):
    placement = started(cw, case, employer, days_ago=35)
    mine = client_for(cw).get("/api/v1/me/work/", {"kind": "placement_check_in"}).json()
    assert [item["object_id"] for item in mine["results"]] == [str(placement.pk)]
    assert mine["results"][0]["overdue"] is True
    for name in ("north-caseworker2", "south-caseworker"):
        theirs = client_for(staff[name]).get("/api/v1/me/work/", {"kind": "placement_check_in"})
        assert theirs.json()["count"] == 0, name


def test_withdrawn_offers_have_no_check_ins_due(client_for, cw, case, employer):
    placement = services.placement_create(
        actor=cw,
        case=case,
        employer=employer,
        role="Labourer",
        start_on=today() - timedelta(days=40),
        hours_per_week=Decimal("40"),
        hourly_wage=Decimal("26.00"),
    )
    services.placement_withdraw(actor=cw, placement=placement, reason="Client declined.")
    assert placement.status != PlacementStatus.STARTED
    assert client_for(cw).get(DUE).json()["count"] == 0


def test_list_queries_do_not_grow_with_the_page(client_for, cw, led_case, employer, list_queries):
    for _ in range(10):
        case = led_case(cw)
        placement = started(cw, case, employer, days_ago=30)
        services.employment_plan_create(
            actor=cw, case=case, work_goals="Work", next_review_on=today()
        )
        services.employment_activity_create(
            actor=cw, case=case, kind="coaching", occurred_on=today(), hours=1
        )
        assert placement.pk
    api = client_for(cw)
    for url in (PLACEMENTS, PLANS, ACTIVITIES, DUE):
        assert list_queries(api, url, 2) == list_queries(api, url, 10), url


def test_malformed_ids_are_404(client_for, cw):
    api = client_for(cw)
    for url in (PLANS, ACTIVITIES, EMPLOYERS, PLACEMENTS):
        assert api.get(f"{url}not-a-uuid/").status_code == 404
    assert api.post(f"{PLACEMENTS}not-a-uuid/start/", {}, format="json").status_code == 404


def test_admin_screens_are_read_only_for_placements(client, cw, case, employer):
    from core.models import User

    operator = User.objects.create_superuser("operator", password="x-operator-2026")
    client.force_login(operator)
    placement = started(cw, case, employer)
    for name in ("placement", "employmentplan", "employmentactivity", "employer"):
        assert client.get(f"/admin/programs/{name}/").status_code == 200, name
        assert client.get(f"/admin/programs/{name}/add/").status_code == 403, name
    page = client.get(f"/admin/programs/placement/{placement.pk}/change/")
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    assert client.get(f"/admin/programs/employer/{employer.pk}/change/").status_code == 200


def test_plan_reviews_due_are_in_my_work(client_for, cw, case, staff):
    plan = services.employment_plan_create(
        actor=cw, case=case, work_goals="Work", next_review_on=today()
    )
    mine = client_for(cw).get("/api/v1/me/work/", {"kind": "employment_plan_review"}).json()
    assert [item["object_id"] for item in mine["results"]] == [str(plan.pk)]
    theirs = client_for(staff["south-caseworker"]).get(
        "/api/v1/me/work/", {"kind": "employment_plan_review"}
    )
    assert theirs.json()["count"] == 0
    services.employment_plan_review(
        actor=cw, plan=plan, next_review_on=today() + timedelta(days=28)
    )
    mine = client_for(cw).get("/api/v1/me/work/", {"kind": "employment_plan_review"}).json()
    assert mine["count"] == 0


@pytest.mark.parametrize("days", ["abc", "-1", "1.5"])
def test_due_checkins_refuses_a_malformed_window(staff, client_for, days):
    response = client_for(staff["north-caseworker"]).get(DUE, {"days": days})

    assert response.status_code == 400
    assert "days" in response.json()["error"]["fields"]
