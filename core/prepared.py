"""Queries run as server-side prepared statements on PostgreSQL, when they are worth it.

PostgreSQL plans a query every time it is sent. Django sends parameters inside
the SQL text (psycopg's client-side binding) and keeps psycopg's prepared
statements off, so that connection poolers in transaction mode keep working.
For most queries planning is a fraction of a millisecond. The one query every
API request makes first (a user's groups and the grant facts that shape the
permission predicates, `casework.access`) is four nested `EXISTS` whose plan
took 2–2.5 ms against 0.2–0.6 ms to run (docs/PERFORMANCE.md). Its plan is the
same for every user (index probes by the user's id), so it is planned once per
connection and executed by name afterwards.

psycopg prepares a statement on a connection the first time it is sent with
`prepare=True` (protocol level, which PgBouncer 1.21 and later can pool) and
keeps it for the connection's life. Only the statements sent through
`fetch_prepared` are prepared: Django's own cursors bind on the client and are
never prepared, whatever `prepare_threshold` says. With
`DATABASE_PREPARED_STATEMENTS=false` (settings) the connection's
`prepare_threshold` stays None and `fetch_prepared` is a plain query.
"""

import psycopg
from django.db import connection


class _PreparingCursor(psycopg.Cursor):
    """Server-side binding, every statement prepared: Django's wrapper passes no `prepare`."""

    def execute(self, query, params=None, *, prepare=True, binary=None):
        result = super().execute(query, params, prepare=prepare, binary=binary)
        # psycopg keeps no text for a statement it runs by name; Django's query log
        # (DEBUG, tests) reads `_query.query` off the cursor.
        self._query = _LoggedText(self.connection, query, params)
        return result


class _LoggedText:
    """The statement as Django logs a client-side query, composed only if it is logged."""

    def __init__(self, connection, sql: str, params):
        self._connection, self._sql, self._params = connection, sql, params

    @property
    def query(self) -> bytes:
        return psycopg.ClientCursor(self._connection).mogrify(self._sql, self._params).encode()


def fetch_prepared(sql: str, params: list) -> list[tuple]:
    """Every row of `sql` (Django placeholders, `%s`), prepared once per connection on PostgreSQL.

    The statement goes through Django's cursor wrappers, so it is logged and
    counted like any other query. Elsewhere, or with prepared statements
    turned off, it is an ordinary query.
    """
    if connection.vendor != "postgresql":
        return _fetch_plain(sql, params)
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        return _fetch_plain(sql, params)
    driver_cursor = _PreparingCursor(raw)
    cursor = (
        connection.make_debug_cursor(driver_cursor)
        if connection.queries_logged
        else connection.make_cursor(driver_cursor)
    )
    with cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _fetch_plain(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
