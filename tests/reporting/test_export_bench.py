"""The export benchmark on PostgreSQL: it runs, compares with COPY and leaves nothing behind."""

import pytest

from casework.models import Client
from reporting.exports.bench import run_export_benchmark

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.slow]


def test_benchmark_times_the_export_against_copy_and_rolls_back(settings):
    settings.EXPORT_CHUNK_ROWS = 500
    before = Client.objects.count()

    result = run_export_benchmark(2_000)

    assert result["rows"] == 2_000
    assert result["copy_seconds"] > 0
    assert result["export_seconds"] > 0
    assert result["ratio"] == pytest.approx(
        result["export_seconds"] / result["copy_seconds"], rel=0.05
    )
    assert Client.objects.count() == before


def test_benchmark_refuses_sqlite_style_databases_politely(monkeypatch):
    from django.db import connection

    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(RuntimeError):
        run_export_benchmark(10)
