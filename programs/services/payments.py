"""Writes for paying approved aid and recovering advances."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.db.models.lookups import GreaterThanOrEqual
from django.http import Http404
from django.utils import timezone

from core.audit import audit_record
from core.errors import ApplicationError
from core.models import AuditAction, User
from programs import workflow
from programs.models import (
    AidRequest,
    AidRequestStatus,
    Budget,
    Payment,
    PaymentMethod,
    Recovery,
    RecoveryStatus,
    Repayment,
    RepaymentMethod,
    rounded_money,
    whole_cents,
)
from programs.money import clean_money, format_nzd
from programs.repayment_schedule import next_due
from programs.selectors.aid import aid_request_visibility
from programs.services.aid import (
    apply_transition,
    check_separation_of_duties,
    is_deciding_officer,
    lock_aid_request,
)
from programs.services.budgets import budget_settle
from programs.services.common import require_perm


@transaction.atomic
def payment_record(
    *,
    actor: User,
    aid_request: AidRequest,
    amount: Decimal,
    method: str,
    reference: str = "",
    paid_on: date | None = None,
    at: datetime | None = None,
) -> Payment:
    """Record the payment of an approved request; the request becomes paid.

    The actor is a program officer of the request's agency (403 otherwise; 404
    if they may not see it) who neither raised it nor leads its case. The
    request must be approved (400 `illegal_transition`) and the amount at most
    the approved amount (400 `over_approved_amount`). The approved amount
    leaves the budget's commitment and the amount paid joins `paid`; anything
    approved but not paid becomes available again. A recoverable advance
    opens a Recovery on its repayment plan. Audited.
    """
    require_perm(actor, "programs.add_payment", "Only program officers record payments.")
    at = at or timezone.now()
    aid_request = lock_aid_request(actor, aid_request)
    if not is_deciding_officer(actor, aid_request):
        raise PermissionDenied("Only program officers of the request's agency record payments.")
    workflow.check_transition(aid_request, AidRequestStatus.PAID)
    check_separation_of_duties(actor, aid_request, "pay")
    amount = clean_money(amount, field="amount")
    if amount > aid_request.amount:
        raise ApplicationError(
            f"The payment of {format_nzd(amount)} is more than the approved "
            f"{format_nzd(aid_request.amount)}.",
            code="over_approved_amount",
            fields={"amount": [f"At most {format_nzd(aid_request.amount)}."]},
        )
    if method not in PaymentMethod.values:
        raise ApplicationError("Choose a payment method.", fields={"method": ["Unknown method."]})
    paid_on = paid_on or timezone.localdate(at)
    if aid_request.decided_at and paid_on < timezone.localdate(aid_request.decided_at):
        raise ApplicationError(
            "A payment cannot be dated before its approval.",
            fields={"paid_on": ["Before the approval date."]},
        )

    budget = Budget.objects.get(pk=aid_request.budget_id)
    after = budget_settle(budget=budget, committed=aid_request.amount, paid=amount)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=after,
        agency=aid_request.agency,
        changes={
            "committed": {
                "old": str(after.committed + aid_request.amount),
                "new": str(after.committed),
            },
            "paid": {"old": str(after.paid - amount), "new": str(after.paid)},
            "aid_request": str(aid_request.pk),
        },
    )
    payment = Payment.objects.create(
        agency_id=aid_request.agency_id,
        aid_request=aid_request,
        amount=amount,
        method=method,
        reference=reference.strip(),
        paid_on=paid_on,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=payment,
        changes={
            "aid_request": str(aid_request.pk),
            "amount": str(amount),
            "method": method,
            "paid_on": paid_on.isoformat(),
        },
    )
    if aid_request.is_recoverable:
        _open_recovery(actor, aid_request, principal=amount, paid_on=paid_on)
    apply_transition(
        actor=actor,
        aid_request=aid_request,
        to_status=AidRequestStatus.PAID,
        at=at,
        reason=f"Paid {format_nzd(amount)} by {PaymentMethod(method).label.lower()}.",
    )
    return payment


@transaction.atomic
def repayment_record(
    *,
    actor: User,
    recovery: Recovery,
    amount: Decimal,
    method: str,
    received_on: date | None = None,
    reference: str = "",
) -> Repayment:
    """Record money received against an advance; the balance owing goes down by `amount`.

    The actor is a program officer of the recovery's agency. An amount above
    the balance is refused (400 `overpayment`, naming the balance), checked
    and applied in one conditional UPDATE; the recovery is marked repaid when
    the balance reaches zero. Raises 400 `recovery_closed` for a repaid
    advance. Audited.
    """
    require_perm(actor, "programs.add_repayment", "Only program officers record repayments.")
    locked = (
        Recovery.objects.select_for_update(of=("self",))
        .filter(aid_request_visibility(actor, prefix="aid_request__"))
        .filter(pk=recovery.pk)
        .first()
    )
    if locked is None:
        raise Http404("No such recovery.")
    recovery = locked
    if actor.agency_id != recovery.agency_id:
        raise PermissionDenied("Only program officers of the agency record repayments.")
    if recovery.status != RecoveryStatus.ACTIVE:
        raise ApplicationError(
            "This advance is already repaid.",
            code="recovery_closed",
        )
    amount = clean_money(amount, field="amount")
    if method not in RepaymentMethod.values:
        raise ApplicationError(
            "Choose how the money was received.", fields={"method": ["Unknown method."]}
        )
    cents = int(amount * 100)
    updated = (
        Recovery.objects.filter(pk=recovery.pk)
        .filter(GreaterThanOrEqual(whole_cents(F("principal") - F("repaid")), cents))
        .update(repaid=rounded_money(F("repaid") + amount), updated_at=timezone.now())
    )
    old_repaid = recovery.repaid
    recovery.refresh_from_db()
    if not updated:
        raise ApplicationError(
            f"Overpayment: {format_nzd(recovery.balance)} is owing, less than "
            f"{format_nzd(amount)}.",
            code="overpayment",
            fields={"amount": [f"At most {format_nzd(recovery.balance)}."]},
        )
    changes = {"repaid": {"old": str(old_repaid), "new": str(recovery.repaid)}}
    if recovery.balance == 0:
        recovery.status = RecoveryStatus.REPAID
        recovery.save(update_fields=["status", "updated_at"])
        changes["status"] = {"old": RecoveryStatus.ACTIVE, "new": RecoveryStatus.REPAID}
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=recovery, changes=changes)
    repayment = Repayment.objects.create(
        agency_id=recovery.agency_id,
        recovery=recovery,
        amount=amount,
        received_on=received_on or timezone.localdate(),
        method=method,
        reference=reference.strip(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=repayment,
        changes={
            "recovery": str(recovery.pk),
            "amount": str(amount),
            "method": method,
            "received_on": repayment.received_on.isoformat(),
        },
    )
    return repayment


def _open_recovery(actor: User, aid_request: AidRequest, *, principal: Decimal, paid_on: date):
    recovery = Recovery.objects.create(
        agency_id=aid_request.agency_id,
        aid_request=aid_request,
        client_id=aid_request.client_id,
        principal=principal,
        instalment=min(aid_request.repayment_instalment, principal),
        frequency=aid_request.repayment_frequency,
        first_due_on=aid_request.repayment_start_on
        or next_due(paid_on, aid_request.repayment_frequency),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=recovery,
        changes={
            "aid_request": str(aid_request.pk),
            "principal": str(principal),
            "instalment": str(recovery.instalment),
            "frequency": recovery.frequency,
            "first_due_on": recovery.first_due_on.isoformat(),
        },
    )
    return recovery
