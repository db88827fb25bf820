"""The benchmark times a world in the state a live database keeps: packed, analyzed, all-visible."""

import pytest
from django.db import connection

from bench.measure import _vacuum
from tests.factories import ClientFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres, pytest.mark.slow]


def _pages(table: str) -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpages, relallvisible FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()


def test_packing_leaves_the_visibility_map_set():
    ClientFactory.create_batch(300)

    _vacuum()

    pages, all_visible = _pages("casework_client")
    # A table rewritten by VACUUM FULL alone has no page marked all-visible, and
    # every index-only scan would read the table too.
    assert pages > 1
    assert all_visible == pages
