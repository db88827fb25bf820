"""New Zealand government financial years (1 July to 30 June) and reporting periods."""

import re
from datetime import date, timedelta

FISCAL_YEAR_START_MONTH = 7

_FISCAL_YEAR_RE = re.compile(r"([0-9]{4})/([0-9]{2})")
_QUARTER_RE = re.compile(r"([0-9]{4})[Qq]([1-4])")


def fiscal_year_of(day: date) -> int:
    """Return the calendar year in which the financial year containing day starts.

    The government financial year runs 1 July to 30 June, so 30 June 2026 is
    in 2025 (2025/26) and 1 July 2026 in 2026 (2026/27). This is not the tax
    year, which runs 1 April to 31 March.
    """
    return day.year if day.month >= FISCAL_YEAR_START_MONTH else day.year - 1


def fiscal_year_label(start_year: int) -> str:
    """Return the label of the financial year starting in start_year, e.g. 2025 -> "2025/26"."""
    if not 1 <= start_year <= 9998:
        raise ValueError(f"Financial year start {start_year!r} is out of range.")
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def parse_fiscal_year(text: str) -> int:
    """Return the start year of a financial year label such as "2025/26".

    The second part must be the two-digit year after the first, so "2025/27"
    and "2025/25" are rejected. Raises ValueError for anything else.
    """
    match = _FISCAL_YEAR_RE.fullmatch(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a financial year; expected a label like '2025/26'.")
    start_year = int(match.group(1))
    if not 1 <= start_year <= 9998:
        raise ValueError(f"{text!r} is not a financial year: {start_year} is out of range.")
    if int(match.group(2)) != (start_year + 1) % 100:
        raise ValueError(
            f"{text!r} is not a financial year: the second year must be the one after "
            "the first, as in '2025/26'."
        )
    return start_year


def fiscal_year_bounds(start_year: int) -> tuple[date, date]:
    """Return the first and last day, both inclusive, of the financial year from start_year."""
    fiscal_year_label(start_year)  # range check
    return date(start_year, 7, 1), date(start_year + 1, 6, 30)


def _quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    first_month = 3 * (quarter - 1) + 1
    start = date(year, first_month, 1)
    next_start = date(year + 1, 1, 1) if quarter == 4 else date(year, first_month + 3, 1)
    return start, next_start - timedelta(days=1)


def parse_period(text: str) -> tuple[date, date, str]:
    """Parse a reporting period and return (first day, last day, label), both days inclusive.

    Accepts a financial year, "2025/26" (1 July 2025 to 30 June 2026), or a
    calendar quarter, "2025Q3" (case-insensitive). Quarters are calendar
    quarters, not financial-year quarters: Q1 is January to March, Q2 April to
    June, Q3 July to September and Q4 October to December, so "2025Q3" is the
    first quarter of 2025/26. The label is normalised ("2025q3" -> "2025Q3").
    Raises ValueError for anything else.
    """
    cleaned = text.strip()
    quarter_match = _QUARTER_RE.fullmatch(cleaned)
    if quarter_match:
        year, quarter = int(quarter_match.group(1)), int(quarter_match.group(2))
        if year < 1:
            raise ValueError(f"{text!r} is not a valid quarter.")
        start, end = _quarter_bounds(year, quarter)
        return start, end, f"{year:04d}Q{quarter}"
    if _FISCAL_YEAR_RE.fullmatch(cleaned):
        start_year = parse_fiscal_year(cleaned)
        start, end = fiscal_year_bounds(start_year)
        return start, end, fiscal_year_label(start_year)
    raise ValueError(
        f"{text!r} is not a reporting period; expected a financial year like '2025/26' "
        "or a calendar quarter like '2025Q3'."
    )


def add_weeks_due(start: date, weeks: int) -> date:
    """Return the date the given number of whole weeks after start.

    Used for due dates such as the review of assistance granted for 13 weeks
    from start; the result falls on the same weekday as start. Raises
    ValueError when weeks is negative or not an integer.
    """
    if isinstance(weeks, bool) or not isinstance(weeks, int) or weeks < 0:
        raise ValueError(f"weeks must be a non-negative whole number, not {weeks!r}.")
    return start + timedelta(weeks=weeks)
