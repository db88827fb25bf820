"""Reliability fixtures: a programme, its budget, submitted requests; the Redis skip."""

import os
from decimal import Decimal

import pytest

from programs import services
from tests.programs.factories import BudgetFactory, ProgrammeFactory


def pytest_collection_modifyitems(config, items):
    """Skip tests marked `redis` unless a broker is configured (CELERY_BROKER_URL)."""
    if os.environ.get("CELERY_BROKER_URL"):
        return
    skip = pytest.mark.skip(reason="needs CELERY_BROKER_URL (a Redis broker)")
    for item in items:
        if "redis" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def programme(staff):
    """A running financial-aid programme delivered by north and south."""
    return ProgrammeFactory(
        delivering_agencies=[staff["north-caseworker"].agency, staff["south-caseworker"].agency]
    )


@pytest.fixture
def budget(programme):
    return BudgetFactory(programme=programme, allocated=Decimal("10000.00"))


@pytest.fixture
def submitted_request(staff, led_case, programme):
    """submitted_request(amount): a submitted aid request raised by north-caseworker."""

    def make(amount="500.00"):
        caseworker = staff["north-caseworker"]
        aid_request = services.aid_request_create(
            actor=caseworker,
            case=led_case(caseworker),
            programme=programme,
            category="food",
            amount=Decimal(amount),
            justification="Whānau has no food until the next benefit payment.",
        )
        return services.aid_request_submit(actor=caseworker, aid_request=aid_request)

    return make
