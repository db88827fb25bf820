"""Programmes fixtures: the demo staff, a programme both agencies deliver, budgets and requests."""

from decimal import Decimal
from random import Random

import pytest

from casework import access
from core import demo
from programs import services
from programs.models import AidRequest
from tests.factories import CaseFactory, ClientFactory
from tests.programs.factories import BudgetFactory, ProgrammeFactory


@pytest.fixture
def staff(roles):
    """The demo contract's staff of `north` and `south`, by username (north-officer …)."""
    world = demo.DemoWorld(rng=Random(1), password="tautoko-demo", clients=0)
    demo.seed(world)
    return world.staff


@pytest.fixture
def led_case():
    """A `referred` case led by `caseworker` (shared with their team's leads): led_case(cw)."""

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
