"""Tests for IRD number checks (IRD RWT/NRWT specification, 2016)."""

import pytest
from django.core.exceptions import ValidationError

from core.nz.ird import IRD_UPPER_BOUND_2016, is_valid_ird, normalise_ird
from core.nz.validators import validate_ird


@pytest.mark.parametrize(
    "number",
    [
        "49091850",  # published example: primary weights, remainder 0 -> check 0
        "136410132",  # published example: primary gives 10, secondary gives 2
        "49098576",  # primary gives 10, secondary gives 6
        "35901981",
        "100000008",
        # Computed by hand.
        "10000009",  # lowest base, check 9
        "123456785",
        "12345674",
        "149999995",  # just under the 2016 upper bound
    ],
)
def test_valid_ird_numbers_pass(number):
    assert is_valid_ird(number)


@pytest.mark.parametrize(
    "number",
    [
        "49091851",  # published example: wrong check digit
        "136410133",
        "49098575",
        "123456784",
        "10000008",
    ],
)
def test_wrong_check_digit_fails(number):
    assert not is_valid_ird(number)


@pytest.mark.parametrize("last_digit", "0123456789")
def test_base_where_both_weightings_give_10_is_never_valid(last_digit):
    # Base 01000005 gives 10 with the primary and again with the secondary weights.
    assert not is_valid_ird(f"1000005{last_digit}")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("49-091-850", "49091850"),
        ("136 410 132", "136410132"),
        (" 136-410-132 ", "136410132"),
    ],
)
def test_normalise_ird_removes_hyphens_and_spaces(raw, expected):
    assert normalise_ird(raw) == expected


@pytest.mark.parametrize("number", ["49-091-850", "136 410 132", " 136-410-132 ", "4909185-0"])
def test_hyphens_and_spaces_are_ignored(number):
    assert is_valid_ird(number)


@pytest.mark.parametrize(
    "number",
    [
        "",
        "9125568",  # 7 digits
        "1364101320",  # 10 digits
        "4909185O",  # letter O, not zero
        "49.091.850",
        "49/091/850",
        "+49091850",
        "٤٩٠٩١٨٥٠",  # Arabic-Indic digits
        None,
        49091850,
    ],
)
def test_malformed_values_fail(number):
    assert not is_valid_ird(number)


def test_below_range_fails_even_with_a_correct_check_digit():
    # Base 00999999 has check digit 6 (secondary weights), but 9,999,996 < 10,000,000.
    assert not is_valid_ird("09999996")


def test_upper_bound_defaults_to_the_2016_specification():
    assert IRD_UPPER_BOUND_2016 == 150_000_000
    # 150000009 and 170000005 have correct check digits but exceed 150,000,000.
    assert not is_valid_ird("150000009")
    assert not is_valid_ird("170000005")


def test_upper_bound_can_be_raised():
    assert is_valid_ird("150000009", upper_bound=200_000_000)
    assert is_valid_ird("170000005", upper_bound=200_000_000)
    assert not is_valid_ird("170000004", upper_bound=200_000_000)


def test_upper_bound_is_inclusive():
    assert is_valid_ird("149999995", upper_bound=149_999_995)
    assert not is_valid_ird("149999995", upper_bound=149_999_994)


def test_validate_ird_accepts_a_valid_number():
    validate_ird("49-091-850")
    validate_ird("170000005", upper_bound=200_000_000)


@pytest.mark.parametrize("number", ["49091851", "9125568", "170000005"])
def test_validate_ird_raises_invalid_ird(number):
    with pytest.raises(ValidationError) as excinfo:
        validate_ird(number)
    assert excinfo.value.code == "invalid_ird"
