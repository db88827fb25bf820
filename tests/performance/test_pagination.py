"""The bounded count of list pages (docs/adr/0007-bounded-count-pagination.md)."""

import pytest
from django.db.models import Count

from core.audit import audit_record
from core.models import AuditAction, AuditEvent
from core.pagination import BoundedCountPaginator

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
