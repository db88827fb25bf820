"""Malformed request bodies are 400s, never 500s."""

import pytest

pytestmark = pytest.mark.django_db


def test_deeply_nested_json_is_a_400(client_for, north, make_staff):
    client = client_for(make_staff(north, "agency_admin"))
    body = "[" * 50_000 + "]" * 50_000

    response = client.generic("POST", "/api/v1/teams/", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_reasonable_json_still_parses(client_for, north, make_staff):
    client = client_for(make_staff(north, "agency_admin"))

    response = client.post("/api/v1/teams/", {"name": "Rangatahi"})

    assert response.status_code == 201


@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59", "1899-12-31"]
)
def test_out_of_range_date_time_filters_are_400(client_for, north, make_staff, value):
    client = client_for(make_staff(north, "compliance_officer"))

    response = client.get("/api/v1/audit-events/", {"occurred_after": value})

    assert response.status_code == 400


def test_safe_date_time_field_refuses_year_one_and_accepts_today():
    from rest_framework.exceptions import ValidationError

    from core.fields import SafeDateTimeField

    field = SafeDateTimeField()

    with pytest.raises(ValidationError, match="1900"):
        field.run_validation("0001-01-01T00:00:00")
    assert field.run_validation("2026-11-27T10:00:00").year == 2026
