"""Repayment schedules of recoverable advances: due dates and instalments, in exact cents."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings

from programs.models import RepaymentFrequency


@dataclass(frozen=True)
class Instalment:
    number: int
    due_on: date
    amount: Decimal


def max_instalments() -> int:
    """The most instalments a plan may take (setting AID_REPAYMENT_MAX_INSTALMENTS, default 260).

    260 weekly instalments is five years; a longer plan is a typing mistake or
    an instalment too small to be a real plan.
    """
    return int(getattr(settings, "AID_REPAYMENT_MAX_INSTALMENTS", 260))


def instalment_count(principal: Decimal, instalment: Decimal) -> int:
    """How many instalments repay `principal` (the last one may be smaller)."""
    whole, rest = divmod(principal, instalment)
    return int(whole) + (1 if rest else 0)


def next_due(day: date, frequency: str, steps: int = 1) -> date:
    """The date `steps` periods after `day`; monthly keeps the day of month, clamped to its end."""
    if frequency == RepaymentFrequency.WEEKLY:
        return day + timedelta(weeks=steps)
    if frequency == RepaymentFrequency.FORTNIGHTLY:
        return day + timedelta(weeks=2 * steps)
    month_index = day.month - 1 + steps
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def repayment_schedule(
    *, principal: Decimal, instalment: Decimal, frequency: str, first_due_on: date
) -> list[Instalment]:
    """The instalments that repay `principal`: equal ones, then the remainder, summing exactly."""
    count = instalment_count(principal, instalment)
    schedule = []
    remaining = principal
    for number in range(count):
        amount = min(instalment, remaining)
        schedule.append(
            Instalment(
                number=number + 1,
                due_on=next_due(first_due_on, frequency, number),
                amount=amount,
            )
        )
        remaining -= amount
    return schedule
