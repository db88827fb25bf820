"""Shared fixtures: the demo contract's staff, clients and cases with real grants, API clients."""

from random import Random

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from casework import access
from core import demo
from core.management.commands.load_reference_data import load_all_reference_data
from tests.factories import AgencyFactory, CaseFactory, ClientFactory, StaffFactory, TeamFactory


def pytest_collection_modifyitems(config, items):
    """Skip tests marked `postgres` unless the suite runs against PostgreSQL."""
    from django.conf import settings

    if "postgresql" in settings.DATABASES["default"]["ENGINE"]:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # PBKDF2 at full strength costs ~0.3 s a hash; tests don't need the strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttle counters live in the cache; every test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load reference data once into the test database; each test rolls back to it."""
    with django_db_blocker.unblock():
        load_all_reference_data()


@pytest.fixture
def roles(db):
    """Reference data (role groups, instruments): loaded once per run, reloaded after a flush."""
    from django.contrib.auth.models import Group

    from core.roles import Role, role_group_name

    if not Group.objects.filter(name=role_group_name(Role.CASEWORKER)).exists():
        load_all_reference_data()


@pytest.fixture
def north(db):
    return AgencyFactory(slug="north", name="Te Raki Whānau Ora Collective", region="01")


@pytest.fixture
def south(db):
    return AgencyFactory(slug="south", name="Ōtautahi Recovery Trust", region="13")


@pytest.fixture
def north_team(north):
    return TeamFactory(agency=north)


@pytest.fixture
def make_staff(roles):
    """Create a member of staff through the real service: make_staff(agency, "caseworker", ...)."""

    def make(agency, *role_names, **kwargs):
        return StaffFactory(agency=agency, roles=list(role_names) or ["caseworker"], **kwargs)

    return make


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_for():
    """An API client authenticated as `user` (token auth, as real clients use)."""

    def make(user):
        client = APIClient()
        client.force_authenticate(user=user)
        return client

    return make


@pytest.fixture
def list_queries():
    """Count the queries of one GET of a list page: list_queries(client, url, page_size, **params).

    Also checks the page came back full, so a query budget is never asserted
    over a page shorter than asked for.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(client, url, page_size, **params):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, {"page_size": page_size, **params})
        assert response.status_code == 200, response.content
        assert len(response.json()["results"]) == page_size
        return len(ctx.captured_queries)

    return count


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
    """A `referred` case led by `caseworker` (and shared with their team's leads): led_case(cw).

    `led_case(cw, whanau=w)` is a whānau case (no client of its own).
    """

    def make(caseworker, client=None, **fields):
        if fields.get("whanau") is None:
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
