"""GET /api/v1/me/work/: what is due for the signed-in caseworker, and only theirs."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casework.models import Assessment, CaseNote, CaseStatus, Goal, Instrument, NoteKind

pytestmark = pytest.mark.django_db

WORK_URL = "/api/v1/me/work/"


def active(case):
    case.status = CaseStatus.ACTIVE
    case.save(update_fields=["status"])
    return case


def make_goal(case, *, review_in_days, status="in_progress"):
    return Goal.objects.create(
        case=case,
        pou=6,
        description="Reconnect with whānau in Kaitāia",
        next_review_on=timezone.localdate() + timedelta(days=review_in_days),
        status=status,
        created_by=case.lead_caseworker,
    )


def kinds(response):
    return sorted((row["kind"], row["object_id"]) for row in response.json()["results"])


def test_goal_review_due_within_a_week_is_listed_for_the_lead(staff, led_case, client_for):
    cw = staff["north-caseworker"]
    case = active(led_case(cw, opened_at=timezone.now()))
    due = make_goal(case, review_in_days=3)
    make_goal(case, review_in_days=30)
    make_goal(case, review_in_days=-2, status="achieved")

    response = client_for(cw).get(WORK_URL, {"kind": "goal_review"})

    assert response.status_code == 200
    assert kinds(response) == [("goal_review", str(due.pk))]


def test_overdue_items_are_flagged_and_come_first(staff, led_case, client_for):
    cw = staff["north-caseworker"]
    case = active(led_case(cw, opened_at=timezone.now()))
    later = make_goal(case, review_in_days=5)
    overdue = make_goal(case, review_in_days=-4)

    rows = client_for(cw).get(WORK_URL, {"kind": "goal_review"}).json()["results"]

    assert [r["object_id"] for r in rows] == [str(overdue.pk), str(later.pk)]
    assert [r["overdue"] for r in rows] == [True, False]


def test_case_without_contact_for_30_days_is_listed(staff, led_case, client_for):
    cw = staff["north-caseworker"]
    quiet = active(led_case(cw, opened_at=timezone.now() - timedelta(days=60)))
    busy = active(led_case(cw, opened_at=timezone.now() - timedelta(days=60)))
    CaseNote.objects.create(
        case=busy,
        author=cw,
        kind=NoteKind.PHONE,
        body="Rang to check in",
        occurred_at=timezone.now() - timedelta(days=2),
    )
    CaseNote.objects.create(
        case=quiet,
        author=cw,
        kind=NoteKind.ADMIN,
        body="Filed paperwork",
        occurred_at=timezone.now() - timedelta(days=1),
    )
    active(led_case(cw, opened_at=timezone.now() - timedelta(days=3)))

    response = client_for(cw).get(WORK_URL, {"kind": "no_contact"})

    assert kinds(response) == [("no_contact", str(quiet.pk))]


def test_only_the_latest_assessment_counts_for_due_dates(staff, led_case, client_for):
    cw = staff["north-caseworker"]
    case = active(led_case(cw, opened_at=timezone.now()))
    instrument = Instrument.objects.update_or_create(
        code="lsns-6", defaults={"name": "LSNS-6", "version": "2006", "definition": {}}
    )[0]
    today = timezone.localdate()

    def assess(days_ago, due_in):
        return Assessment.objects.create(
            client=case.client,
            case=case,
            instrument=instrument,
            stage="review",
            administered_on=today - timedelta(days=days_ago),
            answers={},
            scores={},
            next_due_on=today + timedelta(days=due_in),
            administered_by=cw,
        )

    assess(days_ago=100, due_in=-10)
    latest = assess(days_ago=5, due_in=2)

    response = client_for(cw).get(WORK_URL, {"kind": "assessment_due"})

    assert kinds(response) == [("assessment_due", str(latest.pk))]


def test_other_caseworkers_work_is_not_listed(staff, led_case, client_for):
    case = active(
        led_case(staff["north-caseworker"], opened_at=timezone.now() - timedelta(days=60))
    )
    make_goal(case, review_in_days=1)

    for username in ["north-caseworker2", "south-caseworker", "north-officer"]:
        response = client_for(staff[username]).get(WORK_URL)
        assert response.json()["results"] == [], username


def test_restricted_client_names_are_shown_to_their_assigned_caseworker(
    staff, led_case, client_for
):
    cw = staff["north-caseworker"]
    case = active(led_case(cw, opened_at=timezone.now() - timedelta(days=60)))
    case.client.is_restricted = True
    case.client.legal_family_name = "Hiddenname"
    case.client.save()

    own = client_for(cw).get(WORK_URL).json()["results"]

    assert "Hiddenname" in own[0]["title"]


def test_work_requires_authentication(api_client, db):
    assert api_client.get(WORK_URL).status_code == 401


def test_work_query_count_does_not_grow_with_the_caseload(staff, led_case, client_for):
    cw = staff["north-caseworker"]
    client = client_for(cw)
    for _ in range(2):
        make_goal(
            active(led_case(cw, opened_at=timezone.now() - timedelta(days=60))), review_in_days=1
        )

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(WORK_URL)  # warm per-process caches (content types) before counting
    with CaptureQueriesContext(connection) as small:
        client.get(WORK_URL)
    for _ in range(6):
        make_goal(
            active(led_case(cw, opened_at=timezone.now() - timedelta(days=60))), review_in_days=1
        )
    with CaptureQueriesContext(connection) as large:
        response = client.get(WORK_URL)

    assert len(response.json()["results"]) == 16
    assert len(large.captured_queries) == len(small.captured_queries)


def _assessment_due(client, case, by):
    instrument = Instrument.objects.update_or_create(
        code="lsns-6", defaults={"name": "LSNS-6", "version": "2006", "definition": {}}
    )[0]
    today = timezone.localdate()
    return Assessment.objects.create(
        client=client,
        case=case,
        instrument=instrument,
        stage="review",
        administered_on=today - timedelta(days=30),
        answers={},
        scores={},
        next_due_on=today + timedelta(days=1),
        administered_by=by,
    )


def test_assessment_due_skips_a_whanau_member_the_lead_cannot_see(
    staff, assigned_client, client_for
):
    from casework.models import Whanau, WhanauMember
    from casework.services.cases import case_open

    cw, cw2 = staff["north-caseworker"], staff["north-caseworker2"]
    mine = assigned_client(cw)
    whanau = Whanau.objects.create(agency=cw.agency, name="Te whānau o Hine", created_by=cw)
    WhanauMember.objects.create(whanau=whanau, client=mine, relationship="parent")
    case = active(case_open(actor=cw, whanau=whanau))
    # Joined after the case opened, written around the service: cw was never given them.
    stranger = assigned_client(cw2, legal_given_names="Tangata", legal_family_name="Ke")
    WhanauMember.objects.create(whanau=whanau, client=stranger, relationship="child")
    visible = _assessment_due(mine, case, cw)
    _assessment_due(stranger, None, cw2)

    response = client_for(cw).get(WORK_URL, {"kind": "assessment_due"})

    assert kinds(response) == [("assessment_due", str(visible.pk))]
    assert "Tangata" not in response.content.decode()


def test_correction_requests_falling_due_are_listed_for_the_lead_only(staff, led_case, client_for):
    from casework.services.corrections import correction_request_record

    cw = staff["north-caseworker"]
    case = active(led_case(cw, opened_at=timezone.now()))

    def correction(days_ago):
        return correction_request_record(
            actor=cw,
            client=case.client,
            requested_changes={"legal_family_name": "Pōmare"},
            client_statement="My surname has a macron.",
            requested_at=timezone.now() - timedelta(days=days_ago),
        )

    overdue = correction(40)
    correction(0)  # due in 20 working days: not yet

    mine = client_for(cw).get(WORK_URL, {"kind": "correction_due"})
    theirs = client_for(staff["north-caseworker2"]).get(WORK_URL, {"kind": "correction_due"})

    assert kinds(mine) == [("correction_due", str(overdue.pk))]
    assert theirs.json()["results"] == []
