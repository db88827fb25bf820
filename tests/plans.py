"""PostgreSQL's plan of a list's page query, for tests that a page is read along an index."""

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext


def page_plan(client, url: str, params: dict) -> tuple[dict, str]:
    """The list's answer to `params`, and the plan of its page query (the one with a LIMIT
    that is not the bounded count), with sorting and sequential scans switched off: a small
    test table would be sorted or scanned whatever the indexes."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    (page_sql,) = [
        q["sql"]
        for q in ctx.captured_queries
        if "ORDER BY" in q["sql"] and " LIMIT " in q["sql"] and "COUNT(*)" not in q["sql"]
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + page_sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return response.json(), plan


def is_sorted(plan: str) -> bool:
    """Does the plan sort the rows (rather than read them in an index's order)?"""
    return " Sort " in plan or plan.lstrip().startswith("Sort")
