"""Payments, idempotent POSTs, recovery of advances and repayments."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from core.errors import ApplicationError
from core.models import AuditAction, AuditEvent
from programs import services
from programs.idempotency import request_fingerprint
from programs.models import (
    AidRequestStatus,
    IdempotencyKey,
    IdempotencyState,
    Payment,
    Recovery,
    RecoveryStatus,
    Repayment,
)

pytestmark = pytest.mark.django_db

PAYMENTS = "/api/v1/payments/"
RECOVERIES = "/api/v1/recoveries/"
REPAYMENTS = "/api/v1/repayments/"


def payment_body(aid_request, amount="500.00", **overrides):
    return {
        "aid_request": str(aid_request.pk),
        "amount": amount,
        "payment_method": "supplier_invoice",
        "reference": "INV-2231",
        **overrides,
    }


@pytest.fixture
def officer(client_for, staff):
    return client_for(staff["north-officer"])


@pytest.fixture
def advance(approved_request):
    """An approved recoverable advance of NZD 500.00, repaid at NZD 50.00 a fortnight."""
    return approved_request(
        "500.00",
        is_recoverable=True,
        repayment_instalment=Decimal("50.00"),
        repayment_frequency="fortnightly",
        category="accommodation",
    )


# ---- paying ------------------------------------------------------------------------------------


def test_paying_moves_the_amount_from_committed_to_paid(officer, approved_request, budget):
    aid_request = approved_request("500.00")

    response = officer.post(PAYMENTS, payment_body(aid_request))

    assert response.status_code == 201, response.json()
    assert response.json()["amount"] == "500.00"
    assert response.json()["approved_amount"] == "500.00"
    aid_request.refresh_from_db()
    assert aid_request.status == AidRequestStatus.PAID
    budget.refresh_from_db()
    assert (budget.committed, budget.paid, budget.available) == (
        Decimal("0.00"),
        Decimal("500.00"),
        Decimal("9500.00"),
    )
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="programs.payment"
    ).exists()


def test_paying_less_than_approved_frees_the_rest(officer, approved_request, budget):
    aid_request = approved_request("500.00")

    officer.post(PAYMENTS, payment_body(aid_request, amount="420.10"))

    budget.refresh_from_db()
    assert (budget.committed, budget.paid) == (Decimal("0.00"), Decimal("420.10"))
    assert budget.available == Decimal("9579.90")


def test_paying_more_than_approved_is_refused(officer, approved_request, budget):
    aid_request = approved_request("500.00")

    response = officer.post(PAYMENTS, payment_body(aid_request, amount="500.01"))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "over_approved_amount"
    budget.refresh_from_db()
    assert (budget.committed, budget.paid) == (Decimal("500.00"), Decimal("0.00"))
    assert not Payment.objects.exists()


def test_paying_a_declined_request_is_an_illegal_transition(officer, make_request, staff):
    aid_request = make_request()
    services.aid_request_decline(
        actor=staff["north-senior-officer"], aid_request=aid_request, reason="No."
    )

    response = officer.post(PAYMENTS, payment_body(aid_request))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "illegal_transition"


def test_paying_twice_is_refused(officer, approved_request):
    aid_request = approved_request()
    officer.post(PAYMENTS, payment_body(aid_request))

    response = officer.post(PAYMENTS, payment_body(aid_request))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "illegal_transition"
    assert Payment.objects.count() == 1


def test_caseworker_cannot_record_a_payment(client_for, staff, approved_request):
    response = client_for(staff["north-caseworker"]).post(
        PAYMENTS, payment_body(approved_request())
    )

    assert response.status_code == 403


def test_other_agency_officer_cannot_pay(client_for, staff, approved_request):
    response = client_for(staff["south-officer"]).post(PAYMENTS, payment_body(approved_request()))

    assert response.status_code == 400
    assert "aid_request" in response.json()["error"]["fields"]


@pytest.mark.parametrize("amount", ["0", "-1.00", "1.001", "abc"])
def test_bad_payment_amounts_are_400(officer, approved_request, amount):
    response = officer.post(PAYMENTS, payment_body(approved_request(), amount=amount))

    assert response.status_code == 400
    assert "amount" in response.json()["error"]["fields"]


def test_payments_list_is_scoped_and_query_count_is_flat(
    client_for, staff, approved_request, list_queries
):
    for n in range(11):
        services.payment_record(
            actor=staff["north-senior-officer"],
            aid_request=approved_request(f"{20 + n}.00"),
            amount=Decimal(f"{20 + n}.00"),
            method="direct_credit",
        )
    officer = client_for(staff["north-officer"])

    assert officer.get(PAYMENTS).json()["count"] == 11
    assert client_for(staff["south-officer"]).get(PAYMENTS).json()["count"] == 0
    assert client_for(staff["north-caseworker2"]).get(PAYMENTS).json()["count"] == 0
    assert list_queries(officer, PAYMENTS, 2) == list_queries(officer, PAYMENTS, 10)


# ---- Idempotency-Key ---------------------------------------------------------------------------


def test_same_key_and_body_pays_once_and_replays_the_first_response(officer, approved_request):
    aid_request = approved_request()
    body = payment_body(aid_request)

    first = officer.post(PAYMENTS, body, HTTP_IDEMPOTENCY_KEY="pay-7f3a")
    second = officer.post(PAYMENTS, body, HTTP_IDEMPOTENCY_KEY="pay-7f3a")

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotency-Replayed"] == "true"
    assert Payment.objects.count() == 1


def test_same_key_with_a_different_body_is_422(officer, approved_request):
    aid_request = approved_request()
    officer.post(PAYMENTS, payment_body(aid_request), HTTP_IDEMPOTENCY_KEY="pay-1")

    response = officer.post(
        PAYMENTS, payment_body(aid_request, amount="499.00"), HTTP_IDEMPOTENCY_KEY="pay-1"
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Payment.objects.get().amount == Decimal("500.00")


def test_key_still_in_progress_is_409(officer, approved_request, staff):
    aid_request = approved_request()
    body = payment_body(aid_request)
    now = timezone.now()
    IdempotencyKey.objects.create(
        actor=staff["north-officer"],
        key="pay-busy",
        method="POST",
        path=PAYMENTS,
        fingerprint=request_fingerprint("POST", PAYMENTS, body),
        state=IdempotencyState.IN_PROGRESS,
        created_at=now,
        locked_at=now,
        expires_at=now + timedelta(hours=24),
    )

    response = officer.post(PAYMENTS, body, HTTP_IDEMPOTENCY_KEY="pay-busy")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_in_progress"
    assert not Payment.objects.exists()


def test_failed_request_releases_its_key(officer, approved_request):
    aid_request = approved_request()

    refused = officer.post(
        PAYMENTS, payment_body(aid_request, amount="900.00"), HTTP_IDEMPOTENCY_KEY="pay-2"
    )
    retried = officer.post(
        PAYMENTS, payment_body(aid_request, amount="500.00"), HTTP_IDEMPOTENCY_KEY="pay-2"
    )

    assert refused.status_code == 400
    assert retried.status_code == 201
    assert Payment.objects.count() == 1


def test_keys_are_per_user_and_expire(client_for, staff, approved_request):
    first = approved_request()
    second = approved_request()
    client_for(staff["north-officer"]).post(
        PAYMENTS, payment_body(first), HTTP_IDEMPOTENCY_KEY="same"
    )

    other_user = client_for(staff["north-senior-officer"]).post(
        PAYMENTS, payment_body(second), HTTP_IDEMPOTENCY_KEY="same"
    )
    IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    after_expiry = client_for(staff["north-officer"]).post(
        PAYMENTS, payment_body(second), HTTP_IDEMPOTENCY_KEY="same"
    )

    assert other_user.status_code == 201
    # The key is free again, so the request runs: this request is already paid.
    assert after_expiry.status_code == 400
    assert after_expiry.json()["error"]["code"] == "illegal_transition"


def test_blank_or_oversized_key_is_400(officer, approved_request):
    aid_request = approved_request()

    assert (
        officer.post(PAYMENTS, payment_body(aid_request), HTTP_IDEMPOTENCY_KEY='""').status_code
        == 400
    )
    assert (
        officer.post(
            PAYMENTS, payment_body(aid_request), HTTP_IDEMPOTENCY_KEY="k" * 256
        ).status_code
        == 400
    )
    assert not Payment.objects.exists()


def test_structured_header_quotes_are_the_same_key(officer, approved_request):
    aid_request = approved_request()

    officer.post(PAYMENTS, payment_body(aid_request), HTTP_IDEMPOTENCY_KEY='"abc-123"')
    replay = officer.post(PAYMENTS, payment_body(aid_request), HTTP_IDEMPOTENCY_KEY="abc-123")

    assert replay.status_code == 201
    assert Payment.objects.count() == 1


# ---- recovery ----------------------------------------------------------------------------------


def test_paying_an_advance_opens_a_recovery_with_a_schedule(officer, advance, client_for, staff):
    paid_on = timezone.localdate()
    officer.post(PAYMENTS, payment_body(advance, paid_on=paid_on.isoformat()))

    recovery = Recovery.objects.get(aid_request=advance)
    body = officer.get(f"{RECOVERIES}{recovery.pk}/").json()
    schedule = officer.get(f"{RECOVERIES}{recovery.pk}/schedule/").json()

    assert body["principal"] == "500.00"
    assert body["balance"] == "500.00"
    assert body["repayment_frequency"] == "fortnightly"
    assert schedule["count"] == 10
    assert schedule["results"][0]["due_on"] == (paid_on + timedelta(weeks=2)).isoformat()
    assert {row["amount"] for row in schedule["results"]} == {"50.00"}
    caseworker_view = client_for(staff["north-caseworker"]).get(f"{RECOVERIES}{recovery.pk}/")
    assert caseworker_view.status_code == 200


def test_repayments_reduce_the_balance_until_repaid(officer, advance, staff):
    services.payment_record(
        actor=staff["north-officer"],
        aid_request=advance,
        amount=Decimal("500.00"),
        method="direct_credit",
    )
    recovery = Recovery.objects.get(aid_request=advance)

    for amount in ("0.10", "0.20", "199.70"):
        response = officer.post(
            REPAYMENTS,
            {"recovery": str(recovery.pk), "amount": amount, "repayment_method": "deduction"},
        )
        assert response.status_code == 201, response.json()
    recovery.refresh_from_db()
    assert recovery.repaid == Decimal("200.00")
    assert recovery.balance == Decimal("300.00")

    officer.post(
        REPAYMENTS,
        {"recovery": str(recovery.pk), "amount": "300.00", "repayment_method": "cash"},
    )
    recovery.refresh_from_db()
    assert recovery.balance == Decimal("0.00")
    assert recovery.status == RecoveryStatus.REPAID


def test_overpayment_is_refused_with_the_balance(officer, advance, staff):
    services.payment_record(
        actor=staff["north-officer"],
        aid_request=advance,
        amount=Decimal("500.00"),
        method="direct_credit",
    )
    recovery = Recovery.objects.get(aid_request=advance)
    services.repayment_record(
        actor=staff["north-officer"], recovery=recovery, amount=Decimal("450.00"), method="cash"
    )

    response = officer.post(
        REPAYMENTS,
        {"recovery": str(recovery.pk), "amount": "50.01", "repayment_method": "cash"},
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "overpayment"
    assert "NZD 50.00" in response.json()["error"]["message"]
    recovery.refresh_from_db()
    assert recovery.repaid == Decimal("450.00")
    assert Repayment.objects.count() == 1


def test_repaid_recovery_takes_no_more_money(advance, staff):
    services.payment_record(
        actor=staff["north-officer"],
        aid_request=advance,
        amount=Decimal("500.00"),
        method="direct_credit",
    )
    recovery = Recovery.objects.get(aid_request=advance)
    services.repayment_record(
        actor=staff["north-officer"], recovery=recovery, amount=Decimal("500.00"), method="cash"
    )

    with pytest.raises(ApplicationError) as exc:
        services.repayment_record(
            actor=staff["north-officer"], recovery=recovery, amount=Decimal("0.01"), method="cash"
        )

    assert exc.value.code == "recovery_closed"


def test_grants_open_no_recovery(officer, approved_request):
    officer.post(PAYMENTS, payment_body(approved_request()))

    assert not Recovery.objects.exists()


def test_caseworker_cannot_record_repayments(client_for, staff, advance):
    services.payment_record(
        actor=staff["north-officer"],
        aid_request=advance,
        amount=Decimal("500.00"),
        method="direct_credit",
    )
    recovery = Recovery.objects.get()

    response = client_for(staff["north-caseworker"]).post(
        REPAYMENTS, {"recovery": str(recovery.pk), "amount": "10.00", "repayment_method": "cash"}
    )

    assert response.status_code == 403


def test_balance_owing_per_client(officer, client_for, staff, approved_request, led_case):
    case = led_case(staff["north-caseworker"])
    plan = {
        "is_recoverable": True,
        "repayment_instalment": Decimal("20.00"),
        "repayment_frequency": "weekly",
    }
    for amount in ("300.00", "150.50"):
        aid_request = approved_request(amount, case=case, **plan)
        services.payment_record(
            actor=staff["north-officer"],
            aid_request=aid_request,
            amount=Decimal(amount),
            method="payment_card",
        )
    recovery = Recovery.objects.filter(client=case.client).order_by("principal").first()
    services.repayment_record(
        actor=staff["north-officer"], recovery=recovery, amount=Decimal("40.25"), method="deduction"
    )

    body = officer.get(f"{RECOVERIES}balances/", {"client": str(case.client_id)}).json()

    assert body["count"] == 1
    row = body["results"][0]
    assert row["client"] == str(case.client_id)
    assert row["recoveries"] == 2
    assert (row["principal_total"], row["repaid_total"], row["balance"]) == (
        "450.50",
        "40.25",
        "410.25",
    )
    south = client_for(staff["south-officer"]).get(f"{RECOVERIES}balances/").json()
    assert south["count"] == 0


def test_idempotent_repayment(officer, advance, staff):
    services.payment_record(
        actor=staff["north-officer"],
        aid_request=advance,
        amount=Decimal("500.00"),
        method="direct_credit",
    )
    body = {
        "recovery": str(Recovery.objects.get().pk),
        "amount": "25.00",
        "repayment_method": "deduction",
    }

    first = officer.post(REPAYMENTS, body, HTTP_IDEMPOTENCY_KEY="r-1")
    second = officer.post(REPAYMENTS, body, HTTP_IDEMPOTENCY_KEY="r-1")

    assert first.json() == second.json()
    assert Repayment.objects.count() == 1
    assert Recovery.objects.get().repaid == Decimal("25.00")


def test_repayments_list_query_count_is_flat(client_for, staff, advance, list_queries):
    services.payment_record(
        actor=staff["north-officer"],
        aid_request=advance,
        amount=Decimal("500.00"),
        method="direct_credit",
    )
    recovery = Recovery.objects.get()
    for _ in range(11):
        services.repayment_record(
            actor=staff["north-officer"], recovery=recovery, amount=Decimal("1.00"), method="cash"
        )
    officer = client_for(staff["north-officer"])

    assert list_queries(officer, REPAYMENTS, 2) == list_queries(officer, REPAYMENTS, 10)


def test_abandoned_in_progress_key_is_taken_over(officer, approved_request, staff, settings):
    settings.IDEMPOTENCY_STALE_SECONDS = 60
    aid_request = approved_request()
    body = payment_body(aid_request)
    long_ago = timezone.now() - timedelta(minutes=5)
    IdempotencyKey.objects.create(
        actor=staff["north-officer"],
        key="pay-dead",
        method="POST",
        path=PAYMENTS,
        fingerprint=request_fingerprint("POST", PAYMENTS, body),
        state=IdempotencyState.IN_PROGRESS,
        created_at=long_ago,
        locked_at=long_ago,
        expires_at=long_ago + timedelta(hours=24),
    )

    response = officer.post(PAYMENTS, body, HTTP_IDEMPOTENCY_KEY="pay-dead")

    assert response.status_code == 201
    assert IdempotencyKey.objects.get(key="pay-dead").state == IdempotencyState.DONE


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_pay_once(approved_request, staff):
    aid_request = approved_request()
    body = payment_body(aid_request)
    start = threading.Barrier(6)
    statuses = []

    def post():
        try:
            client = APIClient()
            client.force_authenticate(staff["north-officer"])
            start.wait(timeout=30)
            statuses.append(client.post(PAYMENTS, body, HTTP_IDEMPOTENCY_KEY="race").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(statuses) == 6
    assert set(statuses) <= {201, 409}
    assert 201 in statuses
    assert Payment.objects.filter(aid_request=aid_request).count() == 1
