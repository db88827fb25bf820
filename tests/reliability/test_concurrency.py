"""Races on PostgreSQL: the same decision, payment or reassignment at once; nothing doubled or lost.

Every test starts its threads on a barrier so the requests really overlap, and
then checks the database, not just the answers: one decision, one payment,
the grants following exactly one lead caseworker, the budget within bounds.
"""

import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from casework.models import CaseUserObjectPermission, ClientUserObjectPermission
from casework.services.cases import case_assign
from core.errors import ApplicationError
from programs import services
from programs.models import (
    AidDecision,
    AidRequest,
    AidRequestStatus,
    Budget,
    IdempotencyKey,
    Payment,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(*calls, timeout=120):
    """Run each call in its own thread, started together; return their outcomes in order.

    An outcome is the call's return value, an ApplicationError's code, or the
    repr of any other exception (which the tests treat as a failure).
    """
    start = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            start.wait(timeout=30)
            outcomes[index] = call()
        except ApplicationError as exc:
            outcomes[index] = exc.code
        except Exception as exc:  # noqa: BLE001 - any other failure is what these tests hunt
            outcomes[index] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return outcomes


def test_two_officers_approving_the_same_request_one_wins(
    staff, make_staff, submitted_request, budget
):
    aid_request = submitted_request("750.00")
    agency = staff["north-officer"].agency
    officers = [make_staff(agency, "program_officer", username=f"approver-{n}") for n in range(2)]

    outcomes = run_together(
        *(
            lambda officer=officer: services.aid_request_approve(
                actor=officer, aid_request=aid_request
            ).status
            for officer in officers
        )
    )

    assert sorted(outcomes) == ["approved", "illegal_transition"], outcomes
    assert AidRequest.objects.get(pk=aid_request.pk).status == AidRequestStatus.APPROVED
    assert AidDecision.objects.filter(aid_request=aid_request).count() == 1
    budget = Budget.objects.get(pk=budget.pk)
    assert budget.committed == Decimal("750.00")


def test_approve_and_decline_at_once_leave_one_decision(
    staff, make_staff, submitted_request, budget
):
    aid_request = submitted_request("300.00")
    agency = staff["north-officer"].agency
    approver, decliner = (
        make_staff(agency, "program_officer", username=f"decider-{n}") for n in range(2)
    )

    outcomes = run_together(
        lambda: services.aid_request_approve(actor=approver, aid_request=aid_request).status,
        lambda: services.aid_request_decline(
            actor=decliner, aid_request=aid_request, reason="Not eligible this year."
        ).status,
    )

    assert sorted(outcomes) in (
        ["approved", "illegal_transition"],
        ["declined", "illegal_transition"],
    ), outcomes
    final = AidRequest.objects.get(pk=aid_request.pk)
    assert AidDecision.objects.filter(aid_request=aid_request).count() == 1
    committed = Budget.objects.get(pk=budget.pk).committed
    assert committed == (Decimal("300.00") if final.status == "approved" else Decimal("0"))


def test_eight_payments_with_one_idempotency_key_pay_once(staff, submitted_request, budget):
    aid_request = submitted_request("640.00")
    services.aid_request_approve(actor=staff["north-officer"], aid_request=aid_request)
    officer = staff["north-senior-officer"]
    body = {
        "aid_request": str(aid_request.pk),
        "amount": "640.00",
        "payment_method": "supplier_invoice",
        "reference": "INV-4410",
    }

    def pay():
        api = APIClient()
        api.force_authenticate(user=officer)
        response = api.post("/api/v1/payments/", body, HTTP_IDEMPOTENCY_KEY="pay-once-4410")
        return response.status_code, response.headers.get("Idempotency-Replayed")

    outcomes = run_together(*([pay] * 8))

    statuses = Counter(status for status, _ in outcomes)
    # One created it; the others either replayed that answer or were told it was in progress.
    assert statuses[201] >= 1, outcomes
    assert set(statuses) <= {201, 409}, outcomes
    assert sum(1 for status, replayed in outcomes if status == 201 and not replayed) == 1
    assert Payment.objects.filter(aid_request=aid_request).count() == 1
    assert AidRequest.objects.get(pk=aid_request.pk).status == AidRequestStatus.PAID
    budget = Budget.objects.get(pk=budget.pk)
    assert budget.paid == Decimal("640.00")
    assert budget.committed + budget.paid <= budget.allocated
    assert IdempotencyKey.objects.count() == 1


def test_eight_payments_with_different_keys_still_pay_once(staff, submitted_request, budget):
    aid_request = submitted_request("220.00")
    services.aid_request_approve(actor=staff["north-officer"], aid_request=aid_request)
    officer = staff["north-senior-officer"]

    def pay(key):
        api = APIClient()
        api.force_authenticate(user=officer)
        body = {
            "aid_request": str(aid_request.pk),
            "amount": "220.00",
            "payment_method": "direct_credit",
        }
        return api.post("/api/v1/payments/", body, HTTP_IDEMPOTENCY_KEY=key).status_code

    outcomes = run_together(*(lambda n=n: pay(f"retry-{n}") for n in range(8)))

    assert outcomes.count(201) == 1, outcomes
    assert all(status in (201, 400, 409) for status in outcomes), outcomes
    assert Payment.objects.filter(aid_request=aid_request).count() == 1
    assert Budget.objects.get(pk=budget.pk).paid == Decimal("220.00")


def test_simultaneous_reassignment_leaves_one_lead_holding_the_grants(staff, make_staff, led_case):
    original = staff["north-caseworker"]
    lead = staff["north-lead"]
    agency = original.agency
    case = led_case(original)
    targets = [
        make_staff(agency, "caseworker", username=f"navigator-{n}", team=original.team)
        for n in range(2)
    ]

    outcomes = run_together(
        *(
            lambda target=target: str(
                case_assign(actor=lead, case=case, lead_caseworker=target).lead_caseworker_id
            )
            for target in targets
        )
    )

    assert all(outcome in {str(t.pk) for t in targets} for outcome in outcomes), outcomes
    case.refresh_from_db()
    assert case.lead_caseworker_id in {t.pk for t in targets}
    case_holders = set(
        CaseUserObjectPermission.objects.filter(content_object=case).values_list(
            "user_id", flat=True
        )
    )
    client_holders = set(
        ClientUserObjectPermission.objects.filter(content_object=case.client)
        .exclude(user=original)  # the registrant's own grant is not the case's business
        .values_list("user_id", flat=True)
    )
    assert case_holders == {case.lead_caseworker_id}
    assert client_holders == {case.lead_caseworker_id}


def test_many_approvals_across_officers_never_exceed_the_budget(
    staff, make_staff, submitted_request, programme
):
    from tests.programs.factories import BudgetFactory

    budget = BudgetFactory(programme=programme, allocated=Decimal("1000.00"))
    requests = [submitted_request("190.00") for _ in range(8)]
    agency = staff["north-officer"].agency
    officers = [make_staff(agency, "program_officer", username=f"bulk-{n}") for n in range(8)]

    outcomes = run_together(
        *(
            lambda officer=officer, aid_request=aid_request: services.aid_request_approve(
                actor=officer, aid_request=aid_request
            ).status
            for officer, aid_request in zip(officers, requests, strict=True)
        )
    )

    assert sorted(outcomes) == ["approved"] * 5 + ["over_budget"] * 3, outcomes
    budget = Budget.objects.get(pk=budget.pk)
    assert budget.committed == Decimal("950.00")
    assert budget.committed + budget.paid <= budget.allocated
