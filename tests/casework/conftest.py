"""Casework fixtures: the contract's demo staff and clients/cases with real grants."""

from random import Random

import pytest

from casework import access
from core import demo
from tests.factories import CaseFactory, ClientFactory


@pytest.fixture
def staff(roles):
    """The demo contract's staff of `north` and `south`, by username (north-caseworker …)."""
    world = demo.DemoWorld(rng=Random(1), password="tautoko-demo", clients=0)
    demo.seed(world)
    return world.staff


@pytest.fixture
def assigned_client():
    """A client of `caseworker`'s agency, registered by and granted to them: assigned_client(cw)."""

    def make(caseworker, **fields):
        client = ClientFactory(agency=caseworker.agency, created_by=caseworker, **fields)
        access.grant_client_to_user(client, caseworker)
        return client

    return make


@pytest.fixture
def led_case():
    """A `referred` case led by `caseworker` (and shared with their team's leads): led_case(cw)."""

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
