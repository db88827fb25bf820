"""National Health Index (NHI) number checks per HISO 10046, both legacy and new formats."""

import re

# Letters I and O are never used in NHIs; A=1 ... Z=24 by position in this alphabet.
NHI_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ"
TEST_NHI_PREFIX = "Z"

_WEIGHTS = (7, 6, 5, 4, 3, 2)
_LETTER = "[A-HJ-NP-Z]"
_LEGACY_RE = re.compile(rf"{_LETTER}{{3}}[0-9]{{4}}")
_NEW_RE = re.compile(rf"{_LETTER}{{3}}[0-9]{{2}}{_LETTER}{{2}}")
_LEGACY_PREFIX_RE = re.compile(rf"{_LETTER}{{3}}[0-9]{{3}}")
_NEW_PREFIX_RE = re.compile(rf"{_LETTER}{{3}}[0-9]{{2}}{_LETTER}")


def normalise_nhi(value: str) -> str:
    """Return the NHI stripped of surrounding whitespace and upper-cased.

    NHIs are accepted in lower case but always stored in upper case.
    """
    return value.strip().upper()


def _char_value(char: str) -> int:
    """Map a digit to its value and a letter to its position in the NHI alphabet (A=1)."""
    if char.isascii() and char.isdigit():
        return int(char)
    return NHI_ALPHABET.index(char) + 1


def _weighted_sum(prefix6: str) -> int:
    return sum(_char_value(char) * weight for char, weight in zip(prefix6, _WEIGHTS, strict=True))


def _legacy_check_digit(prefix6: str) -> str | None:
    """Modulus 11 check digit for the legacy AAANNNC format, or None when r == 0."""
    remainder = _weighted_sum(prefix6) % 11
    if remainder == 0:
        return None
    return str((11 - remainder) % 10)


def _new_check_letter(prefix6: str) -> str:
    """Modulus 23 check letter for the new AAANNAX format (A=1 ... Y=23, never Z).

    Modulus 23 is the rule from HISO 10046:2023 onwards; the withdrawn 2022 rule
    used modulus 24 and must not be implemented.
    """
    check = 23 - _weighted_sum(prefix6) % 23
    return NHI_ALPHABET[check - 1]


def nhi_check_failure(value: str, *, allow_test_numbers: bool = True) -> str | None:
    """Return a human-readable reason the NHI is invalid, or None when it is valid.

    The value is normalised first (whitespace stripped, upper-cased). NHIs
    starting with Z are test numbers, never issued to real people; they pass
    unless allow_test_numbers is False, so production can reject them.
    Source: HISO 10046 (legacy modulus 11; new format modulus 23).
    """
    if not isinstance(value, str):
        return "An NHI number must be text."
    nhi = normalise_nhi(value)
    if not nhi:
        return "The NHI number is empty."
    if len(nhi) != 7:
        return "An NHI number has 7 characters."
    if "I" in nhi or "O" in nhi:
        return "NHI numbers never contain the letters I or O."
    if _LEGACY_RE.fullmatch(nhi):
        expected = _legacy_check_digit(nhi[:6])
        if expected is None:
            return "No valid NHI number begins with these six characters."
        if nhi[6] != expected:
            return "The NHI check digit does not match."
    elif _NEW_RE.fullmatch(nhi):
        if nhi[6] != _new_check_letter(nhi[:6]):
            return "The NHI check letter does not match."
    else:
        return (
            "An NHI number is three letters then four digits (AAANNNC), "
            "or three letters, two digits and two letters (AAANNAX)."
        )
    if not allow_test_numbers and nhi.startswith(TEST_NHI_PREFIX):
        return "NHI numbers starting with Z are test numbers and are not accepted here."
    return None


def is_valid_nhi(value: str, *, allow_test_numbers: bool = True) -> bool:
    """Return whether value is a valid NHI number in either format (case-insensitive).

    Test numbers (starting with Z) are valid unless allow_test_numbers is False.
    """
    return nhi_check_failure(value, allow_test_numbers=allow_test_numbers) is None


def is_test_nhi(value: str) -> bool:
    """Return whether the NHI is a test number (starts with Z), whatever its validity."""
    return normalise_nhi(value).startswith(TEST_NHI_PREFIX)


def nhi_with_check(prefix6: str) -> str | None:
    """Return the valid NHI that begins with the six given characters, for demo data.

    Three letters and three digits give a legacy NHI (modulus 11 check digit);
    three letters, two digits and a letter give a new-format NHI (modulus 23
    check letter). Returns None when the legacy prefix has no valid check digit
    (sum mod 11 == 0). Raises ValueError when the prefix fits neither format.
    """
    prefix = normalise_nhi(prefix6)
    if _LEGACY_PREFIX_RE.fullmatch(prefix):
        check = _legacy_check_digit(prefix)
        return None if check is None else prefix + check
    if _NEW_PREFIX_RE.fullmatch(prefix):
        return prefix + _new_check_letter(prefix)
    raise ValueError(
        f"{prefix6!r} is not an NHI prefix: expected three letters (not I or O) "
        "then three digits, or two digits and a letter."
    )
