"""Subsidised placements starting at once: the employment budget is never exceeded."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from core.errors import ApplicationError
from programs.models import Budget, Placement, PlacementCheckIn, PlacementStatus
from programs.services import employment as services
from tests.programs.factories import EmployerFactory, employment_programme

THREADS = 8
WEEKLY = Decimal("300.00")
WEEKS = 4  # NZD 1,200 a placement
ALLOCATED = Decimal("5000.00")  # room for four


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_subsidy_commitments_never_exceed_the_budget(staff, led_case, north):
    cw = staff["north-caseworker"]
    programme = employment_programme(north, allocated=ALLOCATED)
    employer = EmployerFactory(agency=north)
    placements = [
        services.placement_create(
            actor=cw,
            case=led_case(cw),
            employer=employer,
            role="Packhouse worker",
            start_on=timezone.localdate() - timedelta(days=1),
            hours_per_week=Decimal("30"),
            hourly_wage=Decimal("25.00"),
            is_subsidised=True,
            subsidy_weekly_amount=WEEKLY,
            subsidy_weeks=WEEKS,
            programme=programme,
        )
        for _ in range(THREADS)
    ]
    barrier = threading.Barrier(THREADS)
    outcomes: dict = {}

    def start(placement):
        try:
            barrier.wait(timeout=30)
            services.placement_start(actor=cw, placement=placement)
            outcomes[placement.pk] = "started"
        except ApplicationError as exc:
            outcomes[placement.pk] = exc.code
        except Exception as exc:  # noqa: BLE001 - any other failure is what this test hunts
            outcomes[placement.pk] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=start, args=(p,)) for p in placements]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    fits = int(ALLOCATED // (WEEKLY * WEEKS))
    assert sorted(outcomes.values()) == ["over_budget"] * (THREADS - fits) + ["started"] * fits
    budget = Budget.objects.get(programme=programme)
    assert budget.committed == WEEKLY * WEEKS * fits
    started = Placement.objects.filter(
        pk__in=[p.pk for p in placements], status=PlacementStatus.STARTED
    )
    assert started.count() == fits
    # A placement refused for want of money has no check-ins and stays offered.
    assert PlacementCheckIn.objects.filter(placement__in=placements).count() == 3 * fits
