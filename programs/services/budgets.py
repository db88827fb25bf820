"""Moving money inside a budget: commit on approval, release on cancellation, settle on payment.

These are building blocks of the aid and payment services and run inside
their transactions; they check no actor. Each is one conditional UPDATE, so
the check and the change are a single atomic statement on every database:
PostgreSQL re-evaluates the WHERE clause against the latest committed row
after waiting for a concurrent writer's lock, and SQLite (IMMEDIATE
transactions) runs one writer at a time. The budget's check constraint is the
last line of defence (docs/adr/0005-budget-commitment.md).
"""

from datetime import date
from decimal import Decimal

from django.db.models import F, Q
from django.db.models.lookups import GreaterThanOrEqual

from core.errors import ApplicationError
from core.models import Agency
from core.nz.fiscal import fiscal_year_label, fiscal_year_of
from programs.models import Budget, Programme, rounded_money, whole_cents
from programs.money import format_nzd


def budget_for(*, programme: Programme, agency: Agency, on: date) -> Budget:
    """The budget aid for `agency` under `programme` is drawn from on day `on`.

    That is the budget of the fiscal year containing `on`: the agency's own if
    it has one, otherwise the programme-wide one. Raises ApplicationError
    (`no_budget`) when there is neither.
    """
    fiscal_year = fiscal_year_of(on)
    budget = (
        Budget.objects.filter(programme=programme, fiscal_year=fiscal_year)
        .filter(Q(agency=agency) | Q(agency__isnull=True))
        .order_by(F("agency").asc(nulls_last=True))
        .first()
    )
    if budget is None:
        label = fiscal_year_label(fiscal_year)
        raise ApplicationError(
            f"{programme.name} has no budget for {label}, so nothing can be approved against it.",
            code="no_budget",
        )
    return budget


def budget_commit(*, budget: Budget, amount: Decimal) -> Budget:
    """Commit `amount` against `budget` if that much is still available; return the row after.

    One statement: ``UPDATE … SET committed = committed + amount WHERE id = …
    AND allocated - committed - paid >= amount``. No row updated means the
    money is not there: ApplicationError `over_budget`, naming what is
    available, and nothing has changed.
    """
    updated = (
        Budget.objects.filter(pk=budget.pk)
        .filter(
            GreaterThanOrEqual(
                whole_cents(F("allocated") - F("committed") - F("paid")), _cents(amount)
            )
        )
        .update(committed=rounded_money(F("committed") + amount))
    )
    current = Budget.objects.select_related("programme").get(pk=budget.pk)
    if not updated:
        raise ApplicationError(
            f"Over budget: the {current.fiscal_year_label} budget of {current.programme.name} "
            f"has {format_nzd(current.available)} available and this request is for "
            f"{format_nzd(amount)}.",
            code="over_budget",
            fields={"amount": [f"Only {format_nzd(current.available)} is available."]},
        )
    return current


def budget_release(*, budget: Budget, amount: Decimal) -> Budget:
    """Give a cancelled approval's `amount` back to `budget`; return the row after."""
    updated = (
        Budget.objects.filter(pk=budget.pk)
        .filter(GreaterThanOrEqual(whole_cents(F("committed")), _cents(amount)))
        .update(committed=rounded_money(F("committed") - amount))
    )
    if not updated:
        # A release larger than the commitment means the books disagree: stop, don't guess.
        raise ApplicationError(
            "The budget does not hold this commitment.", code="budget_inconsistent"
        )
    return Budget.objects.get(pk=budget.pk)


def budget_settle(*, budget: Budget, committed: Decimal, paid: Decimal) -> Budget:
    """Turn a commitment into a payment: `committed` leaves the commitment, `paid` is spent.

    `paid` may be less than `committed` (the payment came in under the
    approval); the difference becomes available again. Returns the row after.
    """
    if paid > committed:
        raise ApplicationError(
            "A payment cannot be more than the approved amount.", code="over_approved_amount"
        )
    updated = (
        Budget.objects.filter(pk=budget.pk)
        .filter(GreaterThanOrEqual(whole_cents(F("committed")), _cents(committed)))
        .update(
            committed=rounded_money(F("committed") - committed),
            paid=rounded_money(F("paid") + paid),
        )
    )
    if not updated:
        raise ApplicationError(
            "The budget does not hold this commitment.", code="budget_inconsistent"
        )
    return Budget.objects.get(pk=budget.pk)


def budget_position(budget: Budget) -> dict[str, str]:
    """The budget's figures as exact strings, for frozen decision facts and audit events."""
    return {
        "allocated": str(budget.allocated),
        "committed": str(budget.committed),
        "paid": str(budget.paid),
        "available": str(budget.available),
    }


def budget_decision_facts(before: Budget, after: Budget) -> dict:
    """The budget part of an aid decision's frozen facts: the budget, its figures either side."""
    return {
        "id": str(after.pk),
        "fiscal_year": after.fiscal_year_label,
        "scope": "agency" if after.agency_id else "programme",
        "before": budget_position(before),
        "after": budget_position(after),
    }


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())
