"""Tests for NHI number checks (HISO 10046, legacy modulus 11 and new modulus 23)."""

import pytest
from django.core.exceptions import ValidationError

from core.nz.nhi import (
    NHI_ALPHABET,
    is_test_nhi,
    is_valid_nhi,
    nhi_check_failure,
    nhi_with_check,
    normalise_nhi,
)
from core.nz.validators import validate_nhi


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("zac5361", "ZAC5361"),
        ("  ZbN77vL\n", "ZBN77VL"),
        ("ABC1235", "ABC1235"),
    ],
)
def test_normalise_nhi_strips_and_upper_cases(raw, expected):
    assert normalise_nhi(raw) == expected


def test_alphabet_has_24_letters_without_i_or_o():
    assert len(NHI_ALPHABET) == 24
    assert "I" not in NHI_ALPHABET
    assert "O" not in NHI_ALPHABET
    assert NHI_ALPHABET[0] == "A"
    assert NHI_ALPHABET[23] == "Z"


@pytest.mark.parametrize(
    "nhi",
    [
        # Published examples.
        "ZAC5361",  # 24,1,3,5,3,6 -> sum 230 -> r 10 -> check 1
        # Computed by hand.
        "ABC1235",  # sum 50 -> r 6 -> check 5
        "DEF4561",  # sum 131 -> r 10 -> check 1
        "ABC1260",  # sum 56 -> r 1 -> check 10, written as 0
        "ZAA0008",  # sum 179 -> r 3 -> check 8
        "ZZZ0016",  # sum 434 -> r 5 -> check 6
    ],
)
def test_legacy_format_with_correct_mod_11_check_digit_is_valid(nhi):
    assert is_valid_nhi(nhi)
    assert nhi_check_failure(nhi) is None


@pytest.mark.parametrize(
    "nhi",
    [
        "JBX3657",  # published invalid example: check should be 6
        "ABC1234",
        "DEF4560",
        "ABC1261",  # check 10 is written 0, never 1
        "ZAC5360",
    ],
)
def test_legacy_format_with_wrong_check_digit_is_invalid(nhi):
    assert not is_valid_nhi(nhi)
    assert nhi_check_failure(nhi) == "The NHI check digit does not match."


@pytest.mark.parametrize("last_digit", "0123456789")
def test_legacy_prefix_with_remainder_zero_has_no_valid_check_digit(last_digit):
    # ZZZ004: 24*7 + 24*6 + 24*5 + 0 + 0 + 4*2 = 440, 440 mod 11 == 0.
    nhi = f"ZZZ004{last_digit}"
    assert not is_valid_nhi(nhi)
    assert nhi_check_failure(nhi) == "No valid NHI number begins with these six characters."


@pytest.mark.parametrize(
    "nhi",
    [
        # Published examples.
        "ZBN77VL",  # 24,2,13,7,7,20 -> sum 334 -> mod 23 = 12 -> 11 -> L
        "ACA31FM",  # published by Te Whatu Ora
        # Computed by hand.
        "ZZZ00AC",  # sum 434 -> mod 23 = 20 -> 3 -> C
        "ABC12AY",  # sum 46 -> mod 23 = 0 -> 23 -> Y, the highest check letter
        "ABC12MA",  # sum 68 -> mod 23 = 22 -> 1 -> A
        "ABC12DS",  # sum 52 -> mod 23 = 6 -> 17 -> S
        "EFG34HQ",  # sum 146 -> mod 23 = 8 -> 15 -> Q
        "NHJ11KU",  # sum 211 -> mod 23 = 4 -> 19 -> U
    ],
)
def test_new_format_with_correct_mod_23_check_letter_is_valid(nhi):
    assert is_valid_nhi(nhi)
    assert nhi_check_failure(nhi) is None


@pytest.mark.parametrize(
    "nhi",
    [
        # Valid only under the withdrawn modulus 24 rule.
        "ZZZ00AX",
        "ACA31FQ",
        "ZBN77VB",
        "ABC12AB",
        "ABC12DV",
        "EFG34HX",
        # Simply wrong.
        "ZBN77VK",
        "ACA31FN",
    ],
)
def test_new_format_check_letter_follows_mod_23_never_mod_24(nhi):
    assert not is_valid_nhi(nhi)
    assert nhi_check_failure(nhi) == "The NHI check letter does not match."


@pytest.mark.parametrize("prefix", ["ZBN77V", "ACA31F", "ZZZ00A", "ABC12A", "ABC12M"])
def test_new_format_check_letter_is_never_z(prefix):
    assert not is_valid_nhi(prefix + "Z")


@pytest.mark.parametrize("nhi", ["zac5361", "zbn77vl", "aca31fm", " ABC1235 ", "Abc12Ay"])
def test_lower_case_and_surrounding_whitespace_are_accepted(nhi):
    assert is_valid_nhi(nhi)


@pytest.mark.parametrize(
    "nhi",
    [
        "IBC1235",
        "AOC1235",
        "ABI1235",
        "ABC12IY",
        "ABC12AO",
        "ioc1235",
    ],
)
def test_letters_i_and_o_are_rejected(nhi):
    assert not is_valid_nhi(nhi)
    assert nhi_check_failure(nhi) == "NHI numbers never contain the letters I or O."


@pytest.mark.parametrize(
    ("nhi", "reason"),
    [
        ("", "The NHI number is empty."),
        ("   ", "The NHI number is empty."),
        ("ABC123", "An NHI number has 7 characters."),
        ("ABC12345", "An NHI number has 7 characters."),
        ("ZAC 5361", "An NHI number has 7 characters."),
    ],
)
def test_empty_or_wrong_length_is_rejected_with_reason(nhi, reason):
    assert not is_valid_nhi(nhi)
    assert nhi_check_failure(nhi) == reason


@pytest.mark.parametrize(
    "nhi",
    [
        "1234567",
        "AB12345",
        "ABCD123",
        "ABC1A35",
        "ABC123A",  # letter check character on a legacy-style body
        "ABC1AB5",
        "ABC12A5",  # digit check character on a new-style body
        "ABC-123",
        "ABC١٢٣٥",  # Arabic-Indic digits are not NHI digits
    ],
)
def test_values_matching_neither_format_are_rejected(nhi):
    assert not is_valid_nhi(nhi)
    assert nhi_check_failure(nhi).startswith("An NHI number is three letters")


@pytest.mark.parametrize("value", [None, 1234567, b"ZAC5361"])
def test_non_text_is_rejected(value):
    assert not is_valid_nhi(value)
    assert nhi_check_failure(value) == "An NHI number must be text."


@pytest.mark.parametrize("nhi", ["ZAC5361", "ZBN77VL", "zzz00ac"])
def test_test_numbers_are_allowed_by_default(nhi):
    assert is_test_nhi(nhi)
    assert is_valid_nhi(nhi)
    assert is_valid_nhi(nhi, allow_test_numbers=True)


@pytest.mark.parametrize("nhi", ["ZAC5361", "ZBN77VL", "zzz00ac"])
def test_test_numbers_are_rejected_when_disallowed(nhi):
    assert not is_valid_nhi(nhi, allow_test_numbers=False)
    assert nhi_check_failure(nhi, allow_test_numbers=False) == (
        "NHI numbers starting with Z are test numbers and are not accepted here."
    )


@pytest.mark.parametrize("nhi", ["ACA31FM", "ABC1235", "abc12ay"])
def test_non_test_numbers_are_valid_when_test_numbers_disallowed(nhi):
    assert not is_test_nhi(nhi)
    assert is_valid_nhi(nhi, allow_test_numbers=False)


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("ZAC536", "ZAC5361"),
        ("ABC123", "ABC1235"),
        ("ABC126", "ABC1260"),
        ("zbn77v", "ZBN77VL"),
        ("ACA31F", "ACA31FM"),
        ("ZZZ00A", "ZZZ00AC"),
        ("ABC12A", "ABC12AY"),
    ],
)
def test_nhi_with_check_completes_a_valid_nhi(prefix, expected):
    assert nhi_with_check(prefix) == expected
    assert is_valid_nhi(expected)


def test_nhi_with_check_returns_none_when_legacy_prefix_has_no_check_digit():
    assert nhi_with_check("ZZZ004") is None


@pytest.mark.parametrize("prefix", ["ZZZ00", "ZZZ0044", "IBC123", "ABC1A3", "123456", ""])
def test_nhi_with_check_rejects_malformed_prefix(prefix):
    with pytest.raises(ValueError, match="is not an NHI prefix"):
        nhi_with_check(prefix)


def test_nhi_with_check_agrees_with_is_valid_nhi_across_many_prefixes():
    # Every legacy and new-format prefix over a slice of the alphabet: the
    # completed NHI is valid, and every other final character is not.
    letters = "ABHJNPYZ"
    checked = 0
    for first in letters:
        for second in letters:
            for tail in ("00", "19", "47", "99"):
                for sixth in ("0", "5", "9", "A", "H", "J", "N", "Y"):
                    prefix = f"{first}{second}Q{tail}{sixth}"
                    completed = nhi_with_check(prefix)
                    alternatives = "0123456789" if sixth.isdigit() else NHI_ALPHABET
                    valid = [c for c in alternatives if is_valid_nhi(prefix + c)]
                    assert valid == ([] if completed is None else [completed[-1]])
                    checked += 1
    assert checked == 8 * 8 * 4 * 8


def test_validate_nhi_accepts_valid_numbers():
    validate_nhi("ZAC5361")
    validate_nhi("aca31fm")
    validate_nhi("ACA31FM", allow_test_numbers=False)


@pytest.mark.parametrize("nhi", ["JBX3657", "ZZZ00AX", "IBC1235", ""])
def test_validate_nhi_raises_invalid_nhi(nhi):
    with pytest.raises(ValidationError) as excinfo:
        validate_nhi(nhi)
    assert excinfo.value.code == "invalid_nhi"
    assert excinfo.value.message == nhi_check_failure(nhi)


def test_validate_nhi_raises_test_nhi_when_test_numbers_disallowed():
    with pytest.raises(ValidationError) as excinfo:
        validate_nhi("ZBN77VL", allow_test_numbers=False)
    assert excinfo.value.code == "test_nhi"


def test_validate_nhi_reports_invalid_before_test_number():
    with pytest.raises(ValidationError) as excinfo:
        validate_nhi("ZZZ00AX", allow_test_numbers=False)
    assert excinfo.value.code == "invalid_nhi"
