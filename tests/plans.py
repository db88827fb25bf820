"""How a list pages: the ids page after page, and PostgreSQL's plan of its page query."""

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext


def page_plan(client, url: str, params: dict, *, sorts: bool = False) -> tuple[dict, str]:
    """The list's answer to `params`, and the plan of its page query (the one with a LIMIT
    that is not the bounded count), with sequential scans and, unless `sorts`, sorting
    switched off: a small test table would be sorted or scanned whatever the indexes. A
    filter whose index holds few rows in another order than the page's is read with
    `sorts=True`."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    # The first such query: prefetches of the page's rows come after it (and may hold a
    # LIMIT of their own, in an EXISTS).
    page_sql = next(
        q["sql"]
        for q in ctx.captured_queries
        if "ORDER BY" in q["sql"] and " LIMIT " in q["sql"] and "COUNT(*)" not in q["sql"]
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if not sorts:
            cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + page_sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return response.json(), plan


def is_sorted(plan: str) -> bool:
    """Does the plan sort the rows (rather than read them in an index's order)?"""
    return " Sort " in plan or plan.lstrip().startswith("Sort")


def read_along(plan: str, index: str) -> bool:
    """Is the page read along `index` without a sort (rather than sorted apart from it)?

    Asserted as `read_along(plan, index) is expected`; either answer is checked both ways:
    the index is in the plan exactly when no sort is.
    """
    along = f"using {index} " in plan
    assert along is not is_sorted(plan), plan
    return along


def uses_index(plan: str, index: str) -> bool:
    """Does the plan read `index` at all (an index, index-only or bitmap scan of it)?"""
    return f"using {index} " in plan or f"Bitmap Index Scan on {index}" in plan


def paged_ids(client, url: str, params: dict | None = None, *, pages: int = 3) -> list[str]:
    """The ids of the list's first `pages` pages of two rows each, in the order served."""
    return [
        row["id"]
        for page in range(1, pages + 1)
        for row in client.get(url, {**(params or {}), "page_size": 2, "page": page}).json()[
            "results"
        ]
    ]
