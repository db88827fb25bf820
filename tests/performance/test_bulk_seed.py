"""The bulk demo world (`seed_demo --clients N` above its threshold): same grants, reproducible."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from casework import access
from casework.models import Case, CaseNote, Client
from core.models import User
from programs.models import AidRequest, AidRequestStatus

pytestmark = pytest.mark.django_db


def seed(*args):
    call_command("seed_demo", *args, stdout=StringIO(), stderr=StringIO())


def test_bulk_world_has_every_client_with_a_case_notes_and_aid():
    seed("--clients", "40", "--bulk-above", "10")

    assert Client.objects.count() == 40
    bulk_workers = User.objects.filter(username__in=["north-cw001", "south-cw001"])
    assert bulk_workers.count() == 2
    bulk_cases = Case.objects.filter(lead_caseworker__in=bulk_workers)
    assert bulk_cases.count() == 30
    assert CaseNote.objects.filter(case__in=bulk_cases).exists()
    assert AidRequest.objects.filter(
        case__in=bulk_cases, status=AidRequestStatus.SUBMITTED
    ).exists()
    assert User.objects.filter(username__startswith="north-po").count() == 8


def test_bulk_clients_carry_the_grants_assignment_gives():
    seed("--clients", "40", "--bulk-above", "10")
    worker = User.objects.get(username="north-cw001")
    lead = User.objects.get(username="north-lead")
    other = User.objects.get(username="south-cw001")
    theirs = Client.objects.filter(created_by=worker)

    assert theirs.count() == 15
    visible_to_worker = set(access.clients_visible_to(worker).values_list("pk", flat=True))
    assert set(theirs.values_list("pk", flat=True)) == visible_to_worker
    assert set(theirs.values_list("pk", flat=True)) <= set(
        access.clients_visible_to(lead).values_list("pk", flat=True)
    )
    assert not access.clients_visible_to(other).filter(pk__in=theirs).exists()
    restricted = Client.objects.get(email="bulk7@example.nz")  # every 25th from the 8th
    assert restricted.is_restricted
    assert access.user_can(restricted.created_by, "view_client_identity", restricted)
    south_lead = User.objects.get(username="south-lead")
    assert access.user_can(south_lead, "view_client", restricted)
    assert not access.user_can(south_lead, "view_client_identity", restricted)
    case = Case.objects.filter(lead_caseworker=worker).first()
    assert access.user_can(lead, "view_case", case)
    assert not access.user_can(other, "view_case", case)


def test_bulk_world_is_reproducible_for_a_seed():
    with transaction.atomic():
        seed("--clients", "30", "--bulk-above", "10", "--seed", "7")
        first = sorted(Client.objects.filter(email__startswith="bulk").values_list("pk", "email"))
        transaction.set_rollback(True)
    assert not Client.objects.exists()

    seed("--clients", "30", "--bulk-above", "10", "--seed", "7")

    assert sorted(Client.objects.filter(email__startswith="bulk").values_list("pk", "email")) == (
        first
    )


def test_at_or_under_the_threshold_every_client_is_made_through_the_services():
    seed("--clients", "10", "--bulk-above", "10")

    assert Client.objects.count() == 10
    assert not User.objects.filter(username__startswith="north-cw").exists()
