"""The demo-data contract: two agencies and seven users each, reproducibly."""

from io import StringIO

import pytest
from django.core.management import call_command

from core.models import Agency, User

pytestmark = pytest.mark.django_db

CONTRACT = {
    "caseworker": (["caseworker"], None),
    "caseworker2": (["caseworker"], None),
    "lead": (["caseworker", "team_lead"], None),
    "officer": (["program_officer"], "2000.00"),
    "senior-officer": (["program_officer"], "20000.00"),
    "compliance": (["compliance_officer"], None),
    "admin": (["agency_admin"], None),
}


def seed(*args):
    out = StringIO()
    call_command("seed_demo", "--clients", "10", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_seed_demo_creates_the_contract_agencies_and_users():
    output = seed("--password", "kia-ora-demo")

    assert set(Agency.objects.values_list("slug", flat=True)) == {"north", "south"}
    for slug in ("north", "south"):
        for suffix, (roles, limit) in CONTRACT.items():
            user = User.objects.get(username=f"{slug}-{suffix}")
            assert user.agency.slug == slug
            assert user.roles == roles
            assert (
                str(user.delegated_limit) if user.delegated_limit is not None else None
            ) == limit
            assert user.check_password("kia-ora-demo")
            assert f"{slug}-{suffix}" in output


def test_seed_demo_names_keep_their_macrons():
    seed()

    assert Agency.objects.get(slug="north").name == "Te Raki Whānau Ora Collective"
    assert User.objects.get(username="north-caseworker").last_name == "Ngātai"


def test_seed_demo_if_empty_leaves_an_existing_database_alone():
    seed()
    users = User.objects.count()

    output = seed("--if-empty")

    assert "skipped" in output
    assert User.objects.count() == users


def test_seed_demo_refuses_a_non_empty_database_without_if_empty():
    seed()

    with pytest.raises(SystemExit) as exit_info:
        seed()

    assert exit_info.value.code == 1


def test_demo_logins_get_a_token(api_client):
    seed()

    response = api_client.post(
        "/api/v1/auth/token/", {"username": "north-senior-officer", "password": "tautoko-demo"}
    )

    assert response.status_code == 200
