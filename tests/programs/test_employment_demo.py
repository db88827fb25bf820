"""The demo's employment support: employers, plans, activities, placements in every state."""

from random import Random

import pytest
from django.utils import timezone

from casework import demo as casework_demo
from core import demo
from programs import demo as programs_demo
from programs import demo_employment
from programs.models import (
    Budget,
    Employer,
    EmploymentActivity,
    EmploymentPlan,
    Placement,
    PlacementCheckIn,
    PlacementStatus,
    ProgrammeKind,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(roles):
    world = demo.DemoWorld(rng=Random(1), password="tautoko-demo", clients=40)
    demo.seed(world)
    casework_demo.seed(world)
    programs_demo.seed(world)
    return world


def test_demo_employment_covers_every_state_in_both_agencies(world):
    if not Placement.objects.exists():
        demo_employment.seed(world)
    today = timezone.localdate()

    assert Employer.objects.filter(name="Kai Ora Café — Kaitāia").exists()
    assert EmploymentPlan.objects.exists()
    assert EmploymentActivity.objects.exists()
    assert EmploymentActivity.objects.filter(kind="training", nzqa_level__isnull=False).exists()
    for slug in ("north", "south"):
        states = set(Placement.objects.filter(agency__slug=slug).values_list("status", flat=True))
        assert states == set(PlacementStatus.values), slug
    pending = PlacementCheckIn.objects.filter(recorded_on__isnull=True)
    assert pending.filter(due_on__lt=today).exists()  # overdue
    assert pending.filter(due_on__gte=today).exists()  # coming up
    assert PlacementCheckIn.objects.filter(weeks=26, still_employed=True).exists()
    assert PlacementCheckIn.objects.filter(still_employed=False).exists()
    subsidised = Placement.objects.filter(is_subsidised=True, budget__isnull=False)
    assert subsidised.exists()
    employment = Budget.objects.filter(programme__kind=ProgrammeKind.EMPLOYMENT, committed__gt=0)
    assert employment.exists()
    for budget in Budget.objects.all():
        assert budget.committed + budget.paid <= budget.allocated
