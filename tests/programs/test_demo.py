"""The demo world's programmes: budgets for two fiscal years and aid requests in every state."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.nz.fiscal import fiscal_year_of
from programs.models import AidRequest, AidRequestStatus, Budget, Payment, Repayment

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo", "--clients", "40", "--seed", "3", stdout=StringIO())


def test_demo_aid_requests_cover_every_state_with_payments_and_repayments(demo):
    assert set(AidRequest.objects.values_list("status", flat=True)) == set(AidRequestStatus.values)
    assert Payment.objects.exists()
    assert Repayment.objects.exists()


def test_demo_budgets_cover_this_and_last_fiscal_year_and_are_never_exceeded(demo):
    this_year = fiscal_year_of(timezone.localdate())

    assert {this_year - 1, this_year} <= set(Budget.objects.values_list("fiscal_year", flat=True))
    for budget in Budget.objects.all():
        assert budget.committed + budget.paid <= budget.allocated
    assert Budget.objects.filter(paid__gt=0).exists()
