"""The bounded count of list pages (docs/adr/0007-bounded-count-pagination.md)."""

import pytest
from django.core.paginator import EmptyPage
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.audit import audit_record
from core.models import AuditAction, AuditEvent
from core.pagination import BoundedCountPaginator, keys_first

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(north, make_staff):
    reader = make_staff(north, "compliance_officer")
    for n in range(12):
        audit_record(actor=reader, action=AuditAction.VIEW, object_type="x", object_id=str(n))
    return reader


def test_a_list_under_the_limit_is_counted_exactly(client_for, reader):
    body = client_for(reader).get("/api/v1/audit-events/", {"page_size": 5}).json()

    assert body["count"] >= 12
    assert body["count_is_estimate"] is False


def test_a_list_over_the_limit_says_its_count_is_a_lower_bound(client_for, reader, monkeypatch):
    monkeypatch.setattr(BoundedCountPaginator, "count_limit", 5)
    client = client_for(reader)

    body = client.get("/api/v1/audit-events/", {"page_size": 2}).json()

    assert body["count"] == 5
    assert body["count_is_estimate"] is True
    assert "page=2" in body["next"]


def test_the_limit_is_the_api_count_limit_setting(client_for, reader, settings):
    client = client_for(reader)
    settings.API_COUNT_LIMIT = 7

    limited = client.get("/api/v1/audit-events/", {"page_size": 2}).json()
    settings.API_COUNT_LIMIT = 1000
    counted = client.get("/api/v1/audit-events/", {"page_size": 2}).json()

    assert (limited["count"], limited["count_is_estimate"]) == (7, True)
    assert counted["count"] >= 12
    assert counted["count_is_estimate"] is False


def test_pages_past_the_counted_rows_are_still_served(client_for, reader, monkeypatch):
    monkeypatch.setattr(BoundedCountPaginator, "count_limit", 5)
    client = client_for(reader)

    page4 = client.get("/api/v1/audit-events/", {"page_size": 2, "page": 4}).json()
    everything = client.get("/api/v1/audit-events/", {"page_size": 200}).json()

    assert page4["count_is_estimate"] is True
    assert len(page4["results"]) == 2
    assert page4["results"] == everything["results"][6:8]
    assert "page=5" in page4["next"]


def test_a_page_past_the_end_is_still_404_over_the_limit(client_for, reader, monkeypatch):
    monkeypatch.setattr(BoundedCountPaginator, "count_limit", 5)

    response = client_for(reader).get("/api/v1/audit-events/", {"page_size": 2, "page": 999})

    assert response.status_code == 404


def test_a_page_no_database_could_reach_is_404_over_the_limit(client_for, reader, monkeypatch):
    monkeypatch.setattr(BoundedCountPaginator, "count_limit", 5)

    response = client_for(reader).get(
        "/api/v1/audit-events/", {"page_size": 2, "page": str(10**30)}
    )

    assert response.status_code == 404


def test_a_bad_page_number_is_404_over_the_limit(client_for, reader, monkeypatch):
    monkeypatch.setattr(BoundedCountPaginator, "count_limit", 5)

    response = client_for(reader).get("/api/v1/audit-events/", {"page": "zero"})

    assert response.status_code == 404


def test_grouped_rows_are_counted_as_groups(reader):
    per_object_type = (
        AuditEvent.objects.values("object_type").annotate(n=Count("pk")).order_by("object_type")
    )
    groups = len(list(per_object_type))

    paginator = BoundedCountPaginator(per_object_type, 2)

    assert paginator.count == groups
    assert paginator.count_is_estimate is False


def test_pages_read_keys_first_are_the_querysets_own_pages(reader):
    # Twelve events, ordered by a column that ties (one object type) and then the key.
    events = AuditEvent.objects.filter(actor=reader).order_by("object_type", "-object_id", "id")
    expected = list(events)

    pages = [BoundedCountPaginator(keys_first(events), 5).page(number) for number in (1, 2, 3)]

    assert [list(page) for page in pages] == [expected[0:5], expected[5:10], expected[10:12]]
    assert pages[0].paginator.count == 12


def test_a_page_read_keys_first_is_one_query_sorting_only_the_keys(reader):
    events = AuditEvent.objects.filter(actor=reader).order_by("-object_id", "id")
    page_reader = keys_first(events)

    with CaptureQueriesContext(connection) as ctx:
        rows = page_reader[2:4]

    assert [row.pk for row in rows] == [row.pk for row in list(events)[2:4]]
    assert len(ctx.captured_queries) == 1
    inner = ctx.captured_queries[0]["sql"].split(" IN (", 1)[1]
    assert inner.lstrip().upper().startswith('SELECT U0."ID"')
    assert "LIMIT 2 OFFSET 2" in inner.upper()


def test_pages_read_keys_first_with_their_count_are_the_querysets_own(reader):
    events = AuditEvent.objects.filter(actor=reader).order_by("object_type", "-object_id", "id")
    expected = list(events)
    paginators = [
        BoundedCountPaginator(keys_first(events, counted_with_page=True), 5) for _ in range(3)
    ]

    with CaptureQueriesContext(connection) as ctx:
        pages = [
            paginator.page(number) for paginator, number in zip(paginators, (1, 2, 3), strict=True)
        ]
        counts = [(p.paginator.count, p.paginator.count_is_estimate) for p in pages]

    assert [list(page) for page in pages] == [expected[0:5], expected[5:10], expected[10:12]]
    assert counts == [(12, False)] * 3
    # Each page: its keys with the count, then its rows; never a count of its own.
    assert len(ctx.captured_queries) == 6
    assert _count_queries(ctx) == 0
    assert [page.has_next() for page in pages] == [True, True, False]


def test_a_list_counted_with_its_keys_says_when_it_passes_the_limit(reader, settings):
    settings.API_COUNT_LIMIT = 10
    events = AuditEvent.objects.filter(actor=reader).order_by("-object_id", "id")

    first = BoundedCountPaginator(keys_first(events, counted_with_page=True), 5).page(1)
    third = BoundedCountPaginator(keys_first(events, counted_with_page=True), 5).page(3)

    assert (first.paginator.count, first.paginator.count_is_estimate) == (10, True)
    assert first.has_next()
    assert [row.pk for row in third] == [row.pk for row in list(events)[10:12]]
    assert not third.has_next()


def test_an_empty_page_counted_with_its_keys_is_counted_as_any_list(reader):
    events = AuditEvent.objects.filter(actor=reader).order_by("-object_id", "id")

    with pytest.raises(EmptyPage):
        BoundedCountPaginator(keys_first(events, counted_with_page=True), 5).page(4)
    nothing = BoundedCountPaginator(keys_first(events.none(), counted_with_page=True), 5)
    assert (nothing.count, list(nothing.page(1))) == (0, [])


# --- a caseworker's client list counts in its page query ---------------------------------------


@pytest.fixture
def caseload(staff, assigned_client):
    """Seven clients of north-caseworker (one archived) and two of other staff."""
    worker = staff["north-caseworker"]
    mine = [assigned_client(worker) for _ in range(6)]
    assigned_client(worker, archived_at=timezone.now())
    assigned_client(staff["north-caseworker2"])
    assigned_client(staff["south-caseworker"])
    return mine


def _count_queries(ctx) -> int:
    return sum(
        1 for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT COUNT")
    )


@pytest.mark.parametrize("page_size", [2, 6, 50])
def test_a_caseload_is_counted_by_the_page_query_alone(client_for, staff, caseload, page_size):
    client = client_for(staff["north-caseworker"])

    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/api/v1/clients/", {"page_size": page_size}).json()

    assert (body["count"], body["count_is_estimate"]) == (6, False)
    assert len(body["results"]) == min(page_size, 6)
    assert "listed_total" not in body["results"][0]
    assert _count_queries(ctx) == 0
    assert (body["next"] is None) == (page_size >= 6)


def test_a_caseload_over_the_limit_says_so_from_the_page(client_for, staff, caseload, settings):
    settings.API_COUNT_LIMIT = 4
    client = client_for(staff["north-caseworker"])

    first = client.get("/api/v1/clients/", {"page_size": 4}).json()
    second = client.get("/api/v1/clients/", {"page_size": 4, "page": 2}).json()

    assert (first["count"], first["count_is_estimate"]) == (4, True)
    assert "page=2" in first["next"]
    assert len(second["results"]) == 2
    assert second["next"] is None


def test_filters_and_pages_past_the_end_keep_the_counted_answers(client_for, staff, caseload):
    client = client_for(staff["north-caseworker"])
    region = caseload[0].region

    filtered = client.get("/api/v1/clients/", {"region": region}).json()
    archived = client.get("/api/v1/clients/", {"archived": "true"}).json()
    beyond = client.get("/api/v1/clients/", {"page_size": 2, "page": 4})
    nothing = client_for(staff["north-officer"]).get("/api/v1/clients/").json()

    assert filtered["count"] == sum(1 for c in caseload if c.region == region)
    assert archived["count"] == 1
    assert beyond.status_code == 404
    assert (nothing["count"], nothing["results"]) == (0, [])


def test_a_team_leads_list_still_counts_with_a_bounded_count(client_for, staff, led_case):
    for _ in range(3):
        led_case(staff["north-caseworker"])

    with CaptureQueriesContext(connection) as ctx:
        body = client_for(staff["north-lead"]).get("/api/v1/clients/").json()

    assert body["count"] == 3
    assert _count_queries(ctx) == 1


@pytest.mark.parametrize(("value", "accepted"), [("0", False), ("-1", False), ("1", True)])
def test_a_count_limit_below_one_refuses_to_start(value, accepted):
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import django; django.setup(); "
        "from django.conf import settings; print(settings.API_COUNT_LIMIT)"
    )
    env = {**os.environ, "API_COUNT_LIMIT": value, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(  # noqa: S603 - fixed interpreter and code
        [sys.executable, "-c", code],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=False,
    )

    if accepted:
        assert result.returncode == 0, result.stderr[-500:]
        assert result.stdout.strip() == value
    else:
        assert result.returncode != 0
        assert "API_COUNT_LIMIT must be at least 1" in result.stderr


# --- a caseworker's other caseload lists count with their page's keys ---------------------------


def test_a_caseworkers_caseload_list_is_counted_with_its_page_keys(client_for, staff, led_case):
    from tests.programs.referral_helpers import consent_for

    worker = staff["north-caseworker"]
    for _ in range(3):
        consent_for(worker, led_case(worker).client, name="Te Whare Tiaki")
    other = staff["north-caseworker2"]
    consent_for(other, led_case(other).client, name="Te Whare Tiaki")

    with CaptureQueriesContext(connection) as ctx:
        first = client_for(worker).get("/api/v1/consents/", {"page_size": 2}).json()
    # Read now: the next request clears the connection's query log.
    counts_asked = _count_queries(ctx)
    second = client_for(worker).get("/api/v1/consents/", {"page_size": 2, "page": 2}).json()
    beyond = client_for(worker).get("/api/v1/consents/", {"page_size": 2, "page": 3})

    assert (first["count"], first["count_is_estimate"], second["count"]) == (3, False, 3)
    assert [len(first["results"]), len(second["results"])] == [2, 1]
    assert "listed_total" not in first["results"][0]
    assert counts_asked == 0
    assert beyond.status_code == 404

    with CaptureQueriesContext(connection) as ctx:
        led = client_for(staff["north-lead"]).get("/api/v1/consents/").json()
    assert led["count"] == 4
    assert _count_queries(ctx) == 1
