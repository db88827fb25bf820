"""Programmes fixtures: the demo agencies, a programme both agencies deliver, budgets, requests."""

from decimal import Decimal

import pytest

from programs import services
from programs.models import AidRequest
from tests.programs.factories import BudgetFactory, ProgrammeFactory


@pytest.fixture
def north(staff):
    return staff["north-caseworker"].agency


@pytest.fixture
def south(staff):
    return staff["south-caseworker"].agency


@pytest.fixture
def programme(north, south):
    """A running financial-aid programme delivered by both north and south."""
    return ProgrammeFactory(delivering_agencies=[north, south])


@pytest.fixture
def budget(programme):
    """The programme-wide budget of the current fiscal year: NZD 10,000 allocated."""
    return BudgetFactory(programme=programme, allocated=Decimal("10000.00"))


@pytest.fixture
def make_request(staff, led_case, programme):
    """Raise (and by default submit) an aid request through the services.

    make_request(amount="500.00", caseworker=None, case=None, submit=True, **fields);
    the caseworker defaults to north-caseworker, the case to a new one they lead.
    """

    def make(
        amount="500.00",
        *,
        caseworker=None,
        case=None,
        submit=True,
        programme_=None,
        **fields,
    ) -> AidRequest:
        caseworker = caseworker or staff["north-caseworker"]
        case = case or led_case(caseworker)
        fields.setdefault("category", "food")
        fields.setdefault("justification", "Whānau has no food until the next benefit payment.")
        aid_request = services.aid_request_create(
            actor=caseworker,
            case=case,
            programme=programme_ or programme,
            amount=Decimal(amount),
            **fields,
        )
        if submit:
            aid_request = services.aid_request_submit(actor=caseworker, aid_request=aid_request)
        return aid_request

    return make


@pytest.fixture
def approved_request(make_request, staff, budget):
    """A submitted-and-approved NZD 500.00 grant, approved by north-officer."""

    def make(amount="500.00", **fields):
        aid_request = make_request(amount, **fields)
        return services.aid_request_approve(actor=staff["north-officer"], aid_request=aid_request)

    return make
