"""Fixtures of the security tests: one world per module, every record kind in it, and API clients.

The world is built once per test module inside a transaction that is rolled
back after the module; each test runs in its own savepoint inside it, as
pytest-django's `db` fixture does, so tests still cannot see each other's
writes.
"""

import pytest
from django.db import transaction
from django.test import override_settings
from rest_framework.test import APIClient

from tests.security.world import build_security_world, demo_staff

_LOOSE_THROTTLES = {"anon": "100000/min", "user": "100000/min", "token": "100000/min"}


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("security-media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_security_world(demo_staff())
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(_module_world, db, settings):
    """The security world (tests/security/world.py), with throttles out of the way."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": _LOOSE_THROTTLES,
    }
    return _module_world


@pytest.fixture
def api_as(world):
    """An API client signed in as one of the world's demo users: api_as("north-caseworker")."""

    def make(username):
        client = APIClient()
        client.force_authenticate(user=world.staff[username])
        return client

    return make
