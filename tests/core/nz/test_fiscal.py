"""Tests for NZ government financial years, reporting periods and week arithmetic."""

from datetime import date, datetime

import pytest

from core.nz.fiscal import (
    add_weeks_due,
    fiscal_year_bounds,
    fiscal_year_label,
    fiscal_year_of,
    parse_fiscal_year,
    parse_period,
)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 7, 1), 2025),
        (date(2025, 12, 31), 2025),
        (date(2026, 1, 1), 2025),
        (date(2026, 3, 31), 2025),  # tax year ends here; the financial year does not
        (date(2026, 4, 1), 2025),
        (date(2026, 6, 30), 2025),
        (date(2026, 7, 1), 2026),
        (date(2024, 2, 29), 2023),
        (datetime(2025, 6, 30, 23, 59), 2024),
    ],
)
def test_fiscal_year_of_runs_1_july_to_30_june(day, expected):
    assert fiscal_year_of(day) == expected


@pytest.mark.parametrize(
    ("start_year", "label"),
    [
        (2025, "2025/26"),
        (1999, "1999/00"),
        (2009, "2009/10"),
        (2099, "2099/00"),
    ],
)
def test_fiscal_year_label_round_trips(start_year, label):
    assert fiscal_year_label(start_year) == label
    assert parse_fiscal_year(label) == start_year


@pytest.mark.parametrize("start_year", [0, -1, 9999])
def test_fiscal_year_label_rejects_out_of_range_years(start_year):
    with pytest.raises(ValueError, match="out of range"):
        fiscal_year_label(start_year)


def test_parse_fiscal_year_ignores_surrounding_whitespace():
    assert parse_fiscal_year(" 2025/26 ") == 2025


@pytest.mark.parametrize("text", ["2025/27", "2025/25", "2025/24", "1999/99", "2099/99"])
def test_parse_fiscal_year_rejects_non_consecutive_years(text):
    with pytest.raises(ValueError, match="the second year must be the one after the first"):
        parse_fiscal_year(text)


@pytest.mark.parametrize("text", ["0000/01", "9999/00"])
def test_parse_fiscal_year_rejects_out_of_range_years(text):
    with pytest.raises(ValueError, match="out of range"):
        parse_fiscal_year(text)


@pytest.mark.parametrize(
    "text",
    ["2025", "2025/2026", "2025-26", "25/26", "2025/6", "FY2025/26", "", "2025Q3", "２０２５/26"],
)
def test_parse_fiscal_year_rejects_other_shapes(text):
    with pytest.raises(ValueError, match="is not a financial year"):
        parse_fiscal_year(text)


@pytest.mark.parametrize(
    ("start_year", "bounds"),
    [
        (2025, (date(2025, 7, 1), date(2026, 6, 30))),
        (2023, (date(2023, 7, 1), date(2024, 6, 30))),
    ],
)
def test_fiscal_year_bounds_are_inclusive(start_year, bounds):
    assert fiscal_year_bounds(start_year) == bounds
    first, last = bounds
    assert fiscal_year_of(first) == start_year
    assert fiscal_year_of(last) == start_year


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025/26", (date(2025, 7, 1), date(2026, 6, 30), "2025/26")),
        (" 1999/00 ", (date(1999, 7, 1), date(2000, 6, 30), "1999/00")),
        ("2025Q1", (date(2025, 1, 1), date(2025, 3, 31), "2025Q1")),
        ("2025Q2", (date(2025, 4, 1), date(2025, 6, 30), "2025Q2")),
        ("2025Q3", (date(2025, 7, 1), date(2025, 9, 30), "2025Q3")),
        ("2025Q4", (date(2025, 10, 1), date(2025, 12, 31), "2025Q4")),
        ("2024q1", (date(2024, 1, 1), date(2024, 3, 31), "2024Q1")),
    ],
)
def test_parse_period_accepts_financial_years_and_calendar_quarters(text, expected):
    assert parse_period(text) == expected


def test_calendar_quarter_3_starts_the_financial_year():
    quarter_start, _, _ = parse_period("2025Q3")
    year_start, _, _ = parse_period("2025/26")
    assert quarter_start == year_start


@pytest.mark.parametrize(
    "text",
    [
        "2025Q0",
        "2025Q5",
        "2025 Q3",
        "Q3 2025",
        "2025-Q3",
        "0000Q1",
        "2025",
        "2025/2026",
        "",
        "soon",
    ],
)
def test_parse_period_rejects_anything_else(text):
    with pytest.raises(ValueError, match="not a"):
        parse_period(text)


def test_parse_period_rejects_non_consecutive_financial_year():
    with pytest.raises(ValueError, match="the second year must be the one after the first"):
        parse_period("2025/27")


@pytest.mark.parametrize(
    ("start", "weeks", "expected"),
    [
        (date(2025, 7, 1), 0, date(2025, 7, 1)),
        (date(2025, 7, 1), 1, date(2025, 7, 8)),
        (date(2025, 7, 1), 13, date(2025, 9, 30)),
        (date(2025, 12, 15), 4, date(2026, 1, 12)),  # crosses a year end
        (date(2024, 2, 22), 1, date(2024, 2, 29)),  # leap day
        (date(2025, 2, 22), 1, date(2025, 3, 1)),
    ],
)
def test_add_weeks_due(start, weeks, expected):
    due = add_weeks_due(start, weeks)
    assert due == expected
    assert due.weekday() == start.weekday()


@pytest.mark.parametrize("weeks", [-1, 1.5, "13", True, None])
def test_add_weeks_due_rejects_negative_or_non_integer_weeks(weeks):
    with pytest.raises(ValueError, match="weeks must be a non-negative whole number"):
        add_weeks_due(date(2025, 7, 1), weeks)
