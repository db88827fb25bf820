"""IRD (Inland Revenue) number checks per the IRD RWT/NRWT specification (2016)."""

import re

IRD_LOWER_BOUND = 10_000_000
# Upper bound from the 2016 specification. A 2026 notice reportedly raised it to
# 200,000,000 (unverified), so callers pass the configured value as upper_bound.
IRD_UPPER_BOUND_2016 = 150_000_000

_PRIMARY_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
_SECONDARY_WEIGHTS = (7, 4, 3, 2, 5, 2, 7, 6)
_DIGITS_RE = re.compile(r"[0-9]{8,9}")


def normalise_ird(value: str) -> str:
    """Return the IRD number with hyphens and spaces removed (e.g. "49-091-850" -> "49091850")."""
    return value.replace("-", "").replace(" ", "").strip()


def _check_digit(base8: str, weights: tuple[int, ...]) -> int:
    remainder = sum(int(digit) * weight for digit, weight in zip(base8, weights, strict=True)) % 11
    return 0 if remainder == 0 else 11 - remainder


def is_valid_ird(value: str, *, upper_bound: int = IRD_UPPER_BOUND_2016) -> bool:
    """Return whether value is a valid IRD number.

    Hyphens and spaces are ignored; the rest must be 8 or 9 digits in the range
    10,000,000 to upper_bound inclusive. The check digit is computed over the
    base (check digit dropped, left-padded to 8 digits) with the primary weights,
    and with the secondary weights when the primary result is 10; a second 10
    means no number with that base is valid. Source: IRD RWT/NRWT specification
    (2016); the upper bound is a parameter because it is due to change.
    """
    if not isinstance(value, str):
        return False
    number = normalise_ird(value)
    if not _DIGITS_RE.fullmatch(number):
        return False
    if not IRD_LOWER_BOUND <= int(number) <= upper_bound:
        return False
    base = number[:-1].zfill(8)
    check = _check_digit(base, _PRIMARY_WEIGHTS)
    if check == 10:
        check = _check_digit(base, _SECONDARY_WEIGHTS)
        if check == 10:
            return False
    return check == int(number[-1])
