"""Employment rules as pure functions: check-in due dates, the minimum wage schedule, NZBNs."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from casework.workflow import TransitionRefused
from programs.employment_schedule import (
    check_in_due_dates,
    minimum_wage_on,
    parse_minimum_wage_schedule,
)
from programs.employment_workflow import (
    check_placement_transition,
    placement_allowed_transitions,
)
from programs.services.employment import nzbn_is_valid


class _Placement:
    def __init__(self, status):
        self.status = status


def test_check_ins_fall_due_4_13_and_26_weeks_after_the_start():
    assert check_in_due_dates(date(2026, 3, 2)) == {
        4: date(2026, 3, 30),
        13: date(2026, 6, 1),
        26: date(2026, 8, 31),
    }


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # Month ends: whole weeks carry over into the next month.
        (date(2025, 1, 31), {4: date(2025, 2, 28), 13: date(2025, 5, 2), 26: date(2025, 8, 1)}),
        (date(2025, 12, 31), {4: date(2026, 1, 28), 13: date(2026, 4, 1), 26: date(2026, 7, 1)}),
        # Leap years: 29 February is a day like any other.
        (date(2024, 2, 1), {4: date(2024, 2, 29), 13: date(2024, 5, 2), 26: date(2024, 8, 1)}),
        (date(2024, 2, 29), {4: date(2024, 3, 28), 13: date(2024, 5, 30), 26: date(2024, 8, 29)}),
        (date(2027, 12, 3), {4: date(2027, 12, 31), 13: date(2028, 3, 3), 26: date(2028, 6, 2)}),
        (date(2028, 1, 4), {4: date(2028, 2, 1), 13: date(2028, 4, 4), 26: date(2028, 7, 4)}),
        (date(2028, 2, 1), {4: date(2028, 2, 29), 13: date(2028, 5, 2), 26: date(2028, 8, 1)}),
        # Not a leap year: 28 days after 1 February 2025 is 1 March.
        (date(2025, 2, 1), {4: date(2025, 3, 1), 13: date(2025, 5, 3), 26: date(2025, 8, 2)}),
    ],
)
def test_check_in_due_dates_across_month_ends_and_leap_years(start, expected):
    assert check_in_due_dates(start) == expected
    # Always the same weekday as the start.
    assert {d.weekday() for d in expected.values()} == {start.weekday()}


def test_minimum_wage_in_force_changes_on_its_effective_date():
    assert minimum_wage_on(date(2024, 3, 31)) is None
    assert minimum_wage_on(date(2024, 4, 1)) == (date(2024, 4, 1), Decimal("23.15"))
    assert minimum_wage_on(date(2025, 3, 31)) == (date(2024, 4, 1), Decimal("23.15"))
    assert minimum_wage_on(date(2025, 4, 1)) == (date(2025, 4, 1), Decimal("23.50"))
    assert minimum_wage_on(date(2026, 3, 31)) == (date(2025, 4, 1), Decimal("23.50"))
    assert minimum_wage_on(date(2026, 4, 1)) == (date(2026, 4, 1), Decimal("23.95"))
    assert minimum_wage_on(date(2030, 1, 1)) == (date(2026, 4, 1), Decimal("23.95"))


def test_minimum_wage_schedule_is_configurable(settings):
    settings.EMPLOYMENT_MINIMUM_WAGE_SCHEDULE = "2027-04-01=24.80, 2024-04-01=23.15"
    assert minimum_wage_on(date(2027, 4, 1)) == (date(2027, 4, 1), Decimal("24.80"))
    assert minimum_wage_on(date(2027, 3, 31)) == (date(2024, 4, 1), Decimal("23.15"))


@pytest.mark.parametrize(
    "value", ["", "2024-04-01", "2024-13-01=23.15", "2024-04-01=abc", "2024-04-01=23.151", "x=-1"]
)
def test_malformed_minimum_wage_schedule_is_refused(value):
    with pytest.raises(ImproperlyConfigured):
        parse_minimum_wage_schedule(value)


def test_nzbn_check_digit():
    # GS1 modulus 10 over 942904153501 (weights 3, 1 from the right): 99 → check digit 1.
    assert nzbn_is_valid("9429041535011")
    assert not nzbn_is_valid("9429041535013")
    assert not nzbn_is_valid("1429041535011")  # not a New Zealand number (94…)
    assert not nzbn_is_valid("942904153501")  # 12 digits
    assert not nzbn_is_valid("94290415350a3")


def test_placement_moves_follow_the_table():
    assert placement_allowed_transitions(_Placement("offered")) == ("started", "withdrawn")
    assert placement_allowed_transitions(_Placement("started")) == ("ended",)
    assert placement_allowed_transitions(_Placement("ended")) == ()
    check_placement_transition(_Placement("offered"), "started")
    check_placement_transition(_Placement("started"), "ended", end_reason="resigned")


@pytest.mark.parametrize(
    ("source", "target", "context", "code"),
    [
        ("offered", "ended", {"end_reason": "resigned"}, "illegal_transition"),
        ("ended", "started", {}, "illegal_transition"),
        ("withdrawn", "started", {}, "illegal_transition"),
        ("started", "ended", {}, "end_reason_required"),
        ("started", "ended", {"end_reason": "bored"}, "end_reason_required"),
        ("offered", "withdrawn", {"reason": "  "}, "reason_required"),
    ],
)
def test_placement_moves_outside_the_table_or_without_reasons_are_refused(
    source, target, context, code
):
    with pytest.raises(TransitionRefused) as refused:
        check_placement_transition(_Placement(source), target, **context)
    assert refused.value.code == code
