"""The aid request API: who sees and decides what, the queue's filters, and its error shapes."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import AuditAction, AuditEvent
from programs import services
from programs.models import AidRequest, AidRequestStatus
from tests.plans import page_plan, paged_ids, read_along

pytestmark = pytest.mark.django_db

URL = "/api/v1/aid-requests/"
S = AidRequestStatus


def detail(aid_request, action=""):
    return f"{URL}{aid_request.pk}/{action + '/' if action else ''}"


def new_request_body(case, programme, **overrides):
    return {
        "case": str(case.pk),
        "programme": str(programme.pk),
        "category": "power",
        "amount": "245.60",
        "justification": "Disconnection notice; tamariki at home.",
        "supplier_name": "Mercury Energy",
        "supplier_bank_account": "12-3456-0123456-00",
        "supplier_reference": "Acct 88123",
        **overrides,
    }


# ---- raising -----------------------------------------------------------------------------------


def test_caseworker_raises_and_submits_a_request(client_for, staff, led_case, programme):
    caseworker = staff["north-caseworker"]
    client = client_for(caseworker)
    case = led_case(caseworker)

    created = client.post(URL, new_request_body(case, programme))
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft"
    assert body["amount"] == "245.60"
    assert body["created_by"] == "north-caseworker"
    assert set(body["allowed_transitions"]) == {"submitted", "cancelled"}

    submitted = client.post(f"{URL}{body['id']}/submit/")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"
    assert [h["to_status"] for h in submitted.json()["history"]] == ["draft", "submitted"]


@pytest.mark.parametrize(
    "amount", ["0", "0.00", "-10.00", "12.345", "100000.01", "1,000.00", "abc", None, "NaN"]
)
def test_bad_amounts_are_400_with_a_field_error(client_for, staff, led_case, programme, amount):
    caseworker = staff["north-caseworker"]

    response = client_for(caseworker).post(
        URL, new_request_body(led_case(caseworker), programme, amount=amount)
    )

    assert response.status_code == 400
    assert "amount" in response.json()["error"]["fields"]
    assert not AidRequest.objects.exists()


def test_amount_keeps_exact_cents(client_for, staff, led_case, programme):
    caseworker = staff["north-caseworker"]

    response = client_for(caseworker).post(
        URL, new_request_body(led_case(caseworker), programme, amount="1234.05")
    )

    assert response.json()["amount"] == "1234.05"
    assert AidRequest.objects.get().amount == Decimal("1234.05")


def test_request_on_a_case_the_caseworker_cannot_see_is_400(client_for, staff, led_case, programme):
    other_case = led_case(staff["north-caseworker2"])

    response = client_for(staff["north-caseworker"]).post(
        URL, new_request_body(other_case, programme)
    )

    assert response.status_code == 400
    assert "case" in response.json()["error"]["fields"]


def test_officer_cannot_raise_a_request(client_for, staff, led_case, programme):
    response = client_for(staff["north-officer"]).post(
        URL, new_request_body(led_case(staff["north-caseworker"]), programme)
    )

    assert response.status_code == 403


# ---- who sees what -----------------------------------------------------------------------------


def test_visibility_matrix(client_for, staff, make_request):
    aid_request = make_request()
    expectations = {
        "north-caseworker": 200,
        "north-lead": 200,
        "north-officer": 200,
        "north-senior-officer": 200,
        "north-compliance": 200,
        "north-caseworker2": 404,
        "north-admin": 404,
        "south-caseworker": 404,
        "south-officer": 404,
        "south-senior-officer": 404,
        "south-compliance": 404,
    }

    seen = {
        username: client_for(staff[username]).get(detail(aid_request)).status_code
        for username in expectations
    }

    assert seen == expectations


def test_officer_queue_lists_their_agency_only(client_for, staff, make_request, led_case):
    north_request = make_request()
    make_request(caseworker=staff["south-caseworker"])

    body = client_for(staff["north-officer"]).get(URL, {"status": "submitted"}).json()

    assert [row["id"] for row in body["results"]] == [str(north_request.pk)]


def test_list_rows_and_reads_carry_each_requests_history(client_for, staff, make_request):
    submitted = make_request()
    draft = make_request(submit=False)
    client = client_for(staff["north-caseworker"])

    rows = {row["id"]: row for row in client.get(URL).json()["results"]}
    read = client.get(detail(submitted)).json()

    assert [h["to_status"] for h in rows[str(submitted.pk)]["history"]] == ["draft", "submitted"]
    assert [h["to_status"] for h in rows[str(draft.pk)]["history"]] == ["draft"]
    assert read["history"] == rows[str(submitted.pk)]["history"]
    assert read["history"][-1]["changed_by"] == "north-caseworker"


def test_caseworker_lists_only_requests_of_their_cases(client_for, staff, make_request):
    own = make_request()
    make_request(caseworker=staff["north-caseworker2"])

    body = client_for(staff["north-caseworker"]).get(URL).json()

    assert [row["id"] for row in body["results"]] == [str(own.pk)]


def test_reading_a_request_is_audited(client_for, staff, make_request):
    aid_request = make_request()

    client_for(staff["north-officer"]).get(detail(aid_request))

    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_id=str(aid_request.pk), actor=staff["north-officer"]
    ).exists()


# ---- deciding ----------------------------------------------------------------------------------


def test_officer_approves_and_the_budget_shows_the_commitment(
    client_for, staff, make_request, budget
):
    aid_request = make_request("1500.00")

    response = client_for(staff["north-officer"]).post(
        detail(aid_request, "approve"), {"note": "Quote checked."}
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "approved"
    assert response.json()["fiscal_year"] == budget.fiscal_year_label
    budget.refresh_from_db()
    assert (budget.committed, budget.available) == (Decimal("1500.00"), Decimal("8500.00"))


def test_caseworker_approving_is_403(client_for, staff, make_request, budget):
    aid_request = make_request()

    response = client_for(staff["north-caseworker"]).post(detail(aid_request, "approve"))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_other_agency_officer_gets_404_on_approve(client_for, staff, make_request, budget):
    aid_request = make_request()

    response = client_for(staff["south-senior-officer"]).post(detail(aid_request, "approve"))

    assert response.status_code == 404
    aid_request.refresh_from_db()
    assert aid_request.status == S.SUBMITTED


def test_above_limit_is_403_with_its_code(client_for, staff, make_request, budget):
    aid_request = make_request("2500.00")

    response = client_for(staff["north-officer"]).post(detail(aid_request, "approve"))

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "over_delegated_limit"
    assert "NZD 2,000.00" in response.json()["error"]["message"]
    senior = client_for(staff["north-senior-officer"]).post(detail(aid_request, "approve"))
    assert senior.status_code == 200


def test_over_budget_is_400_with_a_clear_message(client_for, staff, make_request, programme):
    from tests.programs.factories import BudgetFactory

    BudgetFactory(programme=programme, allocated=Decimal("100.00"))
    aid_request = make_request("150.00")

    response = client_for(staff["north-officer"]).post(detail(aid_request, "approve"))

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "over_budget"
    assert "NZD 100.00 available" in error["message"]
    assert "amount" in error["fields"]


def test_approving_a_draft_is_400(client_for, staff, make_request, budget):
    draft = make_request(submit=False)

    response = client_for(staff["north-officer"]).post(detail(draft, "approve"))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "illegal_transition"


@pytest.mark.parametrize("action", ["decline", "return"])
def test_decline_and_return_without_reason_are_400(client_for, staff, make_request, action):
    aid_request = make_request()

    response = client_for(staff["north-officer"]).post(detail(aid_request, action), {})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "reason_required"
    assert "reason" in response.json()["error"]["fields"]


def test_caseworker_sees_the_decline_reason(client_for, staff, make_request):
    aid_request = make_request()
    client_for(staff["north-officer"]).post(
        detail(aid_request, "decline"), {"reason": "Already met by a Work and Income grant."}
    )

    body = client_for(staff["north-caseworker"]).get(detail(aid_request)).json()

    assert body["status"] == "declined"
    assert body["decision_reason"] == "Already met by a Work and Income grant."
    assert body["decided_by"] == "north-officer"
    assert body["history"][-1]["reason"] == "Already met by a Work and Income grant."


def test_returned_request_goes_back_to_the_caseworker(client_for, staff, make_request):
    aid_request = make_request()
    client_for(staff["north-officer"]).post(
        detail(aid_request, "return"), {"reason": "Attach the quote."}
    )
    caseworker = client_for(staff["north-caseworker"])

    edited = caseworker.patch(detail(aid_request), {"supplier_reference": "Quote Q-991"})
    resubmitted = caseworker.post(detail(aid_request, "submit"))

    assert edited.status_code == 200, edited.json()
    assert edited.json()["supplier_reference"] == "Quote Q-991"
    assert resubmitted.json()["status"] == "submitted"


def test_cancel_needs_a_reason_and_releases_an_approval(
    client_for, staff, approved_request, budget
):
    aid_request = approved_request("600.00")
    client = client_for(staff["north-caseworker"])

    assert client.post(detail(aid_request, "cancel"), {}).status_code == 400
    response = client.post(detail(aid_request, "cancel"), {"reason": "Client moved away."})

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    budget.refresh_from_db()
    assert budget.committed == Decimal("0.00")


def test_decisions_show_the_frozen_facts(client_for, staff, approved_request):
    aid_request = approved_request("400.00")

    body = client_for(staff["north-caseworker"]).get(detail(aid_request, "decisions")).json()

    assert body["count"] == 1
    decision = body["results"][0]
    assert decision["outcome"] == "approved"
    assert decision["facts"]["request"]["amount"] == "400.00"
    assert decision["facts"]["budget"]["after"]["committed"] == "400.00"


def test_status_cannot_be_set_directly(client_for, staff, make_request):
    draft = make_request(submit=False)

    response = client_for(staff["north-caseworker"]).patch(detail(draft), {"status": "approved"})

    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_requests_cannot_be_deleted(client_for, staff, make_request):
    aid_request = make_request(submit=False)

    response = client_for(staff["north-caseworker"]).delete(detail(aid_request))

    assert response.status_code == 405


# ---- the queue ---------------------------------------------------------------------------------


def test_queue_filters_by_status_category_amount_and_age(client_for, staff, make_request):
    food = make_request("80.00", category="food")
    power = make_request("400.00", category="power")
    old = make_request("1200.00", category="medical")
    AidRequest.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=10))
    make_request("50.00", submit=False)
    client = client_for(staff["north-officer"])

    def ids(**params):
        return {row["id"] for row in client.get(URL, params).json()["results"]}

    assert ids(status="submitted") == {str(food.pk), str(power.pk), str(old.pk)}
    assert ids(category="power") == {str(power.pk)}
    assert ids(amount_min="100", amount_max="1000") == {str(power.pk)}
    assert ids(min_age_days=7) == {str(old.pk)}
    assert ids(status="submitted", max_age_days=7) == {str(food.pk), str(power.pk)}
    assert client.get(URL, {"status": "nonsense"}).status_code == 400
    ordered = client.get(URL, {"status": "submitted", "ordering": "-amount"}).json()["results"]
    assert [row["amount"] for row in ordered] == ["1200.00", "400.00", "80.00"]


@pytest.mark.parametrize("ordering", ["amount", "-amount", "-requests_12_months"])
def test_requests_that_tie_on_the_ordering_page_in_id_order(
    client_for, staff, make_request, ordering
):
    # Equal amounts (and equal counts) have no order of their own; without the id as the
    # last key the database may hand the same row to two pages and another to none.
    tied = [make_request("100.00") for _ in range(5)]
    client = client_for(staff["north-officer"])

    listed = [
        row["id"]
        for page in (1, 2, 3)
        for row in client.get(URL, {"ordering": ordering, "page_size": 2, "page": page}).json()[
            "results"
        ]
    ]

    assert listed == sorted(str(aid_request.pk) for aid_request in tied)


@pytest.mark.parametrize("username", ["north-caseworker", "north-lead", "north-officer"])
@pytest.mark.parametrize("ordering", [None, "created_at", "-submitted_at"])
def test_requests_page_in_the_asked_order_whoever_reads_them(
    client_for, staff, make_request, username, ordering
):
    # A caseworker's requests are sorted apart from the order index, a team lead's and an
    # officer's read along it: the same order either way, page after page.
    start = timezone.now() - timedelta(days=30)
    made = []
    for n in (3, 0, 4, 1, 2):
        aid_request = make_request("100.00")
        moment = start + timedelta(days=n)
        AidRequest.objects.filter(pk=aid_request.pk).update(created_at=moment, submitted_at=moment)
        made.append((n, str(aid_request.pk)))
    descending = ordering is None or ordering.startswith("-")
    expected = [pk for _n, pk in sorted(made, reverse=descending)]
    params = {"ordering": ordering} if ordering else {}

    assert paged_ids(client_for(staff[username]), URL, params) == expected


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("username", "read_along_index"),
    [("north-caseworker", False), ("north-lead", True), ("north-officer", True)],
)
def test_on_postgresql_only_a_caseworkers_requests_are_sorted_apart_from_the_index(
    client_for, staff, make_request, username, read_along_index
):
    """A caseworker's requests are their caseload's, found through their grants and sorted:
    the order index would be read until their requests turned up, all of it for an old
    caseload. A team's or an agency's requests are found early along the index."""
    for _ in range(3):
        make_request("100.00")

    body, plan = page_plan(client_for(staff[username]), URL, {})

    assert body["count"] == 3
    assert read_along(plan, "aid_created_order") is read_along_index


def test_one_request_ignores_an_ordering_while_the_list_refuses_it(client_for, staff, make_request):
    # The detail route reads its queryset through the list's filter backends; one record
    # has no order to get wrong, so a term it does not offer is dropped there, as before.
    aid_request = make_request("100.00")
    client = client_for(staff["north-officer"])

    one = client.get(detail(aid_request), {"ordering": "bogus"})
    listed = client.get(URL, {"ordering": "bogus"})

    assert one.status_code == 200
    assert one.json()["id"] == str(aid_request.pk)
    assert listed.status_code == 400


@pytest.mark.parametrize(
    ("username", "ordering", "keys_first"),
    [
        ("north-officer", "amount", True),
        ("north-officer", "-requests_12_months", True),
        ("north-officer", "-created_at", False),
        ("north-officer", None, False),
        ("north-lead", None, False),
        # A caseworker's requests are sorted apart from the index, whatever the order.
        ("north-caseworker", None, True),
        ("north-caseworker", "submitted_at", True),
    ],
)
def test_orders_no_index_serves_find_the_page_by_its_keys_first(
    client_for, staff, make_request, username, ordering, keys_first
):
    make_request("100.00")
    client = client_for(staff[username])
    params = {"ordering": ordering} if ordering else {}

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params)

    assert response.status_code == 200
    assert len(response.json()["results"]) == 1
    page = [q["sql"] for q in ctx.captured_queries if '"programs_aidrequest"."amount"' in q["sql"]]
    assert len(page) == 1
    assert ('"programs_aidrequest"."id" IN (SELECT' in page[0]) is keys_first


@pytest.mark.parametrize(
    "params",
    [
        {"min_age_days": "99999999999"},
        {"max_age_days": "-1"},
        {"submitted_after": "0001-01-01T00:00:00"},
        {"submitted_before": "not-a-date"},
    ],
)
def test_queue_refuses_absurd_filters_with_400(client_for, staff, params):
    response = client_for(staff["north-officer"]).get(URL, params)

    assert response.status_code == 400


def test_third_request_in_twelve_months_flags_budgeting_support(
    client_for, staff, make_request, led_case
):
    case = led_case(staff["north-caseworker"])
    first = make_request(case=case)
    second = make_request(case=case)
    other_client = make_request()
    client = client_for(staff["north-officer"])

    before = {row["id"]: row for row in client.get(URL).json()["results"]}
    third = make_request(case=case)
    after = {row["id"]: row for row in client.get(URL).json()["results"]}
    flagged = client.get(URL, {"budgeting_support": "true"}).json()["results"]

    assert before[str(second.pk)]["requests_12_months"] == 2
    assert before[str(second.pk)]["budgeting_support_flag"] is False
    assert after[str(third.pk)]["requests_12_months"] == 3
    assert after[str(third.pk)]["budgeting_support_flag"] is True
    assert after[str(first.pk)]["budgeting_support_flag"] is False
    assert after[str(other_client.pk)]["requests_12_months"] == 1
    assert [row["id"] for row in flagged] == [str(third.pk)]


def test_requests_older_than_twelve_months_do_not_count(client_for, staff, make_request, led_case):
    case = led_case(staff["north-caseworker"])
    old = make_request(case=case)
    AidRequest.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=400))
    make_request(case=case)
    latest = make_request(case=case)

    rows = {r["id"]: r for r in client_for(staff["north-officer"]).get(URL).json()["results"]}

    assert rows[str(latest.pk)]["requests_12_months"] == 2
    assert rows[str(latest.pk)]["budgeting_support_flag"] is False


def test_restricted_clients_name_is_hidden_from_officers(client_for, staff, make_request):
    aid_request = make_request()
    aid_request.client.__class__.objects.filter(pk=aid_request.client_id).update(is_restricted=True)

    officer_view = client_for(staff["north-officer"]).get(detail(aid_request)).json()
    worker_view = client_for(staff["north-caseworker"]).get(detail(aid_request)).json()

    assert officer_view["client_name"] == "Restricted client"
    assert worker_view["client_name"] != "Restricted client"


@pytest.mark.parametrize("username", ["north-officer", "north-caseworker"])
def test_list_query_count_does_not_grow_with_page_size(
    client_for, staff, make_request, budget, list_queries, username
):
    for n in range(11):
        aid_request = make_request(f"{10 + n}.00")
        if n % 2:
            services.aid_request_approve(actor=staff["north-officer"], aid_request=aid_request)
    client = client_for(staff[username])

    assert list_queries(client, URL, 2) == list_queries(client, URL, 10)


def test_list_fetches_of_joined_rows_only_what_it_shows(
    client_for, staff, make_request, budget, django_assert_max_num_queries
):
    approved = make_request("40.00")
    services.aid_request_approve(actor=staff["north-officer"], aid_request=approved)
    make_request("30.00")

    with django_assert_max_num_queries(10) as captured:
        rows = client_for(staff["north-officer"]).get(URL).json()["results"]

    page_sql = next(
        q["sql"] for q in captured if '"programs_aidrequest"."justification"' in q["sql"]
    )
    assert '"casework_client"."legal_family_name"' in page_sql
    assert '"casework_client"."address"' not in page_sql
    assert '"programs_programme"."eligibility_notes"' not in page_sql
    assert '"programs_budget"."allocated"' not in page_sql
    assert {row["fiscal_year"] is not None for row in rows} == {True, False}
    assert all(row["client_name"] and row["programme_name"] for row in rows)
    # The detail reads the whole rows, as every other action does.
    with django_assert_max_num_queries(10) as captured:
        client_for(staff["north-officer"]).get(f"{URL}{approved.pk}/")
    assert any('"casework_client"."address"' in q["sql"] for q in captured)
