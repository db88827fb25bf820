"""The /api/v1/cases/ contract: who sees which case, workflow actions, audit, query counts."""

import uuid
from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from casework import access
from casework.models import Case
from casework.services import cases as services
from core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

CASES_URL = "/api/v1/cases/"
SOUTH = [
    "south-caseworker",
    "south-caseworker2",
    "south-lead",
    "south-officer",
    "south-senior-officer",
    "south-compliance",
    "south-admin",
]
NOT_ON_THE_CASE = ["north-caseworker2", "north-officer", "north-compliance", "north-admin", *SOUTH]


def case_url(case, suffix=""):
    return f"{CASES_URL}{case.pk}/{suffix}"


@pytest.fixture
def open_case(assigned_client):
    """open_case(caseworker, **kwargs): a case opened through case_open for a client of theirs."""

    def make(caseworker, **kwargs):
        if "client" not in kwargs:
            kwargs["client"] = assigned_client(caseworker)
        return services.case_open(actor=caseworker, **kwargs)

    return make


# ---- opening ---------------------------------------------------------------------------------


def test_open_a_case_for_an_assigned_client(staff, assigned_client, client_for):
    cw = staff["north-caseworker"]
    client = assigned_client(cw, legal_given_names="Ātaahua")

    response = client_for(cw).post(CASES_URL, {"client": str(client.pk), "summary": "Hui tuatahi"})

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "referred"
    assert body["lead_caseworker"] == str(cw.pk)
    assert body["team"] == str(cw.team_id)
    assert body["client_display_name"].startswith("Ātaahua")
    assert body["allowed_transitions"] == ["intake", "closed"]
    assert body["agency"] == "north"


def test_open_a_case_for_a_client_the_actor_cannot_see_is_404(staff, assigned_client, client_for):
    client = assigned_client(staff["north-caseworker2"])

    response = client_for(staff["north-caseworker"]).post(CASES_URL, {"client": str(client.pk)})

    assert response.status_code == 404
    assert not Case.objects.exists()


def test_open_a_case_for_another_agencys_client_is_404(staff, assigned_client, client_for):
    client = assigned_client(staff["south-caseworker"])

    response = client_for(staff["north-lead"]).post(CASES_URL, {"client": str(client.pk)})

    assert response.status_code == 404


@pytest.mark.parametrize("username", ["north-officer", "north-compliance", "north-admin"])
def test_roles_without_add_case_get_403(staff, assigned_client, client_for, username):
    client = assigned_client(staff["north-caseworker"])

    response = client_for(staff[username]).post(CASES_URL, {"client": str(client.pk)})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_open_needs_exactly_one_of_client_and_whanau(staff, client_for):
    response = client_for(staff["north-caseworker"]).post(CASES_URL, {"summary": "?"})

    assert response.status_code == 400
    assert {"client", "whanau"} <= set(response.json()["error"]["fields"])


def test_team_lead_opens_a_case_led_by_a_team_caseworker(staff, assigned_client, client_for):
    lead, cw2 = staff["north-lead"], staff["north-caseworker2"]
    client = assigned_client(lead)

    response = client_for(lead).post(
        CASES_URL, {"client": str(client.pk), "lead_caseworker": str(cw2.pk)}
    )

    assert response.status_code == 201
    assert response.json()["lead_caseworker"] == str(cw2.pk)


def test_naming_a_lead_from_another_agency_is_a_field_error(staff, assigned_client, client_for):
    lead = staff["north-lead"]
    client = assigned_client(lead)

    response = client_for(lead).post(
        CASES_URL,
        {"client": str(client.pk), "lead_caseworker": str(staff["south-caseworker"].pk)},
    )

    assert response.status_code == 400
    assert "lead_caseworker" in response.json()["error"]["fields"]


# ---- who sees what ---------------------------------------------------------------------------


def test_caseworker_lists_only_their_cases(staff, open_case, client_for):
    mine = open_case(staff["north-caseworker"])
    open_case(staff["north-caseworker2"])
    open_case(staff["south-caseworker"])

    body = client_for(staff["north-caseworker"]).get(CASES_URL).json()

    assert [row["id"] for row in body["results"]] == [str(mine.pk)]


def test_list_and_read_name_the_agency_and_team(staff, open_case, client_for):
    caseworker = staff["north-caseworker"]
    case = open_case(caseworker, team=caseworker.team)
    client = client_for(caseworker)

    row = client.get(CASES_URL).json()["results"][0]
    read = client.get(f"{CASES_URL}{case.pk}/").json()

    for body in (row, read):
        assert body["agency"] == "north"
        assert body["team_name"] == caseworker.team.name


def test_team_lead_lists_every_case_of_their_team_and_no_other(staff, open_case, client_for):
    north = {open_case(staff["north-caseworker"]).pk, open_case(staff["north-caseworker2"]).pk}
    open_case(staff["south-caseworker"])

    body = client_for(staff["north-lead"]).get(CASES_URL).json()

    assert {uuid.UUID(row["id"]) for row in body["results"]} == north


@pytest.mark.parametrize("username", NOT_ON_THE_CASE)
def test_everyone_else_gets_404_on_read_update_and_actions(staff, open_case, client_for, username):
    case = open_case(staff["north-caseworker"], summary="Tīmatanga")
    client = client_for(staff[username])

    assert client.get(case_url(case)).status_code == 404
    assert client.patch(case_url(case), {"summary": "Hacked"}).status_code == 404
    assert client.post(case_url(case, "transition/"), {"to_status": "intake"}).status_code == 404
    assert (
        client.post(
            case_url(case, "assign/"), {"lead_caseworker": str(staff[username].pk)}
        ).status_code
        == 404
    )
    assert client.get(case_url(case, "history/")).status_code == 404
    assert client.get(case_url(case, "notes/")).status_code == 404
    assert (
        client.post(
            case_url(case, "notes/"),
            {"kind": "phone", "body": "x", "occurred_at": timezone.now().isoformat()},
        ).status_code
        == 404
    )
    assert client.get(CASES_URL).json()["count"] == 0
    case.refresh_from_db()
    assert (case.status, case.summary, case.lead_caseworker) == (
        "referred",
        "Tīmatanga",
        staff["north-caseworker"],
    )


def test_the_lead_and_team_lead_read_the_case(staff, open_case, client_for):
    case = open_case(staff["north-caseworker"])

    for username in ["north-caseworker", "north-lead"]:
        response = client_for(staff[username]).get(case_url(case))
        assert response.status_code == 200, username
        assert response.json()["id"] == str(case.pk)


def test_a_malformed_or_unknown_id_is_404(staff, client_for):
    client = client_for(staff["north-caseworker"])

    assert client.get(f"{CASES_URL}not-a-uuid/").status_code == 404
    assert client.get(f"{CASES_URL}{uuid.uuid4()}/").status_code == 404
    assert client.post(f"{CASES_URL}not-a-uuid/transition/", {"to_status": "x"}).status_code == 404


def test_a_restricted_clients_name_is_redacted_for_the_team_lead(
    staff, assigned_client, open_case, client_for
):
    cw = staff["north-caseworker"]
    case = open_case(
        cw, client=assigned_client(cw, legal_given_names="Hinewai", is_restricted=True)
    )

    as_lead = client_for(staff["north-lead"]).get(CASES_URL).json()["results"][0]
    as_cw = client_for(cw).get(CASES_URL).json()["results"][0]

    assert as_lead["id"] == as_cw["id"] == str(case.pk)
    assert as_lead["client_display_name"] == "Restricted client"
    assert as_cw["client_display_name"].startswith("Hinewai")


def test_search_never_matches_a_restricted_client_the_actor_cannot_identify(
    staff, assigned_client, open_case, client_for
):
    cw = staff["north-caseworker"]
    open_case(cw, client=assigned_client(cw, legal_given_names="Hinewai", is_restricted=True))
    plain = open_case(
        cw, client=assigned_client(cw, legal_given_names="Hinewai", legal_family_name="Pōmare")
    )

    as_lead = client_for(staff["north-lead"]).get(CASES_URL, {"search": "hinewai"}).json()
    as_cw = client_for(cw).get(CASES_URL, {"search": "hinewai"}).json()

    assert [row["id"] for row in as_lead["results"]] == [str(plain.pk)]
    assert as_cw["count"] == 2


# The team lead's search finds the named clients and whānau first (one term of three
# letters or more), the caseworker's tests their cases one by one: both are checked.
@pytest.mark.parametrize("searcher", ["north-caseworker", "north-lead"])
@pytest.mark.parametrize("term", ["Ngatai", "ngātai", "NGĀTAI", "aroha ngatai", "Nga"])
def test_search_folds_macrons_in_client_and_whanau_names(
    staff, assigned_client, open_case, client_for, term, searcher
):
    from casework.models import Relationship, Whanau, WhanauMember

    cw = staff["north-caseworker"]

    def named(worker, given, family):
        # Names fixed in full: a factory's given name ("Ngaio") could match "Nga" too.
        return assigned_client(
            worker, legal_given_names=given, legal_family_name=family, preferred_name=""
        )

    by_client = open_case(cw, client=named(cw, "Aroha", "Ngātai"))
    whanau = Whanau.objects.create(agency=cw.agency, name="Ngātai whānau", created_by=cw)
    WhanauMember.objects.create(
        whanau=whanau, client=named(cw, "Hemi", "Walker"), relationship=Relationship.CHILD
    )
    by_whanau = open_case(cw, client=None, whanau=whanau)
    open_case(cw, client=named(cw, "Tama", "Smith"))
    south = staff["south-caseworker"]
    open_case(south, client=named(south, "Aroha", "Ngātai"))

    found = client_for(staff[searcher]).get(CASES_URL, {"search": term}).json()

    expected = {str(by_client.pk)} if " " in term else {str(by_client.pk), str(by_whanau.pk)}
    assert {row["id"] for row in found["results"]} == expected


@pytest.mark.parametrize("term", ["hinewai", "hi"])
def test_a_team_lead_who_leads_a_restricted_clients_case_finds_it_by_name(
    staff, assigned_client, open_case, client_for, term
):
    lead = staff["north-lead"]
    led = open_case(
        lead, client=assigned_client(lead, legal_given_names="Hinewai", is_restricted=True)
    )
    cw = staff["north-caseworker"]
    open_case(cw, client=assigned_client(cw, legal_given_names="Hinewai", is_restricted=True))

    found = client_for(lead).get(CASES_URL, {"search": term}).json()

    assert [row["id"] for row in found["results"]] == [str(led.pk)]


# ---- filters and pagination ------------------------------------------------------------------


def test_filters_by_status_region_lead_and_dates(staff, assigned_client, open_case, client_for):
    cw, lead = staff["north-caseworker"], staff["north-lead"]
    referred = open_case(cw, client=assigned_client(cw, region="01"))
    active = open_case(cw, client=assigned_client(cw, region="02"))
    for status in ("intake", "active"):
        active = services.case_transition(actor=cw, case=active, to_status=status)
    old = open_case(staff["north-caseworker2"], opened_at=timezone.now() - timedelta(days=400))
    old = services.case_transition(
        actor=lead, case=old, to_status="closed", closure_reason="no_contact"
    )
    client = client_for(lead)

    def ids(**params):
        return {row["id"] for row in client.get(CASES_URL, params).json()["results"]}

    assert ids(status=["referred", "active"]) == {str(referred.pk), str(active.pk)}
    assert ids(status="closed") == {str(old.pk)}
    assert ids(region="02") == {str(active.pk)}
    assert ids(lead_caseworker=str(staff["north-caseworker2"].pk)) == {str(old.pk)}
    since = (timezone.now() - timedelta(days=30)).isoformat()
    assert ids(opened_after=since) == {str(referred.pk), str(active.pk)}
    assert ids(opened_before=since) == {str(old.pk)}
    assert ids(closed_after=since) == {str(old.pk)}


def test_a_malformed_filter_is_400(staff, client_for):
    client = client_for(staff["north-caseworker"])

    assert client.get(CASES_URL, {"status": "lost"}).status_code == 400
    assert client.get(CASES_URL, {"opened_after": "yesterday"}).status_code == 400
    assert client.get(CASES_URL, {"lead_caseworker": "nobody"}).status_code == 400


def test_list_query_count_does_not_grow_with_page_size(
    staff, assigned_client, open_case, client_for, list_queries
):
    cw = staff["north-caseworker"]
    for n in range(10):
        open_case(cw, client=assigned_client(cw, is_restricted=n % 2 == 0))
    for username in ["north-caseworker", "north-lead"]:
        client = client_for(staff[username])

        assert list_queries(client, CASES_URL, 2) == list_queries(client, CASES_URL, 10), username


# ---- update, transitions and history ---------------------------------------------------------


def test_the_summary_is_the_only_field_edited_in_place(staff, open_case, client_for):
    cw = staff["north-caseworker"]
    case = open_case(cw)
    client = client_for(cw)

    ok = client.patch(case_url(case), {"summary": "Kua tīmata te mahi"})
    status_change = client.patch(case_url(case), {"status": "closed"})
    lead_change = client.patch(case_url(case), {"lead_caseworker": str(cw.pk)})

    assert ok.status_code == 200
    assert ok.json()["summary"] == "Kua tīmata te mahi"
    assert status_change.status_code == 400
    assert "transition" in status_change.json()["error"]["fields"]["status"][0]
    assert lead_change.status_code == 400
    assert client.put(case_url(case), {"summary": "x"}).status_code == 405
    assert client.delete(case_url(case)).status_code == 405
    case.refresh_from_db()
    assert case.status == "referred"


def test_transition_through_the_api_writes_history(staff, open_case, client_for):
    cw = staff["north-caseworker"]
    case = open_case(cw)
    client = client_for(cw)

    response = client.post(case_url(case, "transition/"), {"to_status": "intake", "reason": "Hui"})
    history = client.get(case_url(case, "history/")).json()

    assert response.status_code == 200
    assert response.json()["status"] == "intake"
    assert [(r["from_status"], r["to_status"]) for r in history["results"]] == [
        ("", "referred"),
        ("referred", "intake"),
    ]
    assert history["results"][1]["reason"] == "Hui"
    assert history["results"][1]["changed_by"] == str(cw.pk)


def test_an_illegal_transition_is_400_listing_the_allowed_targets(staff, open_case, client_for):
    cw = staff["north-caseworker"]
    case = open_case(cw)

    response = client_for(cw).post(case_url(case, "transition/"), {"to_status": "on_hold"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "illegal_transition"
    assert "intake, closed" in error["message"]
    assert "to_status" in error["fields"]


def test_closing_without_a_reason_is_400_on_closure_reason(staff, open_case, client_for):
    cw = staff["north-caseworker"]
    case = open_case(cw)

    response = client_for(cw).post(case_url(case, "transition/"), {"to_status": "closed"})

    assert response.status_code == 400
    assert "closure_reason" in response.json()["error"]["fields"]


def test_a_closed_case_shows_its_reopen_deadline_until_it_passes(staff, open_case, client_for):
    cw = staff["north-caseworker"]
    case = open_case(cw)
    client = client_for(cw)
    client.post(
        case_url(case, "transition/"), {"to_status": "closed", "closure_reason": "goals_met"}
    )

    recent = client.get(case_url(case)).json()
    Case.objects.filter(pk=case.pk).update(closed_at=F("closed_at") - timedelta(days=91))
    stale = client.get(case_url(case)).json()
    refused = client.post(case_url(case, "transition/"), {"to_status": "active", "reason": "Back"})

    assert recent["allowed_transitions"] == ["active"]
    assert recent["reopen_until"] is not None
    assert stale["allowed_transitions"] == []
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "reopen_window_passed"


# ---- assignment ------------------------------------------------------------------------------


def test_team_lead_reassigns_and_access_moves(staff, open_case, client_for):
    cw, cw2, lead = staff["north-caseworker"], staff["north-caseworker2"], staff["north-lead"]
    case = open_case(cw)

    response = client_for(lead).post(case_url(case, "assign/"), {"lead_caseworker": str(cw2.pk)})

    assert response.status_code == 200
    assert response.json()["lead_caseworker"] == str(cw2.pk)
    assert client_for(cw).get(case_url(case)).status_code == 404
    assert not access.clients_visible_to(cw).filter(pk=case.client_id).exists()
    assert client_for(cw2).get(case_url(case)).status_code == 200
    assert access.clients_visible_to(cw2).filter(pk=case.client_id).exists()


def test_a_caseworker_gets_403_assigning_their_own_case(staff, open_case, client_for):
    cw = staff["north-caseworker"]
    case = open_case(cw)

    response = client_for(cw).post(
        case_url(case, "assign/"), {"lead_caseworker": str(staff["north-caseworker2"].pk)}
    )

    assert response.status_code == 403
    case.refresh_from_db()
    assert case.lead_caseworker == cw


def test_assigning_to_someone_outside_the_agency_is_a_field_error(staff, open_case, client_for):
    case = open_case(staff["north-caseworker"])

    response = client_for(staff["north-lead"]).post(
        case_url(case, "assign/"), {"lead_caseworker": str(staff["south-caseworker"].pk)}
    )

    assert response.status_code == 400
    assert "lead_caseworker" in response.json()["error"]["fields"]


# ---- audit -----------------------------------------------------------------------------------


def test_every_retrieve_writes_a_view_event_and_a_refused_one_does_not(
    staff, open_case, client_for
):
    cw = staff["north-caseworker"]
    case = open_case(cw)

    client_for(cw).get(case_url(case))
    client_for(staff["north-lead"]).get(case_url(case))
    client_for(staff["south-lead"]).get(case_url(case))

    views = AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="casework.case", object_id=str(case.pk)
    ).order_by("id")
    assert [e.actor_username for e in views] == ["north-caseworker", "north-lead"]
    assert all(e.agency_id == case.agency_id for e in views)


def test_a_list_writes_no_view_events(staff, open_case, client_for):
    cw = staff["north-caseworker"]
    open_case(cw)

    client_for(cw).get(CASES_URL)

    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


# ---- dates no record can hold, and NHI search ------------------------------------------------


@pytest.mark.parametrize("opened_at", ["0001-01-01T00:00:00", "1899-12-31T23:00:00Z"])
def test_an_absurd_opened_at_is_a_field_error_not_a_500(
    staff, assigned_client, client_for, opened_at
):
    cw = staff["north-caseworker"]
    client = assigned_client(cw)

    response = client_for(cw).post(CASES_URL, {"client": str(client.pk), "opened_at": opened_at})

    assert response.status_code == 400
    assert "opened_at" in response.json()["error"]["fields"]
    assert not Case.objects.exists()


def test_a_naive_plausible_opened_at_is_read_as_local_time(staff, assigned_client, client_for):
    cw = staff["north-caseworker"]

    response = client_for(cw).post(
        CASES_URL, {"client": str(assigned_client(cw).pk), "opened_at": "2024-01-02T09:00:00"}
    )

    assert response.status_code == 201
    assert response.json()["opened_at"].startswith("2024-01-02T09:00:00")


@pytest.mark.parametrize(
    "param", ["opened_after", "opened_before", "closed_after", "closed_before"]
)
def test_a_year_one_date_filter_is_400(staff, client_for, param):
    response = client_for(staff["north-lead"]).get(CASES_URL, {param: "0001-01-01T00:00:00"})

    assert response.status_code == 400
    assert param in response.json()["error"]["fields"]


def test_search_by_nhi_finds_the_case_for_staff_who_may_identify_the_client(
    staff, assigned_client, open_case, client_for
):
    cw = staff["north-caseworker"]
    plain = open_case(cw, client=assigned_client(cw, nhi="ZAC5361"))
    hidden = open_case(cw, client=assigned_client(cw, nhi="ZBN77VL", is_restricted=True))
    open_case(cw, client=assigned_client(cw))

    def found(user, term):
        rows = client_for(user).get(CASES_URL, {"search": term}).json()["results"]
        return [row["id"] for row in rows]

    assert found(cw, "zac5361") == [str(plain.pk)]
    assert found(cw, "ZBN77VL") == [str(hidden.pk)]
    assert found(staff["north-lead"], "ZAC5361") == [str(plain.pk)]
    assert found(staff["north-lead"], "ZBN77VL") == []


def test_list_fetches_of_joined_rows_only_what_it_shows(
    staff, assigned_client, open_case, client_for, django_assert_max_num_queries
):
    cw = staff["north-caseworker"]
    case = open_case(cw, client=assigned_client(cw, legal_given_names="Ātaahua"))

    with django_assert_max_num_queries(10) as captured:
        (row,) = client_for(cw).get(CASES_URL).json()["results"]

    page_sql = next(q["sql"] for q in captured if '"casework_case"."summary"' in q["sql"])
    assert '"casework_client"."legal_given_names"' in page_sql
    assert '"casework_client"."address"' not in page_sql
    assert '"core_user"."password"' not in page_sql
    assert row["client_display_name"].startswith("Ātaahua")
    assert row["lead_caseworker_name"]
    with django_assert_max_num_queries(12) as captured:
        client_for(cw).get(case_url(case))
    assert any('"core_user"."last_login"' in q["sql"] for q in captured)
