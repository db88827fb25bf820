"""Tests for Stats NZ ethnicity codes, HISO 10001 recording rules and prioritisation."""

import pytest

from core.nz.ethnicity import (
    ETHNICITY_LEVEL1_CHOICES,
    ETHNICITY_LEVEL2_CHOICES,
    ETHNICITY_LEVEL4_LABELS,
    ethnicity_label,
    is_valid_ethnicity_code,
    level1_of,
    prioritised_ethnicity,
    validate_ethnicity_codes,
)


def test_level1_choices_match_the_classification():
    assert ETHNICITY_LEVEL1_CHOICES == [
        ("1", "European"),
        ("2", "Māori"),
        ("3", "Pacific Peoples"),
        ("4", "Asian"),
        ("5", "Middle Eastern/Latin American/African"),
        ("6", "Other Ethnicity"),
        ("9", "Residual"),
    ]


def test_level2_choices_cover_every_group_and_residual_code():
    codes = [code for code, _ in ETHNICITY_LEVEL2_CHOICES]
    assert codes == [
        "10", "11", "12", "21", "30", "31", "32", "33", "34", "35", "36", "37",
        "40", "41", "42", "43", "44", "51", "52", "53", "61",
        "94", "95", "97", "98", "99",
    ]  # fmt: skip
    labels = dict(ETHNICITY_LEVEL2_CHOICES)
    assert labels["21"] == "Māori"
    assert labels["32"] == "Cook Islands Māori"
    assert labels["11"] == "New Zealand European"
    assert labels["99"] == "Not Stated"


def test_choices_are_pairs_of_strings():
    for code, label in ETHNICITY_LEVEL1_CHOICES + ETHNICITY_LEVEL2_CHOICES:
        assert isinstance(code, str)
        assert isinstance(label, str)
        assert label


def test_every_labelled_level4_code_sits_under_a_level2_code():
    assert ETHNICITY_LEVEL4_LABELS["21111"] == "Māori"
    for code in ETHNICITY_LEVEL4_LABELS:
        assert len(code) == 5
        assert is_valid_ethnicity_code(code)


@pytest.mark.parametrize(
    "code",
    ["11", "21", "37", "61", "94", "99", "21111", "11111", "31111", "42100", "99999", "37199"],
)
def test_level2_and_level4_codes_are_valid(code):
    assert is_valid_ethnicity_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "21999",  # unlabelled but well formed, under 21 Maori
        "12345",  # unlabelled, under 12 Other European
        "44999",
    ],
)
def test_unknown_but_well_formed_level4_codes_under_a_known_level2_are_valid(code):
    assert is_valid_ethnicity_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "2",  # level 1 is for reporting, not recording
        "9",
        "211",  # level 3 is not accepted
        "20",  # not a level-2 code
        "96",  # "repeated value" is not a recordable response
        "96666",
        "20111",  # five digits, but 20 is not a level-2 code
        "7",
        "2111",
        "211111",
        "",
        "2l",
        "２１",  # full-width digits
        None,
    ],
)
def test_level1_level3_and_unknown_codes_are_invalid(code):
    assert not is_valid_ethnicity_code(code)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("1", "1"),
        ("2", "2"),
        ("10", "1"),
        ("11", "1"),
        ("12", "1"),
        ("21", "2"),
        ("21111", "2"),
        ("32", "3"),
        ("37199", "3"),
        ("43", "4"),
        ("44211", "4"),
        ("51", "5"),
        ("53", "5"),
        ("61", "6"),
        ("61118", "6"),
        ("94", "9"),
        ("99", "9"),
        ("95555", "9"),
    ],
)
def test_level1_of_returns_the_first_digit_group(code, expected):
    assert level1_of(code) == expected


@pytest.mark.parametrize("code", ["7", "20", "96", "211", "20111", ""])
def test_level1_of_rejects_unknown_codes(code):
    with pytest.raises(ValueError, match="Unknown ethnicity code"):
        level1_of(code)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("2", "Māori"),
        ("21", "Māori"),
        ("21111", "Māori"),
        ("32", "Cook Islands Māori"),
        ("42100", "Chinese nfd"),
        ("21999", "Māori"),  # unlabelled level-4 code falls back to its level-2 label
        ("12345", "Other European"),
    ],
)
def test_ethnicity_label(code, expected):
    assert ethnicity_label(code) == expected


def test_ethnicity_label_rejects_unknown_code():
    with pytest.raises(ValueError, match="Unknown ethnicity code"):
        ethnicity_label("96")


@pytest.mark.parametrize(
    "codes",
    [
        [],
        ["21"],
        ["21111", "11111"],
        ["21", "31", "42", "51", "61", "11"],  # six is the maximum
        ["99"],
    ],
)
def test_validate_ethnicity_codes_accepts_up_to_six_known_codes(codes):
    assert validate_ethnicity_codes(codes) == codes


def test_validate_ethnicity_codes_strips_whitespace_and_keeps_order():
    assert validate_ethnicity_codes([" 31 ", "21111\n"]) == ["31", "21111"]


def test_validate_ethnicity_codes_rejects_more_than_six():
    with pytest.raises(ValueError, match="At most 6 ethnicities may be recorded; 7 were given"):
        validate_ethnicity_codes(["21", "31", "32", "33", "34", "35", "11"])


def test_validate_ethnicity_codes_rejects_duplicates():
    with pytest.raises(ValueError, match=r"recorded more than once: '21'"):
        validate_ethnicity_codes(["21", "11", "21"])


def test_validate_ethnicity_codes_treats_whitespace_variants_as_duplicates():
    with pytest.raises(ValueError, match="recorded more than once"):
        validate_ethnicity_codes(["21", " 21"])


def test_validate_ethnicity_codes_rejects_unknown_codes_and_names_them():
    with pytest.raises(ValueError, match=r"Unknown ethnicity code\(s\): '96', '2'"):
        validate_ethnicity_codes(["21", "96", "2"])


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        (["11", "21"], "2"),  # Maori before European
        (["31", "21111"], "2"),  # Maori before Pacific
        (["42", "33"], "3"),  # Pacific before Asian
        (["51", "43"], "4"),  # Asian before MELAA
        (["61", "52"], "5"),  # MELAA before Other
        (["11", "61118"], "6"),  # Other before European
        (["12"], "1"),
        (["11", "99"], "1"),  # any real group before residual
        (["94"], "9"),
        (["95555", "97"], "9"),
        (["11", "12", "10"], "1"),
        (["11", "61", "53", "44", "37", "21"], "2"),
    ],
)
def test_prioritised_ethnicity_follows_the_ranking(codes, expected):
    assert prioritised_ethnicity(codes) == expected


def test_prioritised_ethnicity_of_no_codes_is_none():
    assert prioritised_ethnicity([]) is None


def test_prioritised_ethnicity_does_not_depend_on_order():
    assert prioritised_ethnicity(["11", "31"]) == prioritised_ethnicity(["31", "11"]) == "3"


def test_prioritised_ethnicity_rejects_unknown_codes():
    with pytest.raises(ValueError, match="Unknown ethnicity code"):
        prioritised_ethnicity(["11", "96"])
