"""Many officers approving against one budget at once: it is never exceeded, nothing is lost."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from core.errors import ApplicationError
from programs import services
from programs.models import AidDecision, AidRequest, AidRequestStatus, Budget
from tests.programs.factories import BudgetFactory

THREADS = 24
AMOUNT = Decimal("73.37")
ALLOCATED = Decimal("1000.00")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_never_exceed_the_budget(make_request, make_staff, programme, north):
    budget = BudgetFactory(programme=programme, allocated=ALLOCATED)
    requests = [make_request(str(AMOUNT)) for _ in range(THREADS)]
    officers = [
        make_staff(
            north, "program_officer", username=f"officer-{n}", delegated_limit=Decimal("5000.00")
        )
        for n in range(THREADS)
    ]
    start = threading.Barrier(THREADS)
    outcomes: dict = {}

    def approve(officer, aid_request):
        try:
            start.wait(timeout=30)
            services.aid_request_approve(actor=officer, aid_request=aid_request)
            outcomes[aid_request.pk] = "approved"
        except ApplicationError as exc:
            outcomes[aid_request.pk] = exc.code
        except Exception as exc:  # noqa: BLE001 - any other failure is what this test hunts
            outcomes[aid_request.pk] = repr(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=approve, args=(officer, aid_request))
        for officer, aid_request in zip(officers, requests, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    fits = int(ALLOCATED // AMOUNT)  # 13
    assert len(outcomes) == THREADS
    assert sorted(outcomes.values()) == ["approved"] * fits + ["over_budget"] * (THREADS - fits)
    budget = Budget.objects.get(pk=budget.pk)
    assert budget.committed == AMOUNT * fits
    assert budget.committed + budget.paid <= budget.allocated
    statuses = dict(
        AidRequest.objects.filter(pk__in=[r.pk for r in requests]).values_list("pk", "status")
    )
    for pk, outcome in outcomes.items():
        expected = (
            AidRequestStatus.APPROVED if outcome == "approved" else AidRequestStatus.SUBMITTED
        )
        assert statuses[pk] == expected
    assert AidDecision.objects.filter(aid_request__in=requests).count() == fits
