"""Statements prepared once per connection (core.prepared)."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework import access
from core.prepared import fetch_prepared
from core.request_context import RequestContext, reset_request_context, set_request_context

pytestmark = pytest.mark.django_db

_SQL = "SELECT username, is_active FROM core_user WHERE username = %s OR username LIKE %s"


def _marked_sql() -> tuple[str, str]:
    """`_SQL` with a marker of its own: prepared statements outlive a test's transaction."""
    marker = f"marker_{uuid.uuid4().hex}"
    return _SQL.replace("SELECT username", f'SELECT username AS "{marker}"'), marker


def _prepared_statements(text: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [f"%{text}%"]
        )
        return cursor.fetchone()[0]


def test_the_rows_are_those_of_a_plain_query_and_it_is_counted_as_one(staff):
    params = ["north-lead", "south-%"]
    with connection.cursor() as cursor:
        cursor.execute(_SQL, params)
        plain = cursor.fetchall()

    with CaptureQueriesContext(connection) as captured:
        prepared = fetch_prepared(_SQL, params)
        again = fetch_prepared(_SQL, ["north-officer", "nobody-%"])

    assert sorted(prepared) == sorted(plain)
    assert len(plain) > 1  # the LIKE matched too, so the parameters reached the database
    assert again == [("north-officer", True)]
    assert len(captured.captured_queries) == 2


@pytest.mark.postgres
def test_on_postgresql_the_statement_is_prepared_once_per_connection(staff):
    sql, marker = _marked_sql()

    first = fetch_prepared(sql, ["north-lead", "south-%"])
    second = fetch_prepared(sql, ["south-lead", "nobody-%"])

    assert _prepared_statements(marker) == 1
    assert ("north-lead", True) in first
    assert second == [("south-lead", True)]


@pytest.mark.postgres
def test_with_prepared_statements_turned_off_it_is_a_plain_query(staff):
    connection.ensure_connection()
    raw = connection.connection
    threshold = raw.prepare_threshold
    raw.prepare_threshold = None  # as DATABASE_PREPARED_STATEMENTS=false leaves it
    sql, marker = _marked_sql()
    try:
        rows = fetch_prepared(sql, ["north-lead", "nobody-%"])
    finally:
        raw.prepare_threshold = threshold

    assert rows == [("north-lead", True)]
    assert _prepared_statements(marker) == 0


@pytest.mark.postgres
def test_the_per_request_groups_read_is_the_prepared_statement(staff):
    lead = staff["north-lead"]
    token = set_request_context(RequestContext(request_id="t", ip_address=None, memo={}))
    try:
        groups = access._user_groups(lead)
    finally:
        reset_request_context(token)

    assert sorted(groups) == sorted(lead.groups.values_list("id", "name"))
    assert (lead.team.lead_group_id, lead.team.lead_group.name) in groups
    assert _prepared_statements('AS "fact_0"') == 1


@pytest.mark.postgres
def test_the_query_log_shows_the_statement_with_its_values(staff):
    sql, marker = _marked_sql()

    with CaptureQueriesContext(connection) as captured:
        fetch_prepared(sql, ["north-lead", "nobody-%"])

    logged = captured.captured_queries[0]["sql"]
    assert marker in logged
    assert "'north-lead'" in logged
