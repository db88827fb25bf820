"""Employment dates and rates as pure functions: check-in due dates and the minimum wage in force.

Nothing here touches the database, so the rules are tested on their own.
"""

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Sustained-work milestones: weeks after the placement started (MSD reports 13 and 26 weeks off
# benefit as "sustained"; 4 weeks catches early drop-out while support can still help).
CHECK_IN_WEEKS: tuple[int, ...] = (4, 13, 26)

DEFAULT_MINIMUM_WAGE_SCHEDULE = "2024-04-01=23.15,2025-04-01=23.50,2026-04-01=23.95"


def check_in_due_dates(start_on: date, weeks: Iterable[int] = CHECK_IN_WEEKS) -> dict[int, date]:
    """The due date of each check-in: exactly `weeks` × 7 days after `start_on`.

    Whole weeks, not months: a placement starting on a Monday is checked on a
    Monday, and month ends and 29 February need no special case.
    """
    return {w: start_on + timedelta(weeks=w) for w in weeks}


def parse_minimum_wage_schedule(value: str | Sequence) -> list[tuple[date, Decimal]]:
    """Read ``"2024-04-01=23.15,2025-04-01=23.50"`` (or pairs) into sorted (effective_from, rate).

    Raises ImproperlyConfigured on anything malformed: a wrong rate must stop
    the service, not quietly approve wages below the law.
    """
    if isinstance(value, str):
        pairs = [item.split("=", 1) for item in value.replace(";", ",").split(",") if item.strip()]
    else:
        pairs = [list(item) for item in value]
    schedule: dict[date, Decimal] = {}
    for pair in pairs:
        if len(pair) != 2:
            raise ImproperlyConfigured(f"EMPLOYMENT_MINIMUM_WAGE_SCHEDULE: bad entry {pair!r}.")
        day, rate = pair
        try:
            effective = day if isinstance(day, date) else date.fromisoformat(str(day).strip())
            amount = Decimal(str(rate).strip())
        except (ValueError, InvalidOperation) as exc:
            raise ImproperlyConfigured(
                f"EMPLOYMENT_MINIMUM_WAGE_SCHEDULE: bad entry {pair!r}."
            ) from exc
        if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
            raise ImproperlyConfigured(
                f"EMPLOYMENT_MINIMUM_WAGE_SCHEDULE: bad rate {rate!r} (dollars and cents)."
            )
        schedule[effective] = amount
    if not schedule:
        raise ImproperlyConfigured("EMPLOYMENT_MINIMUM_WAGE_SCHEDULE is empty.")
    return sorted(schedule.items())


def minimum_wage_schedule() -> list[tuple[date, Decimal]]:
    """The configured schedule (setting EMPLOYMENT_MINIMUM_WAGE_SCHEDULE), oldest first."""
    return parse_minimum_wage_schedule(
        getattr(settings, "EMPLOYMENT_MINIMUM_WAGE_SCHEDULE", DEFAULT_MINIMUM_WAGE_SCHEDULE)
    )


def minimum_wage_on(day: date) -> tuple[date, Decimal] | None:
    """The adult minimum hourly wage in force on `day` and the date it took effect.

    None when `day` is before the first rate the schedule knows.
    """
    in_force = None
    for effective, rate in minimum_wage_schedule():
        if effective <= day:
            in_force = (effective, rate)
        else:
            break
    return in_force
