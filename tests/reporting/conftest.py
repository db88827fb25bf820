"""Reporting fixtures: demo staff, media under a temporary folder, and the Redis marker's skip."""

import os
from random import Random

import pytest

from casework import access
from core import demo
from tests.factories import CaseFactory, ClientFactory


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


@pytest.fixture
def staff(roles):
    """The demo contract's staff of `north` and `south`, by username."""
    world = demo.DemoWorld(rng=Random(1), password="tautoko-demo", clients=0)
    demo.seed(world)
    return world.staff


@pytest.fixture
def led_case():
    """A case led by `caseworker` (shared with their team's leads): led_case(cw, client=None)."""

    def make(caseworker, client=None, **fields):
        client = client or ClientFactory(agency=caseworker.agency, created_by=caseworker)
        case = CaseFactory(
            client=client,
            agency=caseworker.agency,
            lead_caseworker=caseworker,
            team=caseworker.team,
            created_by=caseworker,
            **fields,
        )
        access.grant_case_to_user(case, caseworker)
        if case.team is not None:
            access.grant_case_to_group(case, case.team.lead_group)
        return case

    return make
