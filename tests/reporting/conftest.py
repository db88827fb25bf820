"""Reporting fixtures: media under a temporary folder, and the skip for the Redis marker."""

import os

import pytest


def pytest_collection_modifyitems(config, items):
    """Skip tests marked `redis` unless a broker (and so a real worker) is configured."""
    if os.environ.get("CELERY_BROKER_URL"):
        return
    skip = pytest.mark.skip(reason="needs CELERY_BROKER_URL and a running worker")
    for item in items:
        if "redis" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _media_root(request, settings, tmp_path):
    # A real worker writes where its own MEDIA_ROOT says; only eager tests get a private one.
    if "redis" not in request.keywords:
        settings.MEDIA_ROOT = str(tmp_path / "media")
